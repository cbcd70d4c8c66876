//! The plain data reporters receive: per-case results, the run's summary and the events.
//!
//! Nothing here refers to engines, suites or golden files (only to their names); the
//! harness converts its verdicts into [`CaseResult`]s before any reporter sees them.
//!
//! A run holds one suite, named by [`Event::Started`]. A merge of runs of different
//! suites holds several: each record then names its suite ([`CaseResult::suite`]),
//! results sort by suite first, and [`Summary::suites`] counts each suite apart.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The verdict of one case on one engine, expectations taken into account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Ran and matched.
    Pass,
    /// Ran and did not match.
    Fail,
    /// Expected to fail, and failed.
    XFail,
    /// Expected to fail, but passed: counts as a failure so the expectation gets removed.
    XPass,
    /// Skipped by an expectation.
    Skip,
    /// Failed, then passed on a retry: does not fail the run, but is shown apart.
    Flaky,
    /// The harness itself could not finish the job (its worker process died: engine
    /// crash, abort, out-of-memory kill). Counts as a failure.
    Error,
    /// Never started: `--fail-fast` stopped the run, or it was interrupted.
    #[serde(rename = "not-run")]
    NotRun,
}

impl Status {
    /// The upper-case label used on the console: `PASS`, `FAIL`, `XFAIL`, `XPASS`,
    /// `SKIP`, `FLAKY`, `ERROR`, `NOT RUN`.
    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::XFail => "XFAIL",
            Status::XPass => "XPASS",
            Status::Skip => "SKIP",
            Status::Flaky => "FLAKY",
            Status::Error => "ERROR",
            Status::NotRun => "NOT RUN",
        }
    }

    /// Whether this status makes the run fail (`Fail`, `XPass` and `Error`).
    pub fn is_failure(self) -> bool {
        matches!(self, Status::Fail | Status::XPass | Status::Error)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Why a case failed (or, for `XFail`, how it failed as expected).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// Stdout or stderr differs from its golden file.
    OutputMismatch,
    /// The exit code differs from the expected one.
    ExitCode,
    /// The module trapped.
    Trap,
    /// The run took longer than allowed.
    Timeout,
    /// The run exceeded its memory limit.
    Memory,
    /// The toolchain could not compile the case.
    CompileError,
    /// The engine could not instantiate the module.
    InstantiateError,
    /// The worker process running the job died (status `Error`).
    WorkerCrash,
    /// The engine could not be set up, so the job never ran (status `Error`).
    EngineError,
    /// `--bless` found the engines disagreeing on the output and wrote nothing.
    EnginesDisagree,
}

impl Reason {
    /// The kebab-case name, as in JSON: `output-mismatch`, `exit-code`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::OutputMismatch => "output-mismatch",
            Reason::ExitCode => "exit-code",
            Reason::Trap => "trap",
            Reason::Timeout => "timeout",
            Reason::Memory => "memory",
            Reason::CompileError => "compile-error",
            Reason::InstantiateError => "instantiate-error",
            Reason::WorkerCrash => "worker-crash",
            Reason::EngineError => "engine-error",
            Reason::EnginesDisagree => "engines-disagree",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The record of one case on one engine: the verdict and the raw facts behind it, as
/// data. Reporters render it; nothing in it is pre-rendered for a terminal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseResult {
    /// The suite the case belongs to, when the report holds several (a `report merge`
    /// of runs of different suites); empty in a run of one suite, whose name
    /// [`Event::Started`] gives.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub suite: String,
    /// The case's name within its suite, e.g. `stdout/hello`.
    pub case: String,
    /// The engine's name, e.g. `wasmtime`.
    pub engine: String,
    /// The verdict.
    pub status: Status,
    /// Why it failed; `None` for passes and skips.
    pub reason: Option<Reason>,
    /// The module's exit code, if it ran to an exit.
    pub exit_code: Option<i32>,
    /// Wall time of the run in milliseconds.
    pub duration_ms: f64,
    /// The wasm instructions the guest executed, as its engine counts them
    /// (`--count-instructions`; a guest that trapped or exited counts what it ran
    /// until then, where the engine can tell); `None` when not counted. Engines count differently: compare
    /// counts of one engine only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<u64>,
    /// Plain text that is not output or a diff: the compiler's stderr, a trap or crash
    /// message, why blessing wrote nothing. Never contains terminal escapes.
    pub detail: String,
    /// The xfail/skip reason text, if the case had an expectation.
    pub expectation: Option<String>,
    /// How the run ended; `None` when it never ran (skip, compile error, not run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<OutcomeRecord>,
    /// The normalised stdout: its text for failing and divergent cases, else a digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdout: Option<OutputRecord>,
    /// The normalised stderr, kept like `stdout`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stderr: Option<OutputRecord>,
    /// Each stream that differs from its golden, as data.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mismatches: Vec<MismatchRecord>,
    /// Whether the engines that ran this case disagree on its outcome or output.
    #[serde(default, skip_serializing_if = "is_false")]
    pub divergent: bool,
    /// When the case diverges: which engines agree, and the odd one out
    /// (see [`crate::divergence`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub divergence: Option<crate::Divergence>,
    /// Earlier attempts of a retried job, oldest first (the result itself is the last).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attempts: Vec<Attempt>,
    /// How to re-run this (case, engine) alone; set on every record that did not pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repro: Option<Repro>,
    /// What went wrong, with what belongs to one case taken out; records with the
    /// same signature and engines form a group (see [`crate::groups`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// `FILE:LINE` of the baseline entry (an expectations file) that applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
}

