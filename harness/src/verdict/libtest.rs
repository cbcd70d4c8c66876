//! Reading libtest's own report of a one-test run (`--exact NAME
//! --nocapture`), for cases of the `libtest` kind.
//!
//! Exit status 0 does not mean the test passed: libtest also exits 0 when
//! it ignored the test (`#[ignore]`, or `#[should_panic]` where panics
//! abort) or when no test had that name. And a failing test on
//! wasm32-wasip1 ends in an abort, whose trap says nothing: the panic
//! message on stderr is the reason worth showing.

use xharness_engines::Status as RunStatus;

/// What libtest's report says beyond the exit status.
#[derive(Debug, PartialEq, Eq)]
pub enum Read {
    /// libtest ran the test and it passed: judge as usual.
    Passed,
    /// libtest did not run it, for this reason.
    Ignored(String),
    /// The run ended well but no test of that name ran.
    NotRun(String),
    /// The run failed; this is the panic message, when there is one.
    Failed(Option<String>),
}

/// Read a run of test `test`. libtest's own lines are looked for wherever
/// they are, the last of each kind winning: the test prints what it likes
/// before them, and a flood of output leaves them in the kept tail.
pub fn read(test: &str, status: &RunStatus, stdout: &[u8], stderr: &[u8]) -> Read {
    let out = String::from_utf8_lossy(stdout);
    if !matches!(status, RunStatus::Exited(0)) {
        let err = String::from_utf8_lossy(stderr);
        return Read::Failed(panic_message(&err).or_else(|| panic_message(&out)));
    }
    match result_word(test, &out) {
        Some(word) if word.starts_with("ok") => return Read::Passed,
        Some(word) if word.starts_with("ignored") => {
            return Read::Ignored(ignore_reason(test, &out));
        }
        Some(word) if word.starts_with("FAILED") => {
            let err = String::from_utf8_lossy(stderr);
            return Read::Failed(panic_message(&err).or_else(|| panic_message(&out)));
        }
        _ => {}
    }
    let Some((passed, ignored)) = summary(&out) else {
        return Read::NotRun(format!(
            "exited 0 without libtest's summary line for test `{test}`: the binary does not look like a libtest test binary"
        ));
    };
    if passed >= 1 {
        return Read::Passed;
    }
    if ignored >= 1 {
        return Read::Ignored(ignore_reason(test, &out));
    }
    Read::NotRun(format!(
        "libtest ran no test named `{test}`: the binary changed since it was listed, or the name is not exact; run again to list it anew"
    ))
}

/// What follows `test NAME ... ` on libtest's last result line for the
/// test (`ok`, `FAILED`, `ignored, why`). Under `--nocapture` the test's
/// own output may stand before it on the same line.
fn result_word<'a>(test: &str, out: &'a str) -> Option<&'a str> {
    let exact = format!("test {test} ... ");
    let should_panic = format!("test {test} - should panic ... ");
    out.lines().rev().find_map(|l| {
        [&exact, &should_panic]
            .into_iter()
            .find_map(|p| l.rfind(p.as_str()).map(|i| &l[i + p.len()..]))
    })
}

/// `(passed, ignored)` from `test result: ok. 1 passed; 0 failed; 0 ignored; …`.
fn summary(out: &str) -> Option<(u64, u64)> {
    let line = out.lines().rev().find(|l| l.starts_with("test result: "))?;
    let count = |what: &str| {
        line.split(';').find_map(|part| {
            part.trim()
                .strip_suffix(what)?
                .split_whitespace()
                .last()?
                .parse()
                .ok()
        })
    };
    Some((count(" passed")?, count(" ignored")?))
}

fn ignore_reason(test: &str, out: &str) -> String {
    let prefix = format!("test {test}");
    let line = out
        .lines()
        .rev()
        .find_map(|l| l.rfind(&prefix).map(|i| &l[i..]))
        .unwrap_or("");
    if line.contains(" - should panic ") {
        return "#[should_panic]: libtest does not run it where panics abort the instance (panic=abort, as on wasm32-wasip1)".into();
    }
    match line.split_once("... ignored, ") {
        Some((_, why)) if !why.trim().is_empty() => format!("#[ignore]: {}", why.trim()),
        _ => "#[ignore]".into(),
    }
}

