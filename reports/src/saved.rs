//! Saved runs: a `--json` report read back into records, and several merged into one.
//!
//! This is what `xharness report html RUN.json` and `xharness report merge A.json
//! B.json...` stand on: [`SavedRun::load`] reads a file written by
//! [`JsonReport`](crate::JsonReport), [`SavedRun::merge`] joins runs or shards, and
//! [`SavedRun::replay`] feeds the records to any [`Reporter`] (HTML, JSON, JUnit,
//! console) exactly as a live run would, so a merged report is the same report.
//!
//! Merging rules:
//! - results are keyed by (suite, case, engine): a later result replaces an earlier
//!   one, so `merge old.json rerun.json` keeps the re-run's verdicts (a shard re-run
//!   with `--failed` overrides the first attempt), and same-named cases of two suites
//!   stay apart;
//! - engines are the union, in order of first appearance; the suite name is the
//!   distinct non-empty names joined by `+`;
//! - the summary is counted again from the merged results, divergence is marked again
//!   ([`crate::divergence::mark_divergence`]) within each suite, across its shards,
//!   never across suites; the duration is the sum of the runs' durations and the
//!   merged run is interrupted if any input was; signatures are given again from the
//!   merged records ([`crate::groups::sign`]), repro lines and baseline marks are kept
//!   as each record had them;
//! - runs of one suite (shards, re-runs) merge into a run of that suite, the same as a
//!   single run: its records name no suite. Runs of several suites merge into a run
//!   whose every record names its suite ([`CaseResult::suite`]) and whose summary
//!   counts each suite apart ([`Summary::suites`], with each suite's summed duration),
//!   so every report can show the suites apart;
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
    /// One result per (suite, case, engine), sorted by suite, case, then engine.
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
    /// Each suite's time, in a merge of several.
    #[serde(default)]
    suites: BTreeMap<String, SummaryTime>,
}

impl SummaryTime {
    fn duration(&self) -> Duration {
        Duration::try_from_secs_f64(self.duration_ms / 1000.0).unwrap_or_default()
    }
}

