//! The page's data: every case with its engines' records, shaped for the page's script
//! and embedded as one JSON blob that test output cannot break out of.
//!
//! Diffs are drawn here, in Rust, by the same renderer as the console and JUnit
//! reports ([`crate::render::mismatch_diff`] for the goldens, `xharness-golden`'s
//! `render_diff` between engines), so they read the same everywhere; the script only
//! colours their lines. Passing, agreeing results carry a digest and no text, so the
//! blob stays small at 10,000 cases.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;
use xharness_golden::{Mismatch, Stream, render_diff};

use crate::model::{Attempt, OutcomeKind, OutputRecord};
use crate::render::mismatch_diff;
use crate::{CaseResult, Reason, Status};

/// Hex digits of an output digest kept in the page: enough to tell outputs apart.
const DIGEST_CHARS: usize = 12;

/// The whole blob.
#[derive(Serialize)]
pub(super) struct PageData<'a> {
    pub(super) suite: &'a str,
    /// The suites the records name, in a report of several; empty otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) suites: Vec<&'a str>,
    pub(super) engines: &'a [String],
    pub(super) cases: Vec<PageCase<'a>>,
    /// Failures grouped by cause, biggest first.
    pub(super) groups: Vec<crate::Group>,
}

/// One case: its results in the order of `engines` (`null` where an engine has none).
#[derive(Serialize)]
pub(super) struct PageCase<'a> {
    /// The suite the record names, in a report of several suites.
    #[serde(skip_serializing_if = "str::is_empty")]
    suite: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "is_false")]
    divergent: bool,
    /// The engine that disagrees with all the others, if one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    odd: Option<&'a str>,
    #[serde(skip_serializing_if = "is_false")]
    failing: bool,
    results: Vec<Option<PageResult<'a>>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    engine_diffs: Vec<EngineDiff>,
}

/// One engine's record of a case.
#[derive(Serialize)]
struct PageResult<'a> {
    status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<Reason>,
    ms: f64,
    /// Wasm instructions executed, when counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    instr: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exit: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    outcome: Option<OutcomeKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
    #[serde(skip_serializing_if = "str::is_empty")]
    detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    expectation: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stdout: Option<PageOutput<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stderr: Option<PageOutput<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    golden_diffs: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attempts: Vec<PageAttempt<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    repro: Option<&'a crate::Repro>,
    #[serde(skip_serializing_if = "Option::is_none")]
    signature: Option<&'a str>,
}

/// One output stream: a short digest, its size, and its text when the run kept it.
#[derive(Serialize)]
struct PageOutput<'a> {
    digest: &'a str,
    bytes: u64,
    #[serde(skip_serializing_if = "is_false")]
    truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
}

/// An earlier attempt of a retried job.
#[derive(Serialize)]
struct PageAttempt<'a> {
    status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<Reason>,
    ms: f64,
    #[serde(skip_serializing_if = "str::is_empty")]
    detail: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    golden_diffs: Vec<String>,
}

/// How one engine's stream differs from the first engine's: a diff, or why there is
/// none (a text the run did not keep).
#[derive(Serialize)]
struct EngineDiff {
    stream: &'static str,
    from: String,
    to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    diff: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Groups sorted `results` by (suite, case) into page cases, results aligned with
/// `engines`.
pub(super) fn page_cases<'a>(engines: &[String], results: &'a [CaseResult]) -> Vec<PageCase<'a>> {
    let mut by_case: BTreeMap<(&str, &str), Vec<&CaseResult>> = BTreeMap::new();
    for r in results {
        by_case
            .entry((r.suite.as_str(), r.case.as_str()))
            .or_default()
            .push(r);
    }
    by_case
        .into_iter()
        .map(|((suite, name), rs)| page_case(suite, name, engines, &rs))
        .collect()
}

fn page_case<'a>(
    suite: &'a str,
    name: &'a str,
    engines: &[String],
    rs: &[&'a CaseResult],
) -> PageCase<'a> {
    let aligned: Vec<Option<&CaseResult>> = engines
        .iter()
        .map(|e| rs.iter().find(|r| &r.engine == e).copied())
        .collect();
    let divergent = rs.iter().any(|r| r.divergent);
    PageCase {
        suite,
        name,
        divergent,
        odd: rs
            .iter()
            .find_map(|r| r.divergence.as_ref()?.odd_one_out.as_deref()),
        failing: rs.iter().any(|r| is_failing(r.status)),
        results: aligned.iter().map(|r| r.map(page_result)).collect(),
        engine_diffs: if divergent {
            engine_diffs(&aligned)
        } else {
            Vec::new()
        },
    }
}

/// Whether a status makes the run fail: a failure, or a job that never ran.
pub(super) fn is_failing(status: Status) -> bool {
    status.is_failure() || status == Status::NotRun
}

