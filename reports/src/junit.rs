//! The JUnit XML report, for CI systems that display test results.
//!
//! The XML is written by `quick-junit` (nextest's JUnit model), which also keeps the
//! counts in the `<testsuite>` attributes. One `<testsuite>` (inside a `<testsuites>`
//! root) for the suite (one per suite in a merge of several), one `<testcase>` per
//! case × engine with `classname="suite.engine"` and `name="case"`:
//!
//! - `Pass` is a success; `Flaky` is a success with one `<flakyFailure>` (or
//!   `<flakyError>`, for a crashed attempt) per earlier attempt;
//! - `Fail` and `XPass` carry a `<failure>` whose body is the detail followed by plain
//!   diffs of the mismatches; `Error` carries an `<error>` the same way;
//! - `Skip`, `XFail` and `NotRun` carry a `<skipped>`, since CI should neither count
//!   them as passes nor fail on them.
//!
//! quick-junit drops characters XML 1.0 forbids, and tabs with them; here control
//! characters are first made visible as `\xNN` (as the diffs show them) and tabs become
//! spaces, so nothing vanishes from a report without a trace.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestRerun, TestSuite};

use crate::model::{Attempt, sort_results};
use crate::render::failure_text;
use crate::{CaseResult, Event, ReportError, Reporter, Status, Summary};

/// Collects every result and writes them as JUnit XML.
#[derive(Debug, Default, Clone)]
pub struct JunitReport {
    suite: String,
    results: Vec<CaseResult>,
    summary: Option<Summary>,
}

impl JunitReport {
    /// An empty report; feed it events, then [`JunitReport::write`].
    pub fn new() -> Self {
        Self::default()
    }

    /// The report as an XML document: one `<testsuite>` for the run's suite, or one per
    /// suite (by name) when the records name theirs.
    ///
    /// The time is the `Done` summary's duration (a suite's own, in a run of several),
    /// or the sum of the cases' durations without one.
    pub fn render(&self) -> Result<String, quick_junit::SerializeError> {
        let mut results = self.results.clone();
        sort_results(&mut results);
        let time = self
            .summary
            .as_ref()
            .map(|s| s.duration)
            .unwrap_or_else(|| results.iter().map(|r| millis(r.duration_ms)).sum());
        let mut report = Report::new("xharness");
        report.set_time(time);
        if results.iter().all(|r| r.suite.is_empty()) {
            report.add_test_suite(self.test_suite(&self.suite, &results, time));
            return report.to_string();
        }
        for (name, rs) in by_suite(&results) {
            let time = self
                .summary
                .as_ref()
                .and_then(|s| s.suites.get(name))
                .map(|s| s.duration)
                .unwrap_or_else(|| rs.iter().map(|r| millis(r.duration_ms)).sum());
            let name = if name.is_empty() { &self.suite } else { name };
            report.add_test_suite(self.test_suite(name, rs, time));
        }
        report.to_string()
    }

    /// The `<testsuite>` called `name` holding `results`.
    fn test_suite(&self, name: &str, results: &[CaseResult], time: Duration) -> TestSuite {
        let mut suite = TestSuite::new(name);
        suite.set_time(time);
        suite.add_test_cases(results.iter().map(|r| self.test_case(r)));
        suite
    }

    /// Writes the report to `path` atomically, creating parent directories.
    pub fn write(&self, path: &Path) -> Result<(), ReportError> {
        let text = self.render().map_err(|source| ReportError::Junit {
            path: path.to_path_buf(),
            source,
        })?;
        crate::fs::write_atomic(path, text.as_bytes())
    }

    fn test_case(&self, r: &CaseResult) -> TestCase {
        let suite = if r.suite.is_empty() {
            &self.suite
        } else {
            &r.suite
        };
        let mut case = TestCase::new(visible(&r.case), status(r));
        case.set_classname(visible(&format!("{suite}.{}", r.engine)))
            .set_time(millis(r.duration_ms));
        if let Some(repro) = &r.repro {
            let mut out = crate::render::repro_text(repro);
            if let Some(sig) = &r.signature {
                out.push_str(&format!("signature: {sig}\n"));
            }
            case.set_system_out(visible(out.trim_end()));
        }
        case
    }
}