impl SavedRun {
    /// Parses the text of a `--json` report. Empty (or all-whitespace) text is an empty
    /// run, so an empty shard's file merges as nothing.
    pub fn parse(text: &str) -> Result<SavedRun, serde_json::Error> {
        if text.trim().is_empty() {
            return Ok(SavedRun::default());
        }
        let doc: Document = serde_json::from_str(text)?;
        let duration = doc
            .summary
            .as_ref()
            .map_or(Duration::ZERO, SummaryTime::duration);
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
        if let Some(times) = &doc.summary {
            for (suite, s) in &mut run.summary.suites {
                s.duration = times
                    .suites
                    .get(suite)
                    .map_or(Duration::ZERO, SummaryTime::duration);
            }
        }
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

    /// Merges runs in order: later (suite, case, engine) results replace earlier ones;
    /// the summary and divergence are computed again (see the module doc).
    pub fn merge(runs: impl IntoIterator<Item = SavedRun>) -> SavedRun {
        let runs: Vec<SavedRun> = runs.into_iter().collect();
        let mut suites: Vec<String> = Vec::new();
        for run in &runs {
            for suite in run.suite_names() {
                if !suites.iter().any(|s| s == suite) {
                    suites.push(suite.to_string());
                }
            }
        }
        let apart = suites.len() > 1;
        let mut engines: Vec<String> = Vec::new();
        let mut by_job: BTreeMap<(String, String, String), CaseResult> = BTreeMap::new();
        let mut times = SuiteTimes::default();
        for run in runs {
            times.add(&run, apart);
            for engine in run.engines {
                if !engines.contains(&engine) {
                    engines.push(engine);
                }
            }
            for mut r in run.results {
                r.suite = match (apart, r.suite.is_empty()) {
                    (false, _) => String::new(),
                    (true, true) => run.suite.clone(),
                    (true, false) => r.suite,
                };
                by_job.insert((r.suite.clone(), r.case.clone(), r.engine.clone()), r);
            }
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
        merged.summary = times.summary(&merged.results, apart.then_some(&suites[..]));
        merged
    }

    /// The suites the run holds: those its records name, else its own (if named).
    fn suite_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for r in self.results.iter().filter(|r| !r.suite.is_empty()) {
            if !names.contains(&r.suite.as_str()) {
                names.push(&r.suite);
            }
        }
        if names.is_empty() && !self.suite.is_empty() {
            names.push(&self.suite);
        }
        names
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

/// The summed wall time and interruption of the runs merged, in all and per suite.
#[derive(Default)]
struct SuiteTimes {
    all: (Duration, bool),
    per_suite: BTreeMap<String, (Duration, bool)>,
}

impl SuiteTimes {
    /// Adds `run`'s times; per suite too when the merge keeps suites `apart`.
    fn add(&mut self, run: &SavedRun, apart: bool) {
        let s = &run.summary;
        self.all.0 += s.duration;
        self.all.1 |= s.interrupted;
        if !apart {
            return;
        }
        if let Some(suite) = run.suite_names().first().filter(|_| s.suites.is_empty()) {
            self.add_suite(suite, s);
        }
        for (suite, part) in &s.suites {
            self.add_suite(suite, part);
        }
    }

    fn add_suite(&mut self, suite: &str, s: &Summary) {
        let time = self.per_suite.entry(suite.to_string()).or_default();
        time.0 += s.duration;
        time.1 |= s.interrupted;
    }

    /// The summary of the merged `results`; with `suites`, one per suite as well (a
    /// suite whose runs had no results counts zero).
    fn summary(&self, results: &[CaseResult], suites: Option<&[String]>) -> Summary {
        let mut summary = Summary::from_results(results, self.all.0);
        summary.interrupted = self.all.1;
        for suite in suites.unwrap_or_default() {
            let (duration, interrupted) = self.per_suite.get(suite).copied().unwrap_or_default();
            let s = summary.suites.entry(suite.clone()).or_default();
            s.duration = duration;
            s.interrupted = interrupted;
        }
        summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{OutcomeKind, OutcomeRecord, OutputRecord};
    use crate::test_data::{feed, sample_results, two_suite_runs, two_suites};
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

    fn json_of_run(run: &SavedRun) -> String {
        let mut report = JsonReport::new();
        run.replay(&mut report);
        report.render().unwrap()
    }

    fn jobs(run: &SavedRun) -> Vec<(&str, &str, &str)> {
        run.results
            .iter()
            .map(|r| (r.suite.as_str(), r.case.as_str(), r.engine.as_str()))
            .collect()
    }

    #[test]
    fn shards_of_one_suite_name_no_suite_on_their_records() {
        let a = run_of("s", vec![ran("x", "wasmer", "d1")], 1);
        let b = run_of("s", vec![ran("x", "wasmtime", "d1")], 1);
        let merged = SavedRun::merge([a, SavedRun::default(), b]);
        assert_eq!(jobs(&merged), [("", "x", "wasmer"), ("", "x", "wasmtime")]);
        assert!(merged.summary.suites.is_empty());
    }

    #[test]
    fn two_suites_keep_a_same_named_case_apart() {
        let merged = two_suites();
        assert_eq!(merged.suite, "alpha+beta");
        assert_eq!(
            jobs(&merged),
            [
                ("alpha", "hello", "wasmer"),
                ("alpha", "hello", "wasmtime"),
                ("alpha", "only/alpha", "wasmer"),
                ("alpha", "only/alpha", "wasmtime"),
                ("beta", "hello", "wasmer"),
                ("beta", "hello", "wasmtime"),
                ("beta", "threads", "wasmer"),
                ("beta", "threads", "wasmtime"),
            ]
        );
    }

    #[test]
    fn divergence_is_found_within_a_suite_never_across_suites() {
        let merged = two_suites();
        let divergent: Vec<_> = jobs(&merged)
            .into_iter()
            .zip(&merged.results)
            .filter(|(_, r)| r.divergent)
            .map(|(job, _)| job)
            .collect();
        assert_eq!(
            divergent,
            [
                ("alpha", "only/alpha", "wasmer"),
                ("alpha", "only/alpha", "wasmtime")
            ]
        );
        assert_eq!(merged.summary.divergent, 1);
        let groups = crate::groups::groups(&merged.results);
        assert_eq!(groups.len(), 1, "{groups:#?}");
        assert_eq!(groups[0].cases, ["alpha::only/alpha"]);
        // One suite ran `x` on wasmer, the other on wasmtime, printing different things:
        // two cases of one engine each, nothing to compare.
        let one = run_of("one", vec![ran("x", "wasmer", "d1")], 1);
        let two = run_of("two", vec![ran("x", "wasmtime", "d2")], 1);
        let merged = SavedRun::merge([one, two]);
        assert!(
            merged
                .results
                .iter()
                .all(|r| !r.divergent && r.signature.is_none())
        );
        assert_eq!(merged.summary.divergent, 0);
    }

    #[test]
    fn each_suite_has_its_own_totals_and_time() {
        let s = two_suites().summary;
        assert_eq!((s.passed, s.failed, s.skipped, s.total()), (6, 1, 1, 8));
        assert_eq!(s.duration, Duration::from_millis(150));
        assert_eq!(s.suites.keys().collect::<Vec<_>>(), ["alpha", "beta"]);
        let alpha = &s.suites["alpha"];
        assert_eq!(
            (alpha.passed, alpha.failed, alpha.skipped, alpha.divergent),
            (3, 1, 0, 1)
        );
        assert_eq!(alpha.duration, Duration::from_millis(100));
        let beta = &s.suites["beta"];
        assert_eq!(
            (beta.passed, beta.failed, beta.skipped, beta.divergent),
            (3, 0, 1, 0)
        );
        assert_eq!(beta.duration, Duration::from_millis(50));
        assert!(!s.is_success());
    }

    #[test]
    fn a_rerun_replaces_its_own_suites_result_only() {
        let [alpha, beta] = two_suite_runs();
        let mut rerun = run_of(
            "alpha",
            vec![ran("only/alpha", "wasmer", &"a".repeat(64))],
            10,
        );
        rerun.summary.interrupted = true;
        let merged = SavedRun::merge([alpha, beta, rerun]);
        assert_eq!(merged.results.len(), 8);
        assert_eq!((merged.summary.failed, merged.summary.divergent), (0, 0));
        let alpha = &merged.summary.suites["alpha"];
        assert_eq!(alpha.duration, Duration::from_millis(110));
        assert!(alpha.interrupted && !merged.summary.suites["beta"].interrupted);
        assert!(merged.summary.interrupted);
    }

    #[test]
    fn a_merge_of_two_suites_reads_back_and_merges_again() {
        let merged = two_suites();
        let back = SavedRun::parse(&json_of_run(&merged)).unwrap();
        assert_eq!(back, merged);
        let gamma = run_of("gamma", vec![ran("hello", "wasmer", "e")], 5);
        let again = SavedRun::merge([back, gamma, SavedRun::default()]);
        assert_eq!(again.suite, "alpha+beta+gamma");
        assert_eq!(again.results.len(), 9);
        let times: Vec<u128> = again
            .summary
            .suites
            .values()
            .map(|s| s.duration.as_millis())
            .collect();
        assert_eq!(times, [100, 50, 5]);
        assert_eq!(again.summary.duration, Duration::from_millis(155));
    }

    #[test]
    fn a_suite_with_an_empty_shard_still_counts_as_a_suite() {
        let [alpha, _] = two_suite_runs();
        let empty = SavedRun {
            suite: "beta".into(),
            ..SavedRun::default()
        };
        let merged = SavedRun::merge([alpha, empty]);
        assert_eq!(merged.suite, "alpha+beta");
        assert!(merged.results.iter().all(|r| r.suite == "alpha"));
        assert_eq!(merged.summary.suites["beta"].total(), 0);
        assert_eq!(merged.summary.suites["alpha"].total(), 4);
    }
}
