//! Saved runs: a `--json` report read back into records, and several merged into one.
//!
//! This is what `xharness report html RUN.json` and `xharness report merge A.json
//! B.json...` stand on: [`SavedRun::load`] reads a file written by
//! [`JsonReport`](crate::JsonReport), [`SavedRun::merge`] joins runs or shards, and
//! [`SavedRun::replay`] feeds the records to any [`Reporter`] (HTML, JSON, JUnit,
//! console) exactly as a live run would, so a merged report is the same report.
//!
//! Merging rules:
//! - a later (case, engine) result replaces an earlier one, so `merge old.json
//!   rerun.json` keeps the re-run's verdicts (a shard re-run with `--failed` overrides
//!   the first attempt);
//! - engines are the union, in order of first appearance; the suite name is the
//!   distinct non-empty names joined by `+`;
//! - the summary is counted again from the merged results, divergence is marked again
//!   across them ([`crate::divergence::mark_divergence`]), the duration is the sum of the runs' durations
//!   and the merged run is interrupted if any input was; signatures are given again
//!   from the merged records ([`crate::groups::sign`]), repro lines and baseline
//!   marks are kept as each record had them;
//! - an empty run (no results, or an empty file) merges as nothing.
//!
//! Reading is lenient where the format may grow: unknown fields are ignored, and
//! `engines`, `interrupted` and `summary` may be missing (engines then come from the
//! results). The counts of a file's `summary` are not trusted: they are counted again.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use crate::model::sort_results;
use crate::{CaseResult, Event, ReportError, Reporter, Summary};

/// The records of one run as read back from its JSON report, or of several merged.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SavedRun {
    /// The suite's name (several joined by `+` after a merge of different suites).
    pub suite: String,
    /// The engines of the run, in the order the report listed them.
    pub engines: Vec<String>,
    /// One result per (case, engine), sorted by case, then engine.
    pub results: Vec<CaseResult>,
    /// Counted from `results`; the duration and `interrupted` come from the file.
    pub summary: Summary,
}

/// The parts of the `--json` document a saved run needs; everything else is ignored.
#[derive(Deserialize)]
struct Document {
    #[serde(default)]
    suite: String,
    #[serde(default)]
    engines: Vec<String>,
    #[serde(default)]
    interrupted: bool,
    results: Vec<CaseResult>,
    #[serde(default)]
    summary: Option<SummaryTime>,
}

#[derive(Deserialize)]
struct SummaryTime {
    #[serde(default)]
    duration_ms: f64,
}

impl SavedRun {
    /// Parses the text of a `--json` report. Empty (or all-whitespace) text is an empty
    /// run, so an empty shard's file merges as nothing.
    pub fn parse(text: &str) -> Result<SavedRun, serde_json::Error> {
        if text.trim().is_empty() {
            return Ok(SavedRun::default());
        }
        let doc: Document = serde_json::from_str(text)?;
        let millis = doc.summary.map_or(0.0, |s| s.duration_ms);
        let duration = Duration::try_from_secs_f64(millis / 1000.0).unwrap_or_default();
        let mut run = SavedRun {
            suite: doc.suite,
            engines: doc.engines,
            results: doc.results,
            summary: Summary::default(),
        };
        run.add_result_engines();
        sort_results(&mut run.results);
        run.summary = Summary::from_results(&run.results, duration);
        run.summary.interrupted = doc.interrupted;
        Ok(run)
    }

