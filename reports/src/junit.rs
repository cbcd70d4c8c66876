//! The JUnit XML report, for CI systems that display test results.
//!
//! One `<testsuite>` (inside a `<testsuites>` root) for the suite, one `<testcase>` per
//! case × engine with `classname="suite.engine"` and `name="case"`. `Fail` and `XPass`
//! carry a `<failure>` whose body is the detail (the diff); `Skip` and `XFail` carry a
//! `<skipped>`, since CI should neither count them as passes nor fail on them. Text is
//! escaped by the private `xml` module, which also replaces characters XML 1.0 forbids.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use crate::model::sort_results;
use crate::xml::{escape_attr, escape_text};
use crate::{CaseResult, Event, ReportError, Reporter, Status, Summary};

/// Collects every result and writes them as JUnit XML.
#[derive(Debug, Default, Clone)]
pub struct JunitReport {
    suite: String,
    results: Vec<CaseResult>,
    duration: Option<Duration>,
}

impl JunitReport {
    /// An empty report; feed it events, then [`JunitReport::write`].
    pub fn new() -> Self {
        Self::default()
    }

    /// The report as an XML document.
    ///
    /// Counts come from the results themselves; the time is the `Done` summary's
    /// duration, or the sum of the cases' durations without one.
    pub fn render(&self) -> String {
        let mut results = self.results.clone();
        sort_results(&mut results);
        let counts = Summary::from_results(&results, Duration::ZERO);
        let secs = match self.duration {
            Some(d) => d.as_secs_f64(),
            None => results.iter().map(|r| r.duration_ms).sum::<f64>() / 1000.0,
        };
        let totals = format!(
            r#"tests="{}" failures="{}" errors="0" skipped="{}" time="{secs:.3}""#,
            results.len(),
            counts.failed,
            counts.skipped + counts.xfailed,
        );
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(out, r#"<testsuites name="xharness" {totals}>"#);
        let _ = writeln!(
            out,
            r#"  <testsuite name="{}" {totals}>"#,
            escape_attr(&self.suite)
        );
        for r in &results {
            self.push_case(&mut out, r);
        }
        out.push_str("  </testsuite>\n</testsuites>\n");
        out
    }

    /// Writes the report to `path` atomically, creating parent directories.
    pub fn write(&self, path: &Path) -> Result<(), ReportError> {
        crate::fs::write_atomic(path, self.render().as_bytes())
    }

    fn push_case(&self, out: &mut String, r: &CaseResult) {
        let _ = write!(
            out,
            r#"    <testcase classname="{}" name="{}" time="{:.3}""#,
            escape_attr(&format!("{}.{}", self.suite, r.engine)),
            escape_attr(&r.case),
            r.duration_ms / 1000.0,
        );
        match r.status {
            Status::Pass => out.push_str("/>\n"),
            Status::Fail | Status::XPass => {
                let (message, body) = failure(r);
                let _ = writeln!(
                    out,
                    ">\n      <failure message=\"{m}\" type=\"{m}\">{}</failure>\n    </testcase>",
                    escape_text(&body),
                    m = escape_attr(&message),
                );
            }
            Status::Skip | Status::XFail => {
                let _ = writeln!(
                    out,
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                    escape_attr(&skip_message(r)),
                );
            }
        }
    }
}

/// The `<failure>` message (the reason) and body (the detail) of a `Fail` or `XPass`.
fn failure(r: &CaseResult) -> (String, String) {
    if r.status == Status::XPass {
        let expected = r.expectation.as_deref().unwrap_or("expected to fail");
        let mut body = format!("unexpected pass; the expectation was: {expected}");
        if !r.detail.is_empty() {
            body.push('\n');
            body.push_str(&r.detail);
        }
        return ("xpass".to_string(), body);
    }
    let message = r
        .reason
        .map_or("fail", |reason| reason.as_str())
        .to_string();
    (message, r.detail.clone())
}

/// The `<skipped>` message: the expectation text, with the failure reason for `XFail`.
fn skip_message(r: &CaseResult) -> String {
    let expectation = r.expectation.as_deref();
    match (r.status, r.reason, expectation) {
        (Status::XFail, Some(reason), Some(e)) => format!("expected failure ({reason}): {e}"),
        (Status::XFail, Some(reason), None) => format!("expected failure ({reason})"),
        (Status::XFail, None, Some(e)) => format!("expected failure: {e}"),
        (Status::XFail, None, None) => "expected failure".to_string(),
        (_, _, Some(e)) => e.to_string(),
        (_, _, None) => "skipped".to_string(),
    }
}

impl Reporter for JunitReport {
    fn event(&mut self, ev: &Event<'_>) {
        match ev {
            Event::Started { suite, .. } => self.suite = suite.to_string(),
            Event::Finished(result) => self.results.push(crate::model::without_ansi(result)),
            Event::Done(summary) => self.duration = Some(summary.duration),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Reason;
    use crate::test_data::{feed, sample_results};

    #[test]
    fn snapshot() {
        let mut r = JunitReport::new();
        feed(&mut r, &sample_results());
        let xml = r.render();
        insta::assert_snapshot!(xml);
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        let suite = doc
            .descendants()
            .find(|n| n.has_tag_name("testsuite"))
            .unwrap();
        assert_eq!(suite.attribute("failures"), Some("3"));
        assert_eq!(
            suite
                .children()
                .filter(|n| n.has_tag_name("testcase"))
                .count(),
            8
        );
    }

    #[test]
    fn nasty_detail_is_escaped() {
        let mut r = JunitReport::new();
        let nasty = CaseResult {
            case: "x<y>&\"z\"".into(),
            engine: "wasm'time".into(),
            status: Status::Fail,
            reason: Some(Reason::OutputMismatch),
            exit_code: Some(0),
            duration_ms: 1.0,
            detail:
                "-<a href=\"x\">&amp;</a>\n+]]> \0 \x1b[31mred\x1b[0m \u{7} \r\n\u{FFFF} ok é\n"
                    .into(),
            expectation: None,
        };
        feed(&mut r, &[nasty]);
        let xml = r.render();
        insta::assert_snapshot!(xml);
        assert!(
            !xml.chars()
                .any(|c| (c as u32) < 0x20 && !matches!(c, '\n' | '\t'))
        );
        assert!(!xml.contains('\u{FFFF}'));
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        let case = doc
            .descendants()
            .find(|n| n.has_tag_name("testcase"))
            .unwrap();
        assert_eq!(case.attribute("name"), Some("x<y>&\"z\""));
        let failure = case.first_element_child().unwrap();
        assert!(
            failure
                .text()
                .unwrap()
                .starts_with("-<a href=\"x\">&amp;</a>\n+]]> \\x00")
        );
    }

    #[test]
    fn write_creates_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("junit.xml");
        let r = JunitReport::new();
        r.write(&path).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), r.render());
    }
}
