//! Judging one (case, engine) run: how it ended + expectations + goldens →
//! a record. A pure function of its inputs: it writes no file and renders
//! nothing (no diff text, no colour); blessing and reporting come later.
//!
//! Order of checks: how the run ended (crash, timeout, memory, trap,
//! instantiate), then the exit code, then stdout and stderr against their
//! goldens. An expected failure (`xfail`) that fails is `XFail`; one that
//! passes is `XPass`, which fails the run so stale expectations get noticed.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};

use sha2::{Digest, Sha256};
use xharness_engines::{Captured, Status as RunStatus};
use xharness_golden::{Normalizer, Stream};
use xharness_reports::{
    ByteRange, CaseResult, MismatchRecord, OutcomeKind, OutcomeRecord, OutputRecord, Reason, Status,
};
use xharness_suites::{Case, CaseKind, Expectation, Mode};

use crate::worker::{JobEnd, KillReason};

pub mod libtest;
#[cfg(test)]
mod tests;

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

/// The normalisers a case is judged with, one per stream.
#[derive(Debug, Clone)]
pub struct Norms {
    /// For stdout.
    pub stdout: Normalizer,
    /// For stderr, and a compile-only case's compiler output.
    pub stderr: Normalizer,
    /// Normalisers of the case's own (a `.T` file's Python) that could
    /// not run and were skipped, as they happen; the case's records say so.
    pub problems: Option<Arc<Mutex<BTreeSet<String>>>>,
}

impl Norms {
    /// Plain normalisers, with nothing of the case's own to go wrong.
    pub fn new(stdout: Normalizer, stderr: Normalizer) -> Self {
        Norms {
            stdout,
            stderr,
            problems: None,
        }
    }

    /// Add to `record` the normalisers that could not run, if any did not.
    pub fn note_problems(&self, record: &mut JobRecord) {
        let Some(problems) = &self.problems else {
            return;
        };
        let problems = problems.lock().unwrap_or_else(PoisonError::into_inner);
        for p in problems.iter() {
            record
                .result
                .detail
                .push_str(&format!("\nnote: a normaliser could not run: {p}"));
        }
    }

    /// The normaliser of `stream`.
    pub fn of(&self, stream: Stream) -> &Normalizer {
        match stream {
            Stream::Stdout => &self.stdout,
            Stream::Stderr => &self.stderr,
        }
    }
}

/// Judge a compile-only case (`compile`, `compile_fail`) from how its
/// compile ended: `ok` says whether the compiler succeeded, `output` is
/// what it printed (stdout then stderr), compared with the stderr golden.
pub fn judge_compile(
    case: &Case,
    engine: &str,
    ok: bool,
    exit_code: Option<i32>,
    output: Vec<u8>,
    norms: &Norms,
) -> JobRecord {
    let failure = match (case.expect.mode, ok) {
        (Mode::CompileFail, true) => Some(Failure {
            reason: Reason::ExitCode,
            detail: "the compiler succeeded, but this test expects the compile to fail".into(),
        }),
        (_, false) if case.expect.mode != Mode::CompileFail => Some(Failure {
            reason: Reason::CompileError,
            detail: format!(
                "the compiler failed{}:\n{}",
                exit_code
                    .map(|c| format!(" with exit code {c}"))
                    .unwrap_or_default(),
                String::from_utf8_lossy(&output)
            ),
        }),
        _ if compared(case, Stream::Stderr) => {
            match xharness_golden::compare(
                Stream::Stderr,
                &case.expect.golden_stderr,
                &output,
                &norms.stderr,
            ) {
                Ok(None) => None,
                Ok(Some(_)) => Some(Failure {
                    reason: Reason::OutputMismatch,
                    detail: String::new(),
                }),
                Err(e) => Some(Failure {
                    reason: Reason::OutputMismatch,
                    detail: e.to_string(),
                }),
            }
        }
        _ => None,
    };
    let mut result = finish(case, engine, failure, 0.0);
    result.outcome = Some(OutcomeRecord {
        kind: OutcomeKind::Exited,
        exit_code,
        message: Some("compile only".into()),
    });
    result.exit_code = exit_code;
    let mut record = with_output(result, Captured::default(), Captured::whole(output), norms);
    if record.result.reason == Some(Reason::OutputMismatch) {
        let r = &record.result;
        let m = mismatches(case, &record.raw_stdout, &record.raw_stderr, r, norms);
        record.result.mismatches = m;
    }
    record
}

/// A failure before judging output: reason + plain detail.
pub struct Failure {
    pub reason: Reason,
    pub detail: String,
}