    /// Reads and parses the `--json` report at `path`; errors name the file.
    pub fn load(path: &Path) -> Result<SavedRun, ReportError> {
        let text = std::fs::read_to_string(path).map_err(|source| ReportError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        SavedRun::parse(&text).map_err(|source| ReportError::Parse {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Loads every file in `paths` and merges them in that order (see the module doc).
    pub fn merge_files<P: AsRef<Path>>(paths: &[P]) -> Result<SavedRun, ReportError> {
        let runs = paths
            .iter()
            .map(|p| SavedRun::load(p.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SavedRun::merge(runs))
    }

    /// Merges runs in order: later (case, engine) results replace earlier ones; the
    /// summary and divergence are computed again (see the module doc).
    pub fn merge(runs: impl IntoIterator<Item = SavedRun>) -> SavedRun {
        let mut suites: Vec<String> = Vec::new();
        let mut engines: Vec<String> = Vec::new();
        let mut by_job: BTreeMap<(String, String), CaseResult> = BTreeMap::new();
        let mut duration = Duration::ZERO;
        let mut interrupted = false;
        for run in runs {
            if !run.suite.is_empty() && !suites.contains(&run.suite) {
                suites.push(run.suite);
            }
            for engine in run.engines {
                if !engines.contains(&engine) {
                    engines.push(engine);
                }
            }
            for r in run.results {
                by_job.insert((r.case.clone(), r.engine.clone()), r);
            }
            duration += run.summary.duration;
            interrupted |= run.summary.interrupted;
        }
        let mut merged = SavedRun {
            suite: suites.join("+"),
            engines,
            results: by_job.into_values().collect(),
            summary: Summary::default(),
        };
        merged.add_result_engines();
        crate::divergence::mark_divergence(&mut merged.results);
        crate::groups::sign(&mut merged.results);
        merged.summary = Summary::from_results(&merged.results, duration);
        merged.summary.interrupted = interrupted;
        merged
    }

    /// Sends the run to `reporter` as a live run would: `Started`, one `Finished` per
    /// result, `Done`. Call [`Reporter::finish`] afterwards as usual.
    pub fn replay(&self, reporter: &mut dyn Reporter) {
        reporter.event(&Event::Started {
            suite: &self.suite,
            engines: &self.engines,
            total: self.results.len(),
        });
        for r in &self.results {
            reporter.event(&Event::Finished(r));
        }
        reporter.event(&Event::Done(&self.summary));
    }

    /// Appends engines that results name but the engine list lacks.
    fn add_result_engines(&mut self) {
        for r in &self.results {
            if !self.engines.contains(&r.engine) {
                self.engines.push(r.engine.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{OutcomeKind, OutcomeRecord, OutputRecord};
    use crate::test_data::{feed, sample_results};
    use crate::{JsonReport, Status};

    fn json_of(results: &[CaseResult]) -> String {
        let mut report = JsonReport::new();
        feed(&mut report, results);
        report.render().unwrap()
    }

    fn ran(case: &str, engine: &str, stdout_digest: &str) -> CaseResult {
        let mut r = CaseResult::new(case, engine, Status::Pass);
        r.outcome = Some(OutcomeRecord {
            kind: OutcomeKind::Exited,
            exit_code: Some(0),
            message: None,
        });
        r.stdout = Some(OutputRecord {
            digest: stdout_digest.into(),
            bytes: 1,
            truncated: false,
            dropped: None,
            text: None,
        });
        r
    }

    fn run_of(suite: &str, results: Vec<CaseResult>, millis: u64) -> SavedRun {
        let mut engines: Vec<String> = results.iter().map(|r| r.engine.clone()).collect();
        engines.dedup();
        SavedRun {
            suite: suite.into(),
            engines,
            summary: Summary::from_results(&results, Duration::from_millis(millis)),
            results,
        }
    }

    #[test]
    fn a_json_report_reads_back_into_the_same_records() {
        let run = SavedRun::parse(&json_of(&sample_results())).unwrap();
        let mut expected = sample_results();
        sort_results(&mut expected);
        assert_eq!(run.results, expected);
        assert_eq!(run.suite, "c-basic");
        assert_eq!(run.engines, ["wasmer", "wasmtime"]);
        let counted = Summary::from_results(&expected, Duration::from_millis(1234));
        assert_eq!(run.summary, counted);
    }

    #[test]
    fn replayed_run_writes_the_same_json() {
        let text = json_of(&sample_results());
        let run = SavedRun::parse(&text).unwrap();
        let mut again = JsonReport::new();
        run.replay(&mut again);
        assert_eq!(again.render().unwrap(), text);
    }

    #[test]
    fn old_and_sparse_files_are_read() {
        let text = r#"{"results": [{"case": "a", "engine": "wasmer", "status": "skip",
            "reason": null, "exit_code": null, "duration_ms": 0, "detail": "",
            "expectation": "needs threads"}], "future_field": 1}"#;
        let run = SavedRun::parse(text).unwrap();
        assert_eq!(run.engines, ["wasmer"]);
        assert_eq!(run.summary.skipped, 1);
        assert!(!run.summary.interrupted);
    }

    #[test]
    fn empty_inputs_are_empty_runs() {
        assert_eq!(SavedRun::parse("").unwrap(), SavedRun::default());
        assert_eq!(SavedRun::parse(" \n").unwrap(), SavedRun::default());
        let empty = SavedRun::parse(&json_of(&[])).unwrap();
        assert!(empty.results.is_empty());
        let merged =
            SavedRun::merge([empty, SavedRun::parse(&json_of(&sample_results())).unwrap()]);
        assert_eq!(merged.results.len(), sample_results().len());
        assert_eq!(SavedRun::merge(Vec::new()).summary.total(), 0);
    }

    #[test]
    fn unreadable_and_foreign_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.json");
        let err = SavedRun::load(&missing).unwrap_err();
        assert!(matches!(err, ReportError::Read { .. }), "{err:?}");
        assert!(err.to_string().contains("missing.json"), "{err}");
        let list = dir.path().join("list.json");
        JsonReport::write_list(&list, &[]).unwrap();
        let err = SavedRun::load(&list).unwrap_err();
        assert!(err.to_string().contains("list.json"), "{err}");
        assert!(err.to_string().contains("--list"), "{err}");
        assert!(err.to_string().contains("line"), "{err}");
    }

    #[test]
    fn shards_merge_and_divergence_is_found_across_them() {
        let a = run_of(
            "s",
            vec![ran("x", "wasmer", "d1"), ran("y", "wasmer", "d1")],
            100,
        );
        let b = run_of(
            "s",
            vec![ran("x", "wasmtime", "d2"), ran("y", "wasmtime", "d1")],
            50,
        );
        let merged = SavedRun::merge([a, b]);
        assert_eq!(merged.suite, "s");
        assert_eq!(merged.engines, ["wasmer", "wasmtime"]);
        let divergent: Vec<_> = merged
            .results
            .iter()
            .map(|r| (r.case.as_str(), r.engine.as_str(), r.divergent))
            .collect();
        assert_eq!(
            divergent,
            [
                ("x", "wasmer", true),
                ("x", "wasmtime", true),
                ("y", "wasmer", false),
                ("y", "wasmtime", false)
            ]
        );
        assert_eq!(merged.summary.divergent, 1);
        assert_eq!(merged.summary.passed, 4);
        assert_eq!(merged.summary.duration, Duration::from_millis(150));
    }

    #[test]
    fn a_later_result_replaces_an_earlier_one() {
        let mut failed = ran("x", "wasmer", "d1");
        failed.status = Status::Fail;
        let mut first = run_of("s", vec![failed, ran("x", "wasmtime", "d2")], 10);
        first.summary.interrupted = true;
        let rerun = run_of("s", vec![ran("x", "wasmtime", "d1")], 10);
        let merged = SavedRun::merge([first, rerun]);
        assert_eq!(merged.results.len(), 2);
        assert_eq!(merged.summary.failed, 1);
        assert_eq!(merged.summary.passed, 1);
        assert!(merged.results.iter().all(|r| !r.divergent));
        assert!(merged.summary.interrupted);
    }

    #[test]
    fn a_skipped_engine_makes_nothing_divergent() {
        let mut skip = CaseResult::new("x", "wasmer", Status::Skip);
        skip.divergent = true;
        let mut results = vec![skip, ran("x", "wasmtime", "d")];
        crate::divergence::mark_divergence(&mut results);
        assert!(results.iter().all(|r| !r.divergent));
    }

    #[test]
    fn merged_files_keep_order_and_name_suites() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.json");
        let b = dir.path().join("b.json");
        std::fs::write(&a, json_of(&sample_results())).unwrap();
        std::fs::write(&b, "").unwrap();
        let merged = SavedRun::merge_files(&[&a, &b]).unwrap();
        assert_eq!(merged.suite, "c-basic");
        assert_eq!(merged.summary.total(), sample_results().len());
        let two = SavedRun::merge([
            run_of("one", vec![ran("x", "e", "d")], 1),
            run_of("two", vec![ran("y", "e", "d")], 1),
        ]);
        assert_eq!(two.suite, "one+two");
    }
}
