//! The JSON report (`--json`) and the JSON case list (`--list`).
//!
//! Both are single pretty-printed objects written atomically. Results are in the fixed
//! order (suite, case, then engine) whatever order they finished in, so two runs of the
//! same suite give comparable files.
//!
//! Report: `{"suite", "engines", "interrupted", "results": [CaseResult...], "groups":
//! [{"signature", "engines", "reason", "cases"}], "summary":
//! {"passed", "failed", "flaky", "skipped", "not_run", "xfailed", "xpassed", "errors",
//! "divergent", "total", "duration_ms"}}`. Each result keeps its records as data (the
//! outcome, output digests, mismatches, earlier attempts); nothing is rendered.
//!
//! A merge of several suites (`report merge` of runs of different suites) has the same
//! shape, and more: `suite` is their names joined by `+`, each result starts with its
//! `"suite"`, a group's cases are `suite::case`, and `summary` (counting every suite)
//! has `"suites": {NAME: {the same counts and duration_ms, for that suite}}`. A run of
//! one suite has none of these, so its readers see no change.
//! List: `{"cases": [{"case", "engines", "expectations": {engine: text}}]}`.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::model::sort_results;
use crate::{CaseResult, Event, ReportError, Reporter, Summary};

/// Collects every result and writes them as one JSON object.
#[derive(Debug, Default, Clone)]
pub struct JsonReport {
    run: crate::model::Collected,
}

/// One case as `--list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedCase {
    /// The case's name within its suite.
    pub case: String,
    /// The engines it would run on.
    pub engines: Vec<String>,
    /// Engine name → expectation text for engines where the case is not expected to
    /// pass, e.g. `"wasmer": "xfail: traps on unaligned atomics"`.
    pub expectations: BTreeMap<String, String>,
    /// What the suite kind knows of the case, as extra fields of the entry
    /// (for GHC's testsuite: `name`, `file`, `func`, `skip`, `expect`, …).
    #[serde(flatten, default, skip_serializing_if = "BTreeMap::is_empty")]
    pub info: BTreeMap<String, serde_json::Value>,
}

#[derive(Serialize)]
struct Document<'a> {
    suite: &'a str,
    engines: &'a [String],
    interrupted: bool,
    results: Vec<CaseResult>,
    /// Failures grouped by cause, biggest first.
    groups: Vec<crate::Group>,
    summary: SummaryJson,
}

#[derive(Serialize)]
struct SummaryJson {
    passed: usize,
    failed: usize,
    flaky: usize,
    skipped: usize,
    not_run: usize,
    xfailed: usize,
    xpassed: usize,
    errors: usize,
    divergent: usize,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    odd_one_out: BTreeMap<String, usize>,
    total: usize,
    duration_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    known: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    new: Option<usize>,
    /// Each suite's summary, in a merge of several suites.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    suites: BTreeMap<String, SummaryJson>,
}

impl From<&Summary> for SummaryJson {
    fn from(s: &Summary) -> Self {
        SummaryJson {
            passed: s.passed,
            failed: s.failed,
            flaky: s.flaky,
            skipped: s.skipped,
            not_run: s.not_run,
            xfailed: s.xfailed,
            xpassed: s.xpassed,
            errors: s.errors,
            divergent: s.divergent,
            odd_one_out: s.odd_one_out.clone(),
            total: s.total(),
            duration_ms: s.duration.as_nanos() as f64 / 1e6,
            known: s.baseline.map(|b| b.0),
            new: s.baseline.map(|b| b.1),
            suites: s
                .suites
                .iter()
                .map(|(name, s)| (name.clone(), SummaryJson::from(s)))
                .collect(),
        }
    }
}

#[derive(Serialize)]
struct ListDocument<'a> {
    cases: Vec<&'a ListedCase>,
}

impl JsonReport {
    /// An empty report; feed it events, then [`JsonReport::write`].
    pub fn new() -> Self {
        Self::default()
    }

    /// The report as pretty-printed JSON with a trailing newline.
    ///
    /// Without a `Done` event the summary is counted from the results (duration zero,
    /// not interrupted).
    pub fn render(&self) -> Result<String, serde_json::Error> {
        let mut results = self.run.results.clone();
        sort_results(&mut results);
        let summary = self
            .run
            .summary
            .clone()
            .unwrap_or_else(|| Summary::from_results(&self.run.results, Duration::ZERO));
        let groups = crate::groups::groups(&results);
        let doc = Document {
            suite: &self.run.suite,
            engines: &self.run.engines,
            interrupted: summary.interrupted,
            groups,
            results,
            summary: SummaryJson::from(&summary),
        };
        let mut text = serde_json::to_string_pretty(&doc)?;
        text.push('\n');
        Ok(text)
    }

    /// Writes the report to `path` atomically, creating parent directories.
    pub fn write(&self, path: &Path) -> Result<(), ReportError> {
        let text = self.render().map_err(|source| json_error(path, source))?;
        crate::fs::write_atomic(path, text.as_bytes())
    }

    /// The `--list` document for `cases` (sorted by case name) as pretty-printed JSON.
    pub fn render_list(cases: &[ListedCase]) -> Result<String, serde_json::Error> {
        let mut cases: Vec<&ListedCase> = cases.iter().collect();
        cases.sort_by(|a, b| a.case.cmp(&b.case));
        let mut text = serde_json::to_string_pretty(&ListDocument { cases })?;
        text.push('\n');
        Ok(text)
    }

    /// Writes the `--list` document to `path` atomically.
    pub fn write_list(path: &Path, cases: &[ListedCase]) -> Result<(), ReportError> {
        let text = Self::render_list(cases).map_err(|source| json_error(path, source))?;
        crate::fs::write_atomic(path, text.as_bytes())
    }
}