/// The last panic message in `text`: from its `thread '…' panicked at`
/// line up to the `note:` libtest adds, at most 20 lines.
fn panic_message(text: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .rposition(|l| l.contains("panicked at ") && l.contains("thread '"))
        .or_else(|| lines.iter().rposition(|l| l.contains("panicked at ")))?;
    let rest = lines[at + 1..]
        .iter()
        .take_while(|l| !l.starts_with("note: "))
        .take(19);
    let mut message = lines[at].to_owned();
    for l in rest {
        message.push('\n');
        message.push_str(l);
    }
    Some(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSED: &str = "\nrunning 1 test\ntest tests::adds ... ok\n\ntest result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 6 filtered out; finished in 0.00s\n\n";

    #[test]
    fn a_passed_test_passes() {
        assert_eq!(
            read("tests::adds", &RunStatus::Exited(0), PASSED.as_bytes(), b""),
            Read::Passed
        );
    }

    #[test]
    fn ignored_and_should_panic_tests_are_skips_with_the_reason() {
        let ignored = "running 1 test\ntest tests::slow ... ignored, too slow\n\ntest result: ok. 0 passed; 0 failed; 1 ignored; 0 measured; 6 filtered out; finished in 0.00s\n";
        assert_eq!(
            read(
                "tests::slow",
                &RunStatus::Exited(0),
                ignored.as_bytes(),
                b""
            ),
            Read::Ignored("#[ignore]: too slow".into())
        );
        let panics = "running 1 test\ntest tests::p - should panic ... ignored\n\ntest result: ok. 0 passed; 0 failed; 1 ignored; 0 measured; 6 filtered out; finished in 0.00s\n";
        let Read::Ignored(why) = read("tests::p", &RunStatus::Exited(0), panics.as_bytes(), b"")
        else {
            panic!("a should_panic test libtest ignored is a skip");
        };
        assert!(why.starts_with("#[should_panic]"), "{why}");
    }

    #[test]
    fn no_test_of_that_name_is_a_failure() {
        let none = "running 0 tests\n\ntest result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 7 filtered out; finished in 0.00s\n";
        assert!(matches!(
            read("gone", &RunStatus::Exited(0), none.as_bytes(), b""),
            Read::NotRun(_)
        ));
        assert!(matches!(
            read("x", &RunStatus::Exited(0), b"hello\n", b""),
            Read::NotRun(_)
        ));
    }

    #[test]
    fn an_abort_carries_the_panic_message() {
        let stderr = "to stderr\nthread 'main' (1) panicked at src/lib.rs:31:9:\nassertion `left == right` failed: two and two\n  left: 4\n right: 5\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n";
        let status = RunStatus::Exited(134);
        let Read::Failed(Some(message)) =
            read("t", &status, b"running 1 test\n", stderr.as_bytes())
        else {
            panic!("a failed run with a panic message");
        };
        assert!(
            message.starts_with("thread 'main' (1) panicked at src/lib.rs:31:9:"),
            "{message}"
        );
        assert!(message.ends_with(" right: 5"), "{message}");
        assert_eq!(
            read("t", &status, b"", b"no panic here"),
            Read::Failed(None)
        );
    }

    #[test]
    fn libtest_lines_are_found_after_a_flood_and_a_marker() {
        let marker = "[xharness: 900 bytes dropped here (bytes 100..1000 of 1200): the output passed max_output, so only its first and last parts are kept]\n";
        let out = format!(
            "running 1 test\n{}\n{marker}{}\ntest big ... ok\n\ntest result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 3 filtered out; finished in 1.20s\n",
            "x".repeat(100),
            "y".repeat(100)
        );
        assert_eq!(
            read("big", &RunStatus::Exited(0), out.as_bytes(), b""),
            Read::Passed
        );
        // The result line alone is enough, and it may follow output on one line.
        let no_summary = "lots of outputtest big ... ok\n";
        assert_eq!(
            read("big", &RunStatus::Exited(0), no_summary.as_bytes(), b""),
            Read::Passed
        );
    }

    #[test]
    fn the_last_panic_is_the_message() {
        let stderr = "thread 'main' panicked at src/a.rs:1:1:\ncaught earlier\nnote: x\nlog\nthread 'main' (1) panicked at src/b.rs:2:2:\nthe real one\nnote: run with `RUST_BACKTRACE=1`\n";
        let Read::Failed(Some(m)) = read("t", &RunStatus::Exited(134), b"", stderr.as_bytes())
        else {
            panic!("a failed run with a panic message");
        };
        assert_eq!(
            m,
            "thread 'main' (1) panicked at src/b.rs:2:2:\nthe real one"
        );
    }
}