/// Judge how a job ended.
pub fn judge(case: &Case, engine: &str, end: JobEnd, norms: &Norms) -> JobRecord {
    match end {
        JobEnd::Finished(o) => {
            let mut record = ran(
                case, engine, o.status, o.stdout, o.stderr, o.duration, norms,
            );
            record.result.instructions = o.instructions;
            record
        }
        JobEnd::Rejected(message) => {
            let failure = Failure {
                reason: Reason::CompileError,
                detail: format!(
                    "{engine} rejected the module built from {}: {message}",
                    case.source.src.display()
                ),
            };
            JobRecord::bare(finish(case, engine, Some(failure), 0.0))
        }
        JobEnd::NoEngine(message) => {
            let mut r = CaseResult::new(&case.name, engine, Status::Error);
            r.reason = Some(Reason::EngineError);
            r.detail = format!("{engine} could not be set up, so nothing ran: {message}");
            JobRecord::bare(r)
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
            ran(case, engine, status, stdout, stderr, duration, norms)
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
            with_output(r, stdout, stderr, norms)
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
    norms: &Norms,
) -> JobRecord {
    let ms = duration.as_secs_f64() * 1000.0;
    // Each kind whose verdict has a step of its own gets an arm here.
    let failure = match &case.kind {
        CaseKind::Libtest { test } => {
            match libtest::read(test, &status, &stdout.shown(), &stderr.shown()) {
                libtest::Read::Passed => check(case, &status, &stdout, &stderr, norms),
                libtest::Read::Ignored(why) => {
                    let mut result = skipped(case, engine, &why);
                    result.duration_ms = ms;
                    result.outcome = Some(outcome_record(&status));
                    result.exit_code = Some(0);
                    return with_output(result, stdout, stderr, norms);
                }
                libtest::Read::NotRun(detail) => Some(Failure {
                    reason: Reason::ExitCode,
                    detail,
                }),
                libtest::Read::Failed(panic) => {
                    check(case, &status, &stdout, &stderr, norms).map(|mut f| {
                        if let Some(message) = panic {
                            f.detail = format!("{}\n{message}", f.detail);
                        }
                        f
                    })
                }
            }
        }
        _ => check(case, &status, &stdout, &stderr, norms),
    };
    let mut result = finish(case, engine, failure, ms);
    result.outcome = Some(outcome_record(&status));
    result.exit_code = match status {
        RunStatus::Exited(code) => Some(code),
        _ => None,
    };
    let mut record = with_output(result, stdout, stderr, norms);
    if record.result.reason == Some(Reason::OutputMismatch) {
        let r = &record.result;
        let m = mismatches(case, &record.raw_stdout, &record.raw_stderr, r, norms);
        record.result.mismatches = m;
    }
    record
}

/// Attach both streams' records to a result.
fn with_output(
    mut result: CaseResult,
    stdout: Captured,
    stderr: Captured,
    norms: &Norms,
) -> JobRecord {
    let raw_stdout = stdout.shown().into_owned();
    let raw_stderr = stderr.shown().into_owned();
    result.stdout = Some(output_record(&stdout, &raw_stdout, &norms.stdout));
    result.stderr = Some(output_record(&stderr, &raw_stderr, &norms.stderr));
    JobRecord {
        result,
        raw_stdout,
        raw_stderr,
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
    norms: &Norms,
) -> Option<Failure> {
    let (reason, detail) = match status {
        RunStatus::Exited(code) if *code == case.expect.exit_code => {
            return check_output(case, stdout, stderr, norms);
        }
        RunStatus::Exited(code) => (
            Reason::ExitCode,
            format!(
                "exited with code {code}, expected {}",
                case.expect.exit_code
            ),
        ),
        RunStatus::Trapped { .. } => (Reason::Trap, status.to_string()),
        RunStatus::TimedOut => (
            Reason::Timeout,
            format!(
                "timed out after {:.1} s and was killed",
                case.run.timeout.as_secs_f64()
            ),
        ),
        RunStatus::MemoryLimit => (
            Reason::Memory,
            format!("memory limit of {} bytes reached", case.run.max_memory),
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
    norms: &Norms,
) -> Option<Failure> {
    let mut detail = String::new();
    let mut mismatched = false;
    for (stream, golden, captured) in [
        (Stream::Stdout, &case.expect.golden_stdout, stdout),
        (Stream::Stderr, &case.expect.golden_stderr, stderr),
    ] {
        if !compared(case, stream) {
            continue;
        }
        if let Some(range) = &captured.dropped {
            detail.push_str(&format!(
                "{stream}: the guest wrote {} bytes, over max_output ({} bytes kept; bytes {}..{} dropped), so it cannot match its golden; raise max_output under [run]\n",
                captured.total,
                captured.bytes.len(),
                range.start,
                range.end
            ));
            continue;
        }
        match xharness_golden::compare(stream, golden, &captured.bytes, norms.of(stream)) {
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
    norms: &Norms,
) -> Vec<MismatchRecord> {
    let mut out = Vec::new();
    for (stream, golden, raw, record) in [
        (
            Stream::Stdout,
            &case.expect.golden_stdout,
            raw_stdout,
            &result.stdout,
        ),
        (
            Stream::Stderr,
            &case.expect.golden_stderr,
            raw_stderr,
            &result.stderr,
        ),
    ] {
        if !compared(case, stream) {
            continue;
        }
        let truncated = record.as_ref().is_some_and(|r| r.truncated);
        let (expected, actual) =
            match xharness_golden::compare(stream, golden, raw, norms.of(stream)) {
                Ok(Some(m)) => (m.expected, m.actual),
                // A truncated stream fails even where its kept bytes match.
                Ok(None) if truncated => {
                    let same = norms.of(stream).apply(raw);
                    (same.clone(), same)
                }
                _ => continue,
            };
        let actual = match record.as_ref().and_then(|r| r.text.clone()) {
            Some(text) if truncated => text,
            _ => capped_text(&actual),
        };
        out.push(MismatchRecord {
            stream: stream.to_string(),
            golden: golden.display().to_string(),
            expected: capped_text(&expected),
            actual,
            truncated,
        });
    }
    out
}

/// Whether `stream` is compared with its golden for `case`: not when the
/// case ignores it, and a compile-only case's compiler output is judged
/// as stderr only.
fn compared(case: &Case, stream: Stream) -> bool {
    match stream {
        Stream::Stdout => !case.expect.ignore_stdout && !case.expect.mode.compile_only(),
        Stream::Stderr => !case.expect.ignore_stderr,
    }
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

/// A stream's record: the digest of its normalised shown bytes, and as
/// text at most [`KEEP_TEXT`] of them. A truncated stream keeps the ends
/// of what was captured, so its marker names the range the text lacks.
fn output_record(c: &Captured, shown: &[u8], norm: &xharness_golden::Normalizer) -> OutputRecord {
    let normalised = norm.apply(shown);
    let text = if c.truncated() {
        String::from_utf8_lossy(&norm.apply(&c.keep_ends(KEEP_TEXT).shown())).into_owned()
    } else {
        capped_text(&normalised)
    };
    OutputRecord {
        digest: hex::encode(Sha256::digest(&normalised)),
        bytes: c.total,
        truncated: c.truncated(),
        dropped: c.dropped.as_ref().map(|r| ByteRange {
            start: r.start,
            end: r.end,
        }),
        text: Some(text),
    }
}

/// At most [`KEEP_TEXT`] bytes of `bytes` as text: its first and last
/// halves around a marker line when it is longer.
fn capped_text(bytes: &[u8]) -> String {
    if bytes.len() <= KEEP_TEXT {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    let (head, tail) = (
        &bytes[..KEEP_TEXT / 2],
        &bytes[bytes.len() - KEEP_TEXT / 2..],
    );
    let marker = format!(
        "[xharness: {} more bytes of this text not kept in the record]\n",
        bytes.len() - KEEP_TEXT
    );
    String::from_utf8_lossy(&xharness_engines::capture::join_marked(head, &marker, tail))
        .into_owned()
}

fn expectation_text(case: &Case, engine: &str) -> Option<String> {
    case.expectation(engine).map(|e| match e {
        Expectation::XFail(w) | Expectation::Skip(w) | Expectation::Fragile(w) => w.clone(),
    })
}

/// Apply the case's expectation for `engine` to a pass/fail judgement.
pub fn finish(case: &Case, engine: &str, failure: Option<Failure>, ms: f64) -> CaseResult {
    let expectation = case.expectation(engine);
    let (status, reason, detail) = match (expectation, failure) {
        (Some(Expectation::XFail(_)), Some(f)) => (Status::XFail, Some(f.reason), f.detail),
        (Some(Expectation::XFail(why)), None) => (
            Status::XPass,
            None,
            format!(
                "passed, but is expected to fail on {engine}: {why}\nremove the [expect.{engine}] entry"
            ),
        ),
        (Some(Expectation::Fragile(why)), Some(f)) => (
            Status::XFail,
            Some(f.reason),
            format!(
                "failed, and is marked fragile ({why}): not counted\n{}",
                f.detail
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