/// Sorted `results` split into runs of one suite each, with the suite's name (a record
/// that names none is the run's: `""` here, first).
fn by_suite(results: &[CaseResult]) -> Vec<(&str, &[CaseResult])> {
    results
        .chunk_by(|a, b| a.suite == b.suite)
        .map(|rs| (rs[0].suite.as_str(), rs))
        .collect()
}

/// The testcase status of `r`, by the mapping in the module doc.
fn status(r: &CaseResult) -> TestCaseStatus {
    match r.status {
        Status::Pass => TestCaseStatus::success(),
        Status::Flaky => {
            let mut status = TestCaseStatus::success();
            status.add_reruns(r.attempts.iter().map(flaky_run));
            status
        }
        Status::Fail | Status::XPass => non_success(r, NonSuccessKind::Failure),
        Status::Error => non_success(r, NonSuccessKind::Error),
        Status::Skip | Status::XFail | Status::NotRun => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(visible(&skip_message(r)));
            status
        }
    }
}

/// A `<failure>` or `<error>`: type and message the reason (`xpass` for an unexpected
/// pass), body the detail and plain diffs.
fn non_success(r: &CaseResult, kind: NonSuccessKind) -> TestCaseStatus {
    let fallback = match r.status {
        Status::XPass => "xpass",
        Status::Error => "error",
        _ => "fail",
    };
    let message = r.reason.map_or(fallback, |reason| reason.as_str());
    let mut body = String::new();
    if r.status == Status::XPass {
        let expected = r.expectation.as_deref().unwrap_or("expected to fail");
        let _ = writeln!(body, "unexpected pass; the expectation was: {expected}");
    }
    body.push_str(&failure_text(&r.detail, &r.mismatches, false));
    let mut status = TestCaseStatus::non_success(kind);
    status.set_message(message).set_type(message);
    if let Some(body) = description(&body) {
        status.set_description(body);
    }
    status
}

/// One earlier attempt of a flaky result: a `<flakyFailure>`, or a `<flakyError>` when
/// its worker died.
fn flaky_run(a: &Attempt) -> TestRerun {
    let kind = match a.status {
        Status::Error => NonSuccessKind::Error,
        _ => NonSuccessKind::Failure,
    };
    let mut run = TestRerun::new(kind);
    let message = a.reason.map_or("fail", |reason| reason.as_str());
    run.set_message(message)
        .set_type(message)
        .set_time(millis(a.duration_ms));
    let body = failure_text(&a.detail, &a.mismatches, false);
    if let Some(body) = description(&body) {
        run.set_description(body);
    }
    run
}

/// An element's body: `text` made visible, without the final newline (the closing tag
/// follows on the same line); `None` when there is nothing to say.
fn description(text: &str) -> Option<String> {
    let text = text.trim_end_matches('\n');
    (!text.is_empty()).then(|| visible(text))
}

/// The `<skipped>` message: the expectation text, with the failure reason for `XFail`;
/// `not run` for a case that never started.
fn skip_message(r: &CaseResult) -> String {
    let expectation = r.expectation.as_deref();
    match (r.status, r.reason, expectation) {
        (Status::NotRun, _, _) => "not run".to_string(),
        (Status::XFail, Some(reason), Some(e)) => format!("expected failure ({reason}): {e}"),
        (Status::XFail, Some(reason), None) => format!("expected failure ({reason})"),
        (Status::XFail, None, Some(e)) => format!("expected failure: {e}"),
        (Status::XFail, None, None) => "expected failure".to_string(),
        (_, _, Some(e)) => e.to_string(),
        (_, _, None) => "skipped".to_string(),
    }
}

/// A duration in milliseconds as a [`Duration`]; zero if negative or not a number.
fn millis(ms: f64) -> Duration {
    Duration::try_from_secs_f64(ms / 1000.0).unwrap_or_default()
}

