//! Judging one (case, engine) run: how it ended + expectations + goldens →
//! a record. A pure function of its inputs: it writes no file and renders
//! nothing (no diff text, no colour); blessing and reporting come later.
//!
//! Order of checks: how the run ended (crash, timeout, memory, trap,
//! instantiate), then the exit code, then stdout and stderr against their
//! goldens. An expected failure (`xfail`) that fails is `XFail`; one that
//! passes is `XPass`, which fails the run so stale expectations get noticed.

use sha2::{Digest, Sha256};
use xharness_engines::{Captured, Status as RunStatus};
use xharness_golden::{Normalizer, Stream};
use xharness_reports::{
    CaseResult, MismatchRecord, OutcomeKind, OutcomeRecord, OutputRecord, Reason, Status,
};
use xharness_suites::{Case, Expectation};

use crate::worker::{JobEnd, KillReason};

/// Output text kept in a record, per stream.
const KEEP_TEXT: usize = 64 << 10;

/// A judged run and the raw output blessing may need.
#[derive(Debug)]
pub struct JobRecord {
    pub result: CaseResult,
    /// The raw (not normalised) output, for blessing.
    pub raw_stdout: Vec<u8>,
    pub raw_stderr: Vec<u8>,
}

/// A failure before judging output: reason + plain detail.
pub struct Failure {
    pub reason: Reason,
    pub detail: String,
}

/// Judge how a job ended.
pub fn judge(case: &Case, engine: &str, end: JobEnd, norm: &Normalizer) -> JobRecord {
    match end {
        JobEnd::Finished(o) => ran(case, engine, o.status, o.stdout, o.stderr, o.duration, norm),
        JobEnd::Rejected(message) => {
            let failure = Failure {
                reason: Reason::CompileError,
                detail: format!(
                    "{engine} rejected the module built from {}: {message}",
                    case.src.display()
                ),
            };
            JobRecord::bare(finish(case, engine, Some(failure), 0.0))
        }
        JobEnd::Killed {
            why: KillReason::Interrupted,
            ..
        } => {
            let mut r = CaseResult::new(&case.name, engine, Status::NotRun);
            r.detail = "not run: interrupted while running".into();
            JobRecord::bare(r)
        }
        JobEnd::Killed {
            why,
            stdout,
            stderr,
            duration,
        } => {
            let status = match why {
                KillReason::Memory => RunStatus::MemoryLimit,
                _ => RunStatus::TimedOut,
            };
            ran(case, engine, status, stdout, stderr, duration, norm)
        }
        JobEnd::Crashed {
            message,
            stdout,
            stderr,
            duration,
        } => {
            let mut r = CaseResult::new(&case.name, engine, Status::Error);
            r.reason = Some(Reason::WorkerCrash);
            r.duration_ms = duration.as_secs_f64() * 1000.0;
            r.expectation = expectation_text(case, engine);
            r.outcome = Some(OutcomeRecord {
                kind: OutcomeKind::Crashed,
                exit_code: None,
                message: Some(message.clone()),
            });
            r.detail = message;
            with_output(r, stdout, stderr, norm)
        }
    }
}

/// Judge a guest that ran to some end.
fn ran(
    case: &Case,
    engine: &str,
    status: RunStatus,
    stdout: Captured,
    stderr: Captured,
    duration: std::time::Duration,
    norm: &Normalizer,
) -> JobRecord {
    let failure = check(case, &status, &stdout, &stderr, norm);
    let mut result = finish(case, engine, failure, duration.as_secs_f64() * 1000.0);
    result.outcome = Some(outcome_record(&status));
    result.exit_code = match status {
        RunStatus::Exited(code) => Some(code),
        _ => None,
    };
    let mut record = with_output(result, stdout, stderr, norm);
    if record.result.reason == Some(Reason::OutputMismatch) {
        let r = &record.result;
        let m = mismatches(case, &record.raw_stdout, &record.raw_stderr, r, norm);
        record.result.mismatches = m;
    }
    record
}

/// Attach both streams' records to a result.
fn with_output(
    mut result: CaseResult,
    stdout: Captured,
    stderr: Captured,
    norm: &Normalizer,
) -> JobRecord {
    result.stdout = Some(output_record(&stdout, &norm.apply(&stdout.bytes)));
    result.stderr = Some(output_record(&stderr, &norm.apply(&stderr.bytes)));
    JobRecord {
        result,
        raw_stdout: stdout.bytes,
        raw_stderr: stderr.bytes,
    }
}

impl JobRecord {
    /// A record with no output (the job never ran).
    pub fn bare(result: CaseResult) -> Self {
        JobRecord {
            result,
            raw_stdout: Vec::new(),
            raw_stderr: Vec::new(),
        }
    }
}

