//! The plain data reporters receive: per-case results, the run's summary and the events.
//!
//! Nothing here refers to engines, suites or golden files; the harness converts its
//! verdicts into [`CaseResult`]s before any reporter sees them.

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
    /// Not run.
    Skip,
}

impl Status {
    /// The upper-case label used on the console: `PASS`, `FAIL`, `XFAIL`, `XPASS`, `SKIP`.
    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::XFail => "XFAIL",
            Status::XPass => "XPASS",
            Status::Skip => "SKIP",
        }
    }

    /// Whether this status makes the run fail (`Fail` and `XPass`).
    pub fn is_failure(self) -> bool {
        matches!(self, Status::Fail | Status::XPass)
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
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The result of one case on one engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseResult {
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
    /// Human text for failures: the diff(s), the trap message, compiler stderr...
    /// Empty for passes.
    pub detail: String,
    /// The xfail/skip reason text, if the case had an expectation.
    pub expectation: Option<String>,
}

/// The run's totals. `Pass` and `XFail` count as passed, `Fail` and `XPass` as failed,
/// `Skip` as skipped; `xfailed` and `xpassed` count those subsets again on their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    /// `Pass` + `XFail`.
    pub passed: usize,
    /// `Fail` + `XPass`.
    pub failed: usize,
    /// `Skip`.
    pub skipped: usize,
    /// `XFail` (also counted in `passed`).
    pub xfailed: usize,
    /// `XPass` (also counted in `failed`).
    pub xpassed: usize,
    /// Wall time of the whole run.
    pub duration: Duration,
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
            Status::Skip => self.skipped += 1,
        }
    }

    /// Counts `results` by the rule above; `duration` is the run's wall time.
    pub fn from_results<'a>(
        results: impl IntoIterator<Item = &'a CaseResult>,
        duration: Duration,
    ) -> Self {
        let mut summary = Summary {
            duration,
            ..Summary::default()
        };
        for r in results {
            summary.add(r.status);
        }
        summary
    }

    /// All results counted.
    pub fn total(&self) -> usize {
        self.passed + self.failed + self.skipped
    }

    /// Whether the run succeeded (nothing failed).
    pub fn is_success(&self) -> bool {
        self.failed == 0
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

/// Sorts results into the fixed report order: by case, then engine.
/// A copy of `r` whose detail has no ANSI escape sequences: files get
/// plain text even when the console shows colour.
pub(crate) fn without_ansi(r: &CaseResult) -> CaseResult {
    let mut out = r.clone();
    if out.detail.contains('\x1b') {
        out.detail = strip_ansi(&out.detail);
    }
    out
}

/// Remove CSI sequences (`ESC [ … final-byte`), which is all the colour
/// rendering emits.
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

pub(crate) fn sort_results(results: &mut [CaseResult]) {
    results.sort_by(|a, b| (&a.case, &a.engine).cmp(&(&b.case, &b.engine)));
}

#[cfg(test)]
mod tests {
    #[test]
    fn ansi_colour_is_stripped_for_files() {
        assert_eq!(
            super::strip_ansi("\x1b[31m-old\x1b[0m\n+new\n"),
            "-old\n+new\n"
        );
    }
    use super::*;

    #[test]
    fn serde_names() {
        let s = serde_json::to_string(&[Status::Pass, Status::XFail, Status::XPass]).unwrap();
        assert_eq!(s, r#"["pass","xfail","xpass"]"#);
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
        let results: Vec<CaseResult> = [Pass, XFail, Fail, XPass, XPass, Skip]
            .into_iter()
            .map(|status| CaseResult {
                case: "c".into(),
                engine: "e".into(),
                status,
                reason: None,
                exit_code: None,
                duration_ms: 0.0,
                detail: String::new(),
                expectation: None,
            })
            .collect();
        let s = Summary::from_results(&results, Duration::from_secs(2));
        assert_eq!(
            (s.passed, s.failed, s.skipped, s.xfailed, s.xpassed),
            (2, 3, 1, 1, 2)
        );
        assert_eq!(s.duration, Duration::from_secs(2));
        assert_eq!(s.total(), 6);
        assert!(!s.is_success());
    }
}