/// The lines that re-run one (case, engine) alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repro {
    /// One POSIX-sh line that re-runs only this case on only this engine, from the
    /// directory where the run was started.
    pub xharness: String,
    /// The same run with the engine's own command-line tool, when one can express it.
    pub cli: Option<String>,
    /// Why there is no `cli` line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cli_missing: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl CaseResult {
    /// A result with only the identifying fields and a status set.
    pub fn new(case: impl Into<String>, engine: impl Into<String>, status: Status) -> Self {
        CaseResult {
            suite: String::new(),
            case: case.into(),
            engine: engine.into(),
            status,
            reason: None,
            exit_code: None,
            duration_ms: 0.0,
            instructions: None,
            detail: String::new(),
            expectation: None,
            outcome: None,
            stdout: None,
            stderr: None,
            mismatches: Vec::new(),
            divergent: false,
            divergence: None,
            attempts: Vec::new(),
            repro: None,
            signature: None,
            baseline: None,
        }
    }

    /// The case's name as reports show it: `suite::case` when the record names its
    /// suite, else the case alone.
    pub fn case_id(&self) -> String {
        if self.suite.is_empty() {
            self.case.clone()
        } else {
            format!("{}::{}", self.suite, self.case)
        }
    }

    /// Drop the output texts, keeping digests: what a passing, agreeing result keeps.
    pub fn forget_output(&mut self) {
        for out in [&mut self.stdout, &mut self.stderr].into_iter().flatten() {
            out.text = None;
        }
        self.mismatches.clear();
    }
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutcomeKind {
    /// The guest exited (or `_start` returned).
    Exited,
    /// The guest trapped.
    Trapped,
    /// The deadline passed and the worker was killed.
    Timeout,
    /// The memory limit stopped the guest.
    Memory,
    /// The module could not be instantiated.
    InstantiateError,
    /// The worker process died.
    Crashed,
}

/// How a run ended, as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeRecord {
    /// The kind of ending.
    pub kind: OutcomeKind,
    /// The exit code, for `Exited`.
    pub exit_code: Option<i32>,
    /// The trap, crash or instantiation message.
    pub message: Option<String>,
}

/// One normalised output stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputRecord {
    /// SHA-256 (hex) of the normalised bytes: equal digests, equal output.
    pub digest: String,
    /// Bytes the guest wrote in all, including any dropped over the cap.
    pub bytes: u64,
    /// Whether the guest wrote more than the cap (the text is then its head,
    /// a marker line, and its tail).
    pub truncated: bool,
    /// The stream offsets dropped at the cap, when it was truncated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dropped: Option<ByteRange>,
    /// The normalised text (invalid UTF-8 replaced), kept for failing and divergent
    /// cases only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// A range of byte offsets in an output stream, `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ByteRange {
    /// The first offset in the range.
    pub start: u64,
    /// The first offset after it.
    pub end: u64,
}