fn check(
    case: &Case,
    status: &RunStatus,
    stdout: &Captured,
    stderr: &Captured,
    norm: &Normalizer,
) -> Option<Failure> {
    let (reason, detail) = match status {
        RunStatus::Exited(code) if *code == case.exit_code => {
            return check_output(case, stdout, stderr, norm);
        }
        RunStatus::Exited(code) => (
            Reason::ExitCode,
            format!("exited with code {code}, expected {}", case.exit_code),
        ),
        RunStatus::Trapped { .. } => (Reason::Trap, status.to_string()),
        RunStatus::TimedOut => (
            Reason::Timeout,
            format!(
                "timed out after {:.1} s and was killed",
                case.timeout.as_secs_f64()
            ),
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
    Some(Failure { reason, detail })
}

/// Compare both streams with their goldens; mismatches go in the record
/// as data (see [`mismatches`]).
fn check_output(
    case: &Case,
    stdout: &Captured,
    stderr: &Captured,
    norm: &Normalizer,
) -> Option<Failure> {
    let mut detail = String::new();
    let mut mismatched = false;
    for (stream, golden, captured) in [
        (Stream::Stdout, &case.golden_stdout, stdout),
        (Stream::Stderr, &case.golden_stderr, stderr),
    ] {
        match xharness_golden::compare(stream, golden, &captured.bytes, norm) {
            Ok(None) => {}
            Ok(Some(_)) => mismatched = true,
            Err(e) => detail.push_str(&format!("{e}\n")),
        }
    }
    (mismatched || !detail.is_empty()).then_some(Failure {
        reason: Reason::OutputMismatch,
        detail,
    })
}

/// The mismatches of a judged run against its goldens, as data.
pub fn mismatches(
    case: &Case,
    raw_stdout: &[u8],
    raw_stderr: &[u8],
    result: &CaseResult,
    norm: &Normalizer,
) -> Vec<MismatchRecord> {
    let mut out = Vec::new();
    for (stream, golden, raw, record) in [
        (
            Stream::Stdout,
            &case.golden_stdout,
            raw_stdout,
            &result.stdout,
        ),
        (
            Stream::Stderr,
            &case.golden_stderr,
            raw_stderr,
            &result.stderr,
        ),
    ] {
        if let Ok(Some(m)) = xharness_golden::compare(stream, golden, raw, norm) {
            out.push(MismatchRecord {
                stream: stream.to_string(),
                golden: m.golden.display().to_string(),
                expected: capped_text(&m.expected),
                actual: capped_text(&m.actual),
                truncated: record.as_ref().is_some_and(|r| r.truncated),
            });
        }
    }
    out
}

fn outcome_record(status: &RunStatus) -> OutcomeRecord {
    let (kind, exit_code, message) = match status {
        RunStatus::Exited(code) => (OutcomeKind::Exited, Some(*code), None),
        RunStatus::Trapped { message, .. } => (OutcomeKind::Trapped, None, Some(message.clone())),
        RunStatus::TimedOut => (OutcomeKind::Timeout, None, None),
        RunStatus::MemoryLimit => (OutcomeKind::Memory, None, None),
        RunStatus::InstantiateError(why) => {
            (OutcomeKind::InstantiateError, None, Some(why.clone()))
        }
    };
    OutcomeRecord {
        kind,
        exit_code,
        message,
    }
}

fn output_record(c: &Captured, normalised: &[u8]) -> OutputRecord {
    OutputRecord {
        digest: hex::encode(Sha256::digest(normalised)),
        bytes: c.total,
        truncated: c.truncated,
        text: Some(capped_text(normalised)),
    }
}

fn capped_text(bytes: &[u8]) -> String {
    let mut text = String::from_utf8_lossy(&bytes[..bytes.len().min(KEEP_TEXT)]).into_owned();
    if bytes.len() > KEEP_TEXT {
        text.push_str(&format!(
            "\n[... {} more bytes not kept]\n",
            bytes.len() - KEEP_TEXT
        ));
    }
    text
}

fn expectation_text(case: &Case, engine: &str) -> Option<String> {
    case.expect.get(engine).map(|e| match e {
        Expectation::XFail(w) | Expectation::Skip(w) => w.clone(),
    })
}

/// Apply the case's expectation for `engine` to a pass/fail judgement.
pub fn finish(case: &Case, engine: &str, failure: Option<Failure>, ms: f64) -> CaseResult {
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
    let mut r = CaseResult::new(&case.name, engine, status);
    r.reason = reason;
    r.detail = detail;
    r.duration_ms = ms;
    r.expectation = expectation_text(case, engine);
    r
}

/// A skipped case's result.
pub fn skipped(case: &Case, engine: &str, why: &str) -> CaseResult {
    let mut r = CaseResult::new(&case.name, engine, Status::Skip);
    r.expectation = Some(why.to_string());
    r
}