fn page_result(r: &CaseResult) -> PageResult<'_> {
    PageResult {
        status: r.status,
        reason: r.reason,
        ms: r.duration_ms,
        instr: r.instructions,
        exit: r.exit_code,
        outcome: r.outcome.as_ref().map(|o| o.kind),
        message: r.outcome.as_ref().and_then(|o| o.message.as_deref()),
        detail: &r.detail,
        expectation: r.expectation.as_deref(),
        stdout: r.stdout.as_ref().map(page_output),
        stderr: r.stderr.as_ref().map(page_output),
        golden_diffs: r
            .mismatches
            .iter()
            .map(|m| mismatch_diff(m, false))
            .collect(),
        attempts: r.attempts.iter().map(page_attempt).collect(),
        repro: r.repro.as_ref(),
        signature: r.signature.as_deref(),
    }
}

fn page_output(o: &OutputRecord) -> PageOutput<'_> {
    PageOutput {
        digest: o.digest.get(..DIGEST_CHARS).unwrap_or(&o.digest),
        bytes: o.bytes,
        truncated: o.truncated,
        text: o.text.as_deref(),
    }
}

fn page_attempt(a: &Attempt) -> PageAttempt<'_> {
    PageAttempt {
        status: a.status,
        reason: a.reason,
        ms: a.duration_ms,
        detail: &a.detail,
        golden_diffs: a
            .mismatches
            .iter()
            .map(|m| mismatch_diff(m, false))
            .collect(),
    }
}

/// For each stream, a diff from the first engine that ran the case to every other
/// engine whose output differs from it.
fn engine_diffs(aligned: &[Option<&CaseResult>]) -> Vec<EngineDiff> {
    let ran: Vec<&CaseResult> = aligned
        .iter()
        .flatten()
        .filter(|r| r.outcome.is_some())
        .copied()
        .collect();
    let Some((first, others)) = ran.split_first() else {
        return Vec::new();
    };
    let mut diffs = Vec::new();
    for stream in [Stream::Stdout, Stream::Stderr] {
        for other in others {
            if let Some(d) = engine_diff(stream, first, other) {
                diffs.push(d);
            }
        }
    }
    diffs
}

fn output(r: &CaseResult, stream: Stream) -> Option<&OutputRecord> {
    match stream {
        Stream::Stdout => r.stdout.as_ref(),
        Stream::Stderr => r.stderr.as_ref(),
    }
}

fn engine_diff(stream: Stream, from: &CaseResult, to: &CaseResult) -> Option<EngineDiff> {
    let (a, b) = (output(from, stream), output(to, stream));
    if digest_of(a) == digest_of(b) {
        return None;
    }
    let mut d = EngineDiff {
        stream: stream_name(stream),
        from: from.engine.clone(),
        to: to.engine.clone(),
        diff: None,
        note: None,
    };
    match (text_of(a), text_of(b)) {
        (Some(ta), Some(tb)) => d.diff = Some(between_engines(stream, from, to, ta, tb)),
        _ => {
            d.note = Some(format!(
                "the outputs differ (digests {} and {}) but the run kept no text to compare",
                short(digest_of(a)),
                short(digest_of(b))
            ))
        }
    }
    Some(d)
}

/// A stream's digest; a missing stream is empty, with no digest.
fn digest_of(o: Option<&OutputRecord>) -> &str {
    o.map_or("", |o| o.digest.as_str())
}

/// A stream's text: empty when missing, `None` when the run did not keep it.
fn text_of(o: Option<&OutputRecord>) -> Option<&str> {
    match o {
        None => Some(""),
        Some(o) => o.text.as_deref(),
    }
}

fn stream_name(stream: Stream) -> &'static str {
    match stream {
        Stream::Stdout => "stdout",
        Stream::Stderr => "stderr",
    }
}

fn short(digest: &str) -> &str {
    digest.get(..DIGEST_CHARS).unwrap_or(digest)
}

/// `render_diff` with its golden/actual header replaced by the two engines' names.
fn between_engines(stream: Stream, from: &CaseResult, to: &CaseResult, a: &str, b: &str) -> String {
    let m = Mismatch {
        stream,
        golden: PathBuf::new(),
        expected: a.as_bytes().to_vec(),
        actual: b.as_bytes().to_vec(),
        actual_raw: b.as_bytes().to_vec(),
    };
    let rendered = render_diff(&m, false);
    let body = rendered.splitn(3, '\n').nth(2).unwrap_or("");
    let name = stream_name(stream);
    let mut text = format!("--- {} {name}\n+++ {} {name}\n", from.engine, to.engine);
    text.push_str(body);
    for (r, o) in [(from, output(from, stream)), (to, output(to, stream))] {
        if o.is_some_and(|o| o.truncated) {
            text.push_str(&format!(
                "note: {}'s {name} was truncated at the output cap\n",
                r.engine
            ));
        }
    }
    text
}

/// `data` as JSON that can sit inside `<script type="application/json">`: `<`, `>`,
/// `&`, U+2028 and U+2029 are written as `\uXXXX` escapes (they can only occur inside
/// JSON strings, where the escape means the same character), so no `</script>` or
/// `<!--` in test output can end or change the script element.
pub(super) fn script_json(data: &impl Serialize) -> Result<String, serde_json::Error> {
    let json = serde_json::to_string(data)?;
    let mut out = String::with_capacity(json.len() + json.len() / 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    Ok(out)
}