/// A stream that differs from its golden file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MismatchRecord {
    /// `stdout` or `stderr`.
    pub stream: String,
    /// The golden file's path (it may not exist: missing means expected empty).
    pub golden: String,
    /// The normalised golden.
    pub expected: String,
    /// The normalised actual output.
    pub actual: String,
    /// The actual output was cut at the cap, so it was not blessed.
    #[serde(default, skip_serializing_if = "is_false")]
    pub truncated: bool,
}

/// One earlier attempt of a retried job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    /// Its verdict.
    pub status: Status,
    /// Why it failed.
    pub reason: Option<Reason>,
    /// Its wall time in milliseconds.
    pub duration_ms: f64,
    /// Its detail text (see [`CaseResult::detail`]).
    pub detail: String,
    /// Its mismatches.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mismatches: Vec<MismatchRecord>,
}

/// The run's totals. `Pass` and `XFail` count as passed; `Fail`, `XPass` and `Error` as
/// failed; `Flaky`, `Skip` and `NotRun` on their own. `xfailed`, `xpassed` and `errors`
/// count those subsets again. `total()` is always cases × engines.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Summary {
    /// `Pass` + `XFail`.
    pub passed: usize,
    /// `Fail` + `XPass` + `Error`.
    pub failed: usize,
    /// `Flaky`: failed, then passed on a retry.
    pub flaky: usize,
    /// `Skip`.
    pub skipped: usize,
    /// `NotRun`.
    pub not_run: usize,
    /// `XFail` (also counted in `passed`).
    pub xfailed: usize,
    /// `XPass` (also counted in `failed`).
    pub xpassed: usize,
    /// `Error` (also counted in `failed`).
    pub errors: usize,
    /// Cases whose engines disagree (each case once, not per engine).
    pub divergent: usize,
    /// Per engine, how many divergent cases it was the odd one out of.
    pub odd_one_out: BTreeMap<String, usize>,
    /// Whether the run was interrupted (Ctrl-C, SIGTERM).
    pub interrupted: bool,
    /// With a baseline: (failures it knew, failures it did not).
    pub baseline: Option<(usize, usize)>,
    /// Wall time of the whole run.
    pub duration: Duration,
    /// Per suite, when results name their suites (a merge of different suites): each
    /// suite's own totals, counted by the same rule; empty in a run of one suite.
    pub suites: BTreeMap<String, Summary>,
}

impl Summary {
    /// Counts one result by the rule above.
    pub fn add(&mut self, status: Status) {
        match status {
            Status::Pass => self.passed += 1,
            Status::XFail => {
                self.passed += 1;
                self.xfailed += 1;
            }
            Status::Fail => self.failed += 1,
            Status::XPass => {
                self.failed += 1;
                self.xpassed += 1;
            }
            Status::Error => {
                self.failed += 1;
                self.errors += 1;
            }
            Status::Flaky => self.flaky += 1,
            Status::Skip => self.skipped += 1,
            Status::NotRun => self.not_run += 1,
        }
    }

    /// Counts `results` by the rule above; `duration` is the run's wall time.
    ///
    /// Results that name their suite are also counted per suite, into
    /// [`Summary::suites`] (each with a zero duration: a caller that knows the suites'
    /// times sets them).
    pub fn from_results<'a>(
        results: impl IntoIterator<Item = &'a CaseResult>,
        duration: Duration,
    ) -> Self {
        let results: Vec<&CaseResult> = results.into_iter().collect();
        let mut summary = Summary::counted(results.iter().copied(), duration);
        let mut by_suite: BTreeMap<&str, Vec<&CaseResult>> = BTreeMap::new();
        for r in results.iter().filter(|r| !r.suite.is_empty()) {
            by_suite.entry(r.suite.as_str()).or_default().push(r);
        }
        summary.suites = by_suite
            .into_iter()
            .map(|(suite, rs)| (suite.to_string(), Summary::counted(rs, Duration::ZERO)))
            .collect();
        summary
    }

    /// The counts of `results`, without the per-suite ones. A case diverges once per
    /// suite: same-named cases of two suites are two cases.
    fn counted<'a>(results: impl IntoIterator<Item = &'a CaseResult>, duration: Duration) -> Self {
        let mut summary = Summary {
            duration,
            ..Summary::default()
        };
        let mut divergent = BTreeMap::new();
        for r in results {
            summary.add(r.status);
            if r.divergent {
                let odd = r.divergence.as_ref().and_then(|d| d.odd_one_out.as_deref());
                divergent.insert((r.suite.as_str(), r.case.as_str()), odd);
            }
        }
        summary.divergent = divergent.len();
        for odd in divergent.into_values().flatten() {
            *summary.odd_one_out.entry(odd.to_string()).or_default() += 1;
        }
        summary
    }

    /// All results counted.
    pub fn total(&self) -> usize {
        self.passed + self.failed + self.flaky + self.skipped + self.not_run
    }

    /// Whether the run succeeded (nothing failed, nothing left unrun, not interrupted).
    pub fn is_success(&self) -> bool {
        self.failed == 0 && self.not_run == 0 && !self.interrupted
    }
}