fn json_error(path: &Path, source: serde_json::Error) -> ReportError {
    ReportError::Json {
        path: path.to_path_buf(),
        source,
    }
}

impl Reporter for JsonReport {
    fn event(&mut self, ev: &Event<'_>) {
        self.run.record(ev);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_data::{feed, sample_results};

    fn report() -> JsonReport {
        let mut r = JsonReport::new();
        feed(&mut r, &sample_results());
        r
    }

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(report().render().unwrap());
    }

    #[test]
    fn parses_back() {
        let text = report().render().unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["suite"], "c-basic");
        let results: Vec<CaseResult> = serde_json::from_value(value["results"].clone()).unwrap();
        let mut expected = sample_results();
        sort_results(&mut expected);
        assert_eq!(results, expected);
        let pass = value["results"]
            .as_array()
            .and_then(|rs| rs.iter().find(|r| r["status"] == "pass"))
            .expect("a passing result");
        assert!(pass["reason"].is_null());
        assert_eq!(value["interrupted"], false);
        let summary = &value["summary"];
        assert_eq!(summary["failed"], 4);
        assert_eq!(
            [&summary["flaky"], &summary["not_run"], &summary["errors"]],
            [1, 1, 1]
        );
        assert_eq!(summary["divergent"], 1);
        assert_eq!(summary["total"], 11);
    }

    #[test]
    fn flaky_result_keeps_status_and_attempts() {
        let text = report().render().unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let flaky = value["results"]
            .as_array()
            .and_then(|rs| rs.iter().find(|r| r["case"] == "stdout/racy"))
            .expect("the flaky result");
        assert_eq!(flaky["status"], "flaky");
        let attempts = flaky["attempts"].as_array().expect("an attempts array");
        assert_eq!(attempts.len(), 1);
        assert_eq!(attempts[0]["status"], "fail");
        assert_eq!(attempts[0]["reason"], "output-mismatch");
        assert_eq!(attempts[0]["mismatches"][0]["actual"], "b\na\n");
    }

    #[test]
    fn interrupted_run_is_marked() {
        let mut r = JsonReport::new();
        let results = sample_results();
        let mut summary = Summary::from_results(&results, Duration::ZERO);
        summary.interrupted = true;
        r.event(&Event::Done(&summary));
        let value: serde_json::Value = serde_json::from_str(&r.render().unwrap()).unwrap();
        assert_eq!(value["interrupted"], true);
    }

    #[test]
    fn summary_without_done_is_counted() {
        let mut r = JsonReport::new();
        for result in sample_results() {
            r.event(&Event::Finished(&result));
        }
        let value: serde_json::Value = serde_json::from_str(&r.render().unwrap()).unwrap();
        assert_eq!(value["summary"]["total"], sample_results().len());
        assert_eq!(value["summary"]["duration_ms"], 0.0);
    }

    #[test]
    fn list_snapshot_and_round_trip() {
        let cases = vec![
            ListedCase {
                info: BTreeMap::new(),
                case: "trap/div0".into(),
                engines: vec!["wasmer".into(), "wasmtime".into()],
                expectations: BTreeMap::from([("wasmer".into(), "xfail: traps differ".into())]),
            },
            ListedCase {
                info: BTreeMap::new(),
                case: "stdout/hello".into(),
                engines: vec!["wasmer".into(), "wasmtime".into()],
                expectations: BTreeMap::new(),
            },
        ];
        let text = JsonReport::render_list(&cases).unwrap();
        insta::assert_snapshot!(text);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let back: Vec<ListedCase> = serde_json::from_value(value["cases"].clone()).unwrap();
        assert_eq!(back, [cases[1].clone(), cases[0].clone()]);
    }

    #[test]
    fn a_merge_of_two_suites_names_each_results_suite_and_counts_each_suite() {
        let mut r = JsonReport::new();
        crate::test_data::two_suites().replay(&mut r);
        let value: serde_json::Value = serde_json::from_str(&r.render().unwrap()).unwrap();
        assert_eq!(value["suite"], "alpha+beta");
        let suites: Vec<&str> = value["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| r["suite"].as_str().expect("each result names its suite"))
            .collect();
        assert_eq!(
            suites,
            ["alpha"; 4]
                .into_iter()
                .chain(["beta"; 4])
                .collect::<Vec<_>>()
        );
        let summary = &value["summary"];
        assert_eq!([&summary["total"], &summary["failed"]], [8, 1]);
        let alpha = &summary["suites"]["alpha"];
        assert_eq!(
            [&alpha["total"], &alpha["failed"], &alpha["divergent"]],
            [4, 1, 1]
        );
        assert_eq!(alpha["duration_ms"], 100.0);
        let beta = &summary["suites"]["beta"];
        assert_eq!(
            [&beta["total"], &beta["skipped"], &beta["divergent"]],
            [4, 1, 0]
        );
        assert!(beta.get("suites").is_none(), "{beta}");
        assert_eq!(
            value["groups"][0]["cases"],
            serde_json::json!(["alpha::only/alpha"])
        );
        let one = report().render().unwrap();
        assert!(
            !one.contains("\"suites\""),
            "a run of one suite has no per-suite parts"
        );
    }

    #[test]
    fn write_and_write_list_create_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reports/run.json");
        report().write(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, report().render().unwrap());
        let list = dir.path().join("list.json");
        JsonReport::write_list(&list, &[]).unwrap();
        assert_eq!(
            std::fs::read_to_string(&list).unwrap(),
            "{\n  \"cases\": []\n}\n"
        );
    }
}
