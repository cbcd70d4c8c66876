//! Shared test fixtures: a mix of results in completion order and a capturing writer.

use std::io::{self, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::{CaseResult, Event, Reason, Reporter, Status, Summary};

fn result(case: &str, engine: &str, status: Status, ms: f64) -> CaseResult {
    CaseResult {
        case: case.into(),
        engine: engine.into(),
        status,
        reason: None,
        exit_code: Some(0),
        duration_ms: ms,
        detail: String::new(),
        expectation: None,
    }
}

/// One of each status, in a scrambled completion order.
pub(crate) fn sample_results() -> Vec<CaseResult> {
    let mut multi = result("stdout/multi", "wasmer", Status::Fail, 4.0);
    multi.reason = Some(Reason::OutputMismatch);
    multi.detail = "--- tests/stdout/multi.stdout (expected)\n+++ actual stdout\n@@ -1,2 +1,2 @@\n one\n-two\n+TWO\n".into();
    let mut exit = result("exit/42", "wasmtime", Status::Fail, 1250.5);
    exit.reason = Some(Reason::ExitCode);
    exit.exit_code = Some(1);
    exit.detail = "expected exit code 42, got 1".into();
    let mut div0 = result("trap/div0", "wasmer", Status::XFail, 1.25);
    div0.reason = Some(Reason::Trap);
    div0.exit_code = None;
    div0.detail = "wasm trap: integer divide by zero\n".into();
    div0.expectation = Some("wasmer reports traps differently".into());
    let mut fixed = result("known/fixed", "wasmtime", Status::XPass, 0.5);
    fixed.expectation = Some("issue #12".into());
    let mut threads = result("threads/spawn", "wasmer", Status::Skip, 0.0);
    threads.exit_code = None;
    threads.expectation = Some("needs threads".into());
    vec![
        result("stdout/hello", "wasmtime", Status::Pass, 3.1),
        multi,
        div0,
        result("stdout/hello", "wasmer", Status::Pass, 2.75),
        exit,
        threads,
        fixed,
        result("trap/div0", "wasmtime", Status::Pass, 0.8),
    ]
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