/// What the scheduler tells reporters, in this order: one `Started`, one `Finished` per
/// case × engine as each completes (in completion order), one `Done`.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// The run begins.
    Started {
        /// The suite's name.
        suite: &'a str,
        /// The engines every case runs on.
        engines: &'a [String],
        /// How many results to expect (cases × engines).
        total: usize,
    },
    /// One case finished on one engine.
    Finished(&'a CaseResult),
    /// The run is over.
    Done(&'a Summary),
}

/// Sorts results into the fixed report order: by suite (when results name theirs),
/// case, then engine.
pub(crate) fn sort_results(results: &mut [CaseResult]) {
    results.sort_by(|a, b| (&a.suite, &a.case, &a.engine).cmp(&(&b.suite, &b.case, &b.engine)));
}

/// What a report that renders at the end keeps of a run's events: the
/// suite, its engines, every result and the final summary.
#[derive(Debug, Default, Clone)]
pub(crate) struct Collected {
    pub suite: String,
    pub engines: Vec<String>,
    pub results: Vec<CaseResult>,
    pub summary: Option<Summary>,
}

impl Collected {
    /// Keep what `ev` says.
    pub fn record(&mut self, ev: &Event<'_>) {
        match ev {
            Event::Started { suite, engines, .. } => {
                self.suite = suite.to_string();
                self.engines = engines.to_vec();
            }
            Event::Finished(result) => self.results.push((*result).clone()),
            Event::Done(summary) => self.summary = Some((*summary).clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_names() {
        let s = serde_json::to_string(&[
            Status::Pass,
            Status::XFail,
            Status::XPass,
            Status::Flaky,
            Status::NotRun,
        ])
        .unwrap();
        assert_eq!(s, r#"["pass","xfail","xpass","flaky","not-run"]"#);
        let r = serde_json::to_string(&[Reason::OutputMismatch, Reason::InstantiateError]).unwrap();
        assert_eq!(r, r#"["output-mismatch","instantiate-error"]"#);
        for reason in [Reason::ExitCode, Reason::CompileError, Reason::Memory] {
            assert_eq!(
                serde_json::to_string(&reason).unwrap(),
                format!("\"{reason}\"")
            );
        }
    }

    #[test]
    fn counting_rule() {
        use Status::*;
        let results: Vec<CaseResult> = [
            Pass, XFail, Fail, XPass, XPass, Skip, Flaky, Error, NotRun, NotRun,
        ]
        .into_iter()
        .map(|status| CaseResult::new("c", "e", status))
        .collect();
        let s = Summary::from_results(&results, Duration::from_secs(2));
        assert_eq!(
            (s.passed, s.failed, s.skipped, s.xfailed, s.xpassed),
            (2, 4, 1, 1, 2)
        );
        assert_eq!((s.flaky, s.errors, s.not_run), (1, 1, 2));
        assert_eq!(s.duration, Duration::from_secs(2));
        assert_eq!(s.total(), 10);
        assert!(!s.is_success());
    }

    #[test]
    fn flaky_alone_succeeds_but_not_run_does_not() {
        let mut s = Summary::default();
        s.add(Status::Pass);
        s.add(Status::Flaky);
        assert!(s.is_success());
        s.add(Status::NotRun);
        assert!(!s.is_success());
    }
}