/// `s` with what quick-junit would silently drop made visible: control characters other
/// than newline and carriage return as `\xNN`, U+FFFE and U+FFFF as `\u{FFFE}`, and
/// tabs as four spaces.
fn visible(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' => out.push(c),
            '\t' => out.push_str("    "),
            c if c.is_ascii_control() => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            '\u{FFFE}' | '\u{FFFF}' => {
                let _ = write!(out, "\\u{{{:X}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

impl Reporter for JunitReport {
    fn event(&mut self, ev: &Event<'_>) {
        match ev {
            Event::Started { suite, .. } => self.suite = suite.to_string(),
            Event::Finished(result) => self.results.push((*result).clone()),
            Event::Done(summary) => self.summary = Some((*summary).clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Reason;
    use crate::model::MismatchRecord;
    use crate::test_data::{feed, sample_results};

    fn parse(xml: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(xml).expect("well-formed XML")
    }

    fn testcase<'a>(
        doc: &'a roxmltree::Document<'a>,
        name: &str,
        engine: &str,
    ) -> roxmltree::Node<'a, 'a> {
        let classname = format!("c-basic.{engine}");
        doc.descendants()
            .find(|n| {
                n.has_tag_name("testcase")
                    && n.attribute("name") == Some(name)
                    && n.attribute("classname") == Some(classname.as_str())
            })
            .unwrap_or_else(|| panic!("testcase {name} on {engine}"))
    }

    fn sample_xml() -> String {
        let mut r = JunitReport::new();
        feed(&mut r, &sample_results());
        r.render().unwrap()
    }

    #[test]
    fn snapshot() {
        let xml = sample_xml();
        insta::assert_snapshot!(xml);
        let doc = parse(&xml);
        let suite = doc
            .descendants()
            .find(|n| n.has_tag_name("testsuite"))
            .unwrap();
        assert_eq!(suite.attribute("failures"), Some("3"));
        assert_eq!(suite.attribute("errors"), Some("1"));
        assert_eq!(suite.attribute("disabled"), Some("3"));
        assert_eq!(
            suite
                .children()
                .filter(|n| n.has_tag_name("testcase"))
                .count(),
            sample_results().len()
        );
    }

    #[test]
    fn failure_body_has_detail_and_plain_diff() {
        let xml = sample_xml();
        let doc = parse(&xml);
        let failure = testcase(&doc, "stdout/multi", "wasmer")
            .first_element_child()
            .unwrap();
        assert!(failure.has_tag_name("failure"));
        assert_eq!(failure.attribute("type"), Some("output-mismatch"));
        let body = failure.text().unwrap();
        assert!(body.ends_with("\n-two\n+TWO"), "{body}");
        assert!(!xml.contains("\\x1b"), "{xml}");
        let error = testcase(&doc, "mem/huge", "wasmer")
            .first_element_child()
            .unwrap();
        assert!(error.has_tag_name("error"));
        assert_eq!(error.attribute("message"), Some("worker-crash"));
    }

    #[test]
    fn flaky_is_a_success_with_a_flaky_failure_per_attempt() {
        let xml = sample_xml();
        let doc = parse(&xml);
        let case = testcase(&doc, "stdout/racy", "wasmtime");
        let children: Vec<_> = case.children().filter(|n| n.is_element()).collect();
        assert_eq!(children.len(), 1);
        assert!(children[0].has_tag_name("flakyFailure"));
        assert_eq!(children[0].attribute("message"), Some("output-mismatch"));
        assert!(children[0].text().unwrap().ends_with("\n+b\n a\n-b"));
    }

    #[test]
    fn not_run_is_skipped() {
        let xml = sample_xml();
        let doc = parse(&xml);
        let skipped = testcase(&doc, "zz/later", "wasmer")
            .first_element_child()
            .unwrap();
        assert!(skipped.has_tag_name("skipped"));
        assert_eq!(skipped.attribute("message"), Some("not run"));
    }

    #[test]
    fn nasty_detail_is_escaped() {
        let mut r = JunitReport::new();
        let mut nasty = CaseResult::new("x<y>&\"z\"", "wasm'time", Status::Fail);
        nasty.reason = Some(Reason::OutputMismatch);
        nasty.duration_ms = 1.0;
        nasty.detail =
            "-<a href=\"x\">&amp;</a>\n+]]> \0 \x1b[31mred\x1b[0m \u{7} \t|\r\n\u{FFFF} ok é\n"
                .into();
        nasty.mismatches = vec![MismatchRecord {
            stream: "stdout".into(),
            golden: "tests/<&>.stdout".into(),
            expected: "a ]]> b\n".into(),
            actual: "a \0 \"b\"\n".into(),
            truncated: true,
        }];
        feed(&mut r, &[nasty]);
        let xml = r.render().unwrap();
        insta::assert_snapshot!(xml);
        assert!(
            !xml.chars()
                .any(|c| (c as u32) < 0x20 && !matches!(c, '\n' | '\t'))
        );
        assert!(!xml.contains('\u{FFFF}'));
        let doc = parse(&xml);
        let case = doc
            .descendants()
            .find(|n| n.has_tag_name("testcase"))
            .unwrap();
        assert_eq!(case.attribute("name"), Some("x<y>&\"z\""));
        assert_eq!(case.attribute("classname"), Some("c-basic.wasm'time"));
        let body = case.first_element_child().unwrap().text().unwrap();
        assert!(
            body.starts_with("-<a href=\"x\">&amp;</a>\n+]]> \\x00 \\x1b[31mred\\x1b[0m \\x07     |\n\\u{FFFF} ok é\n"),
            "{body}"
        );
        assert!(body.contains("--- tests/<&>.stdout (expected)\n"), "{body}");
        assert!(body.contains("\n+a \\x00 \"b\"\n"), "{body}");
        assert!(body.ends_with("so it was not blessed"), "{body}");
    }

    #[test]
    fn a_merge_of_two_suites_has_a_testsuite_each() {
        let mut r = JunitReport::new();
        crate::test_data::two_suites().replay(&mut r);
        let xml = r.render().unwrap();
        insta::assert_snapshot!(xml);
        let doc = parse(&xml);
        let suites: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("testsuite"))
            .map(|n| {
                let classes: Vec<&str> = n
                    .children()
                    .filter_map(|c| c.attribute("classname"))
                    .collect();
                (
                    n.attribute("name").unwrap_or_default(),
                    n.attribute("tests").unwrap_or_default(),
                    n.attribute("failures").unwrap_or_default(),
                    n.attribute("time").unwrap_or_default(),
                    classes,
                )
            })
            .collect();
        let classes = |suite: &str| {
            ["wasmer", "wasmtime", "wasmer", "wasmtime"].map(|e| format!("{suite}.{e}"))
        };
        assert_eq!(suites.len(), 2, "{xml}");
        assert_eq!(
            (suites[0].0, suites[0].1, suites[0].2, suites[0].3),
            ("alpha", "4", "1", "0.100")
        );
        assert_eq!(suites[0].4, classes("alpha"));
        assert_eq!(
            (suites[1].0, suites[1].1, suites[1].2, suites[1].3),
            ("beta", "4", "0", "0.050")
        );
        assert_eq!(suites[1].4, classes("beta"));
    }

    #[test]
    fn visible_keeps_newlines_and_marks_the_rest() {
        assert_eq!(visible("a\tb\r\nc\x7f"), "a    b\r\nc\\x7f");
        assert_eq!(visible("\u{FFFE}é"), "\\u{FFFE}é");
    }

    #[test]
    fn bad_durations_become_zero() {
        assert_eq!(millis(-1.0), Duration::ZERO);
        assert_eq!(millis(f64::NAN), Duration::ZERO);
        assert_eq!(millis(1500.0), Duration::from_millis(1500));
    }

    #[test]
    fn write_creates_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("junit.xml");
        let r = JunitReport::new();
        r.write(&path).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), r.render().unwrap());
    }
}
