//! Judging one (case, engine) run: outcome + expectations + goldens → result.
//!
//! Order of checks: how the run ended (trap, timeout, memory, instantiate),
//! then the exit code, then stdout and stderr against their goldens. An
//! expected failure (`xfail`) that fails is a pass; one that passes is an
//! `xpass`, which fails the run so stale expectations get noticed.

use xharness_engines::{Captured, Outcome, Status as RunStatus};
use xharness_golden::{Normalizer, Stream};
use xharness_reports::{CaseResult, Reason, Status};
use xharness_suites::{Case, Expectation};

/// What the judge needs besides the outcome.
pub struct Judge<'a> {
    pub normalizer: &'a Normalizer,
    pub bless: bool,
    pub color: bool,
}

/// A failure before judging output: reason + human detail.
pub struct Failure {
    pub reason: Reason,
    pub detail: String,
}

impl Judge<'_> {
    /// Judge a finished run.
    pub fn outcome(&self, case: &Case, engine: &str, outcome: &Outcome) -> CaseResult {
        let ms = outcome.duration.as_secs_f64() * 1000.0;
        let exit_code = match outcome.status {
            RunStatus::Exited(code) => Some(code),
            _ => None,
        };
        let failure = self.check(case, engine, outcome);
        finish(case, engine, failure, exit_code, ms)
    }

    fn check(&self, case: &Case, engine: &str, o: &Outcome) -> Option<Failure> {
        let (reason, what) = match &o.status {
            RunStatus::Exited(code) if *code == case.exit_code => {
                return self.check_output(case, engine, o);
            }
            RunStatus::Exited(code) => (
                Reason::ExitCode,
                format!("exited with code {code}, expected {}", case.exit_code),
            ),
            RunStatus::Trapped { .. } => (Reason::Trap, o.status.to_string()),
            RunStatus::TimedOut => (
                Reason::Timeout,
                format!("timed out after {:.1} s", case.timeout.as_secs_f64()),
            ),
            RunStatus::MemoryLimit => (
                Reason::Memory,
                format!("memory limit of {} bytes reached", case.max_memory),
            ),
            RunStatus::InstantiateError(why) => (
                Reason::InstantiateError,
                format!("could not instantiate: {why}"),
            ),
        };
        let mut detail = what;
        append_stream(&mut detail, "stdout", &o.stdout);
        append_stream(&mut detail, "stderr", &o.stderr);
        Some(Failure { reason, detail })
    }

    fn check_output(&self, case: &Case, engine: &str, o: &Outcome) -> Option<Failure> {
        let mut detail = String::new();
        for (stream, golden, captured) in [
            (Stream::Stdout, &case.golden_stdout, &o.stdout),
            (Stream::Stderr, &case.golden_stderr, &o.stderr),
        ] {
            let mismatch =
                match xharness_golden::compare(stream, golden, &captured.bytes, self.normalizer) {
                    Ok(None) => continue,
                    Ok(Some(m)) => m,
                    Err(e) => {
                        detail.push_str(&format!("{e}\n"));
                        continue;
                    }
                };
            if captured.truncated {
                detail.push_str(&truncation_note(stream, captured));
            } else if self.bless && !matches!(case.expect.get(engine), Some(Expectation::XFail(_)))
            {
                match xharness_golden::bless(&mismatch.golden, &mismatch.actual_raw) {
                    Ok(()) => continue,
                    Err(e) => detail.push_str(&format!("{e}\n")),
                }
            }
            detail.push_str(&xharness_golden::render_diff(&mismatch, self.color));
        }
        if detail.is_empty() {
            return None;
        }
        Some(Failure {
            reason: Reason::OutputMismatch,
            detail,
        })
    }
}

fn truncation_note(stream: Stream, c: &Captured) -> String {
    format!(
        "{stream} was truncated: the guest wrote {} bytes, only the first {} were kept (raise max_output); not blessed\n",
        c.total,
        c.bytes.len()
    )
}

fn append_stream(detail: &mut String, name: &str, c: &Captured) {
    if c.bytes.is_empty() {
        return;
    }
    const SHOW: usize = 4096;
    let tail = &c.bytes[c.bytes.len().saturating_sub(SHOW)..];
    detail.push_str(&format!("\n--- {name} (last {} bytes) ---\n", tail.len()));
    detail.push_str(&String::from_utf8_lossy(tail));
    if !detail.ends_with('\n') {
        detail.push('\n');
    }
}

/// Apply the case's expectation for `engine` to a pass/fail judgement.
pub fn finish(
    case: &Case,
    engine: &str,
    failure: Option<Failure>,
    exit_code: Option<i32>,
    ms: f64,
) -> CaseResult {
    let expectation = case.expect.get(engine);
    let (status, reason, detail) = match (expectation, failure) {
        (Some(Expectation::XFail(_)), Some(f)) => (Status::XFail, Some(f.reason), f.detail),
        (Some(Expectation::XFail(why)), None) => (
            Status::XPass,
            None,
            format!(
                "passed, but is expected to fail on {engine}: {why}\nremove the [expect.{engine}] entry"
            ),
        ),
        (_, Some(f)) => (Status::Fail, Some(f.reason), f.detail),
        (_, None) => (Status::Pass, None, String::new()),
    };
    CaseResult {
        case: case.name.clone(),
        engine: engine.to_string(),
        status,
        reason,
        exit_code,
        duration_ms: ms,
        detail,
        expectation: expectation.map(|e| match e {
            Expectation::XFail(w) | Expectation::Skip(w) => w.clone(),
        }),
    }
}

/// A skipped case's result.
pub fn skipped(case: &Case, engine: &str, why: &str) -> CaseResult {
    CaseResult {
        case: case.name.clone(),
        engine: engine.to_string(),
        status: Status::Skip,
        reason: None,
        exit_code: None,
        duration_ms: 0.0,
        detail: String::new(),
        expectation: Some(why.to_string()),
    }
}
