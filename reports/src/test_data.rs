//! Shared test fixtures: a mix of results in completion order and a capturing writer.

use std::io::{self, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::model::{Attempt, MismatchRecord, OutcomeKind, OutcomeRecord, OutputRecord};
use crate::{CaseResult, Event, Reason, Reporter, Status, Summary};

fn result(case: &str, engine: &str, status: Status, ms: f64) -> CaseResult {
    let mut r = CaseResult::new(case, engine, status);
    r.exit_code = Some(0);
    r.duration_ms = ms;
    r
}

fn exited(code: i32) -> Option<OutcomeRecord> {
    Some(OutcomeRecord {
        kind: OutcomeKind::Exited,
        exit_code: Some(code),
        message: None,
    })
}

fn mismatch(case: &str, expected: &str, actual: &str) -> MismatchRecord {
    MismatchRecord {
        stream: "stdout".into(),
        golden: format!("tests/{case}.stdout"),
        expected: expected.into(),
        actual: actual.into(),
        truncated: false,
    }
}

/// A failed output comparison, kept as records (not a rendered diff).
fn output_mismatch() -> CaseResult {
    let mut r = result("stdout/multi", "wasmer", Status::Fail, 4.0);
    r.reason = Some(Reason::OutputMismatch);
    r.outcome = exited(0);
    r.stdout = Some(OutputRecord {
        digest: "ff4bebae5b918eeae9ad25e99951e0690c77d3a8764edf8f805c31f32d904753".into(),
        bytes: 8,
        truncated: false,
        dropped: None,
        text: Some("one\nTWO\n".into()),
    });
    r.mismatches = vec![mismatch("stdout/multi", "one\ntwo\n", "one\nTWO\n")];
    r
}

/// Failed once on an output mismatch, then passed.
fn flaky() -> CaseResult {
    let mut r = result("stdout/racy", "wasmtime", Status::Flaky, 2.0);
    r.outcome = exited(0);
    r.attempts = vec![Attempt {
        status: Status::Fail,
        reason: Some(Reason::OutputMismatch),
        duration_ms: 1.5,
        detail: String::new(),
        mismatches: vec![mismatch("stdout/racy", "a\nb\n", "b\na\n")],
    }];
    r
}

/// The worker process died under the engine.
fn worker_crash() -> CaseResult {
    let message = "worker process died: killed by signal 9 (SIGKILL)";
    let mut r = result("mem/huge", "wasmer", Status::Error, 310.0);
    r.reason = Some(Reason::WorkerCrash);
    r.exit_code = None;
    r.outcome = Some(OutcomeRecord {
        kind: OutcomeKind::Crashed,
        exit_code: None,
        message: Some(message.into()),
    });
    r.detail = message.into();
    r
}

/// One of each status, in a scrambled completion order.
pub(crate) fn sample_results() -> Vec<CaseResult> {
    let mut exit = result("exit/42", "wasmtime", Status::Fail, 1250.5);
    exit.reason = Some(Reason::ExitCode);
    exit.exit_code = Some(1);
    exit.outcome = exited(1);
    exit.detail = "expected exit code 42, got 1".into();
    let mut div0 = result("trap/div0", "wasmer", Status::XFail, 1.25);
    div0.reason = Some(Reason::Trap);
    div0.exit_code = None;
    div0.detail = "wasm trap: integer divide by zero\n".into();
    div0.expectation = Some("wasmer reports traps differently".into());
    div0.divergent = true;
    let mut div0_ok = result("trap/div0", "wasmtime", Status::Pass, 0.8);
    div0_ok.divergent = true;
    let mut fixed = result("known/fixed", "wasmtime", Status::XPass, 0.5);
    fixed.expectation = Some("issue #12".into());
    let mut threads = result("threads/spawn", "wasmer", Status::Skip, 0.0);
    threads.exit_code = None;
    threads.expectation = Some("needs threads".into());
    let mut later = result("zz/later", "wasmer", Status::NotRun, 0.0);
    later.exit_code = None;
    vec![
        result("stdout/hello", "wasmtime", Status::Pass, 3.1),
        output_mismatch(),
        div0,
        result("stdout/hello", "wasmer", Status::Pass, 2.75),
        flaky(),
        exit,
        threads,
        worker_crash(),
        fixed,
        div0_ok,
        later,
    ]
}

/// A run of `suite` on wasmer and wasmtime that took `millis`.
fn saved_run(suite: &str, results: Vec<CaseResult>, millis: u64) -> crate::SavedRun {
    crate::SavedRun {
        suite: suite.into(),
        engines: vec!["wasmer".into(), "wasmtime".into()],
        summary: Summary::from_results(&results, Duration::from_millis(millis)),
        results,
    }
}

/// `case` ran to exit `code` on `engine` and printed what `stdout` digests to.
fn ran(case: &str, engine: &str, status: Status, code: i32, stdout: &str) -> CaseResult {
    let mut r = result(case, engine, status, 2.5);
    r.exit_code = Some(code);
    r.outcome = exited(code);
    r.stdout = Some(OutputRecord {
        digest: stdout.repeat(64),
        bytes: 6,
        truncated: false,
        dropped: None,
        text: None,
    });
    r
}

/// Runs of two suites that share the case name `hello`, which prints one thing in
/// `alpha` and another in `beta` (so it would diverge if they were compared).
/// `alpha` (100 ms): `hello` passes on both engines, `only/alpha` fails with exit code
/// 1 on wasmer and passes on wasmtime. `beta` (50 ms): `hello` passes on both,
/// `threads` is skipped on wasmer and passes on wasmtime.
pub(crate) fn two_suite_runs() -> [crate::SavedRun; 2] {
    let mut failed = ran("only/alpha", "wasmer", Status::Fail, 1, "b");
    failed.reason = Some(Reason::ExitCode);
    failed.detail = "expected exit code 0, got 1".into();
    let alpha = vec![
        ran("hello", "wasmer", Status::Pass, 0, "a"),
        ran("hello", "wasmtime", Status::Pass, 0, "a"),
        failed,
        ran("only/alpha", "wasmtime", Status::Pass, 0, "a"),
    ];
    let mut skipped = CaseResult::new("threads", "wasmer", Status::Skip);
    skipped.expectation = Some("needs threads".into());
    let beta = vec![
        ran("hello", "wasmer", Status::Pass, 0, "c"),
        ran("hello", "wasmtime", Status::Pass, 0, "c"),
        skipped,
        ran("threads", "wasmtime", Status::Pass, 0, "d"),
    ];
    [saved_run("alpha", alpha, 100), saved_run("beta", beta, 50)]
}

/// [`two_suite_runs`] merged.
pub(crate) fn two_suites() -> crate::SavedRun {
    crate::SavedRun::merge(two_suite_runs())
}

/// Sends `Started`, every result, then `Done` (1.234 s) to `reporter`.
pub(crate) fn feed(reporter: &mut dyn Reporter, results: &[CaseResult]) {
    let engines = ["wasmer".to_string(), "wasmtime".to_string()];
    reporter.event(&Event::Started {
        suite: "c-basic",
        engines: &engines,
        total: results.len(),
    });
    for r in results {
        reporter.event(&Event::Finished(r));
    }
    let summary = Summary::from_results(results, Duration::from_millis(1234));
    reporter.event(&Event::Done(&summary));
}

/// A writer whose bytes the test can read back after handing it away.
#[derive(Clone, Default)]
pub(crate) struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    /// Everything written so far, as text.
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
