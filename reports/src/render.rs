//! Text for the records in a result: the detail and each mismatch as a unified diff.
//!
//! The console and the JUnit report both show a failure this way, so the text is built
//! here once. Diffs come from [`xharness_golden::render_diff`], so they look the same
//! as everywhere else users meet them; colour is the caller's choice.

use std::fmt::Write as _;
use std::path::PathBuf;

use xharness_golden::{Mismatch, Stream, render_diff};

use crate::model::MismatchRecord;

/// `detail` (ending in a newline unless empty), then the diff of each mismatch.
pub fn failure_text(detail: &str, mismatches: &[MismatchRecord], color: bool) -> String {
    let mut text = detail.to_string();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    for m in mismatches {
        text.push_str(&mismatch_diff(m, color));
    }
    text
}

/// The repro lines under a failure: `repro: LINE`, then `repro (cli): LINE`
/// or why there is none.
pub fn repro_text(r: &crate::model::Repro) -> String {
    let mut text = format!("repro: {}\n", r.xharness);
    match (&r.cli, &r.cli_missing) {
        (Some(cli), _) => {
            let _ = writeln!(text, "repro (cli): {cli}");
        }
        (None, Some(why)) => {
            let _ = writeln!(text, "repro (cli): none: {why}");
        }
        (None, None) => {}
    }
    text
}

/// A unified diff from the golden to the actual output, then a note when the actual
/// output was cut at the cap (a cut output is never blessed).
pub fn mismatch_diff(m: &MismatchRecord, color: bool) -> String {
    let mut text = render_diff(&to_mismatch(m), color);
    if m.truncated {
        let _ = writeln!(
            text,
            "note: the actual {} was truncated at the output cap, so it was not blessed",
            m.stream
        );
    }
    text
}

/// The golden crate's form of a record. `actual_raw` is not shown by a diff, so the
/// normalised text stands in for it.
fn to_mismatch(m: &MismatchRecord) -> Mismatch {
    let stream = match m.stream.as_str() {
        "stderr" => Stream::Stderr,
        _ => Stream::Stdout,
    };
    Mismatch {
        stream,
        golden: PathBuf::from(&m.golden),
        expected: m.expected.clone().into_bytes(),
        actual: m.actual.clone().into_bytes(),
        actual_raw: m.actual.clone().into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(truncated: bool) -> MismatchRecord {
        MismatchRecord {
            stream: "stderr".into(),
            golden: "tests/big.stderr".into(),
            expected: "a\n".into(),
            actual: "b\n".into(),
            truncated,
        }
    }

    #[test]
    fn detail_then_diffs() {
        let text = failure_text("exit code 1", &[record(false)], false);
        assert_eq!(
            text,
            "exit code 1\n--- tests/big.stderr (expected)\n+++ actual stderr\n@@ -1,1 +1,1 @@\n-a\n+b\n"
        );
    }

    #[test]
    fn truncated_mismatch_says_so() {
        let text = mismatch_diff(&record(true), false);
        assert!(
            text.ends_with(
                "+b\nnote: the actual stderr was truncated at the output cap, so it was not blessed\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn colour_only_when_asked() {
        assert!(!failure_text("", &[record(false)], false).contains('\x1b'));
        assert!(failure_text("", &[record(false)], true).contains("\x1b["));
    }
}
