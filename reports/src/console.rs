//! The console reporter: live progress while cases run, then failures and totals.
//!
//! Two modes, picked by the caller's `is_terminal`:
//! - **plain** (pipes, CI logs): one line per finished case, e.g.
//!   `PASS c-basic::stdout/hello::wasmtime (3.1 ms)` or
//!   `FAIL c-basic::stdout/multi::wasmer (4.0 ms) output-mismatch`;
//! - **terminal**: an indicatif progress bar (`[elapsed] bar pos/len current-case`) with
//!   only the non-passing lines printed above it (every line when `verbose`).
//!
//! `NOT RUN` lines (there can be thousands after `--fail-fast`) are printed only when
//! `verbose`; they are always counted.
//!
//! This reporter does all the rendering: at `Done`, failures are printed under
//! `failures:` sorted by case then engine, each with its detail text and its mismatches
//! as unified diffs (coloured only when the console has colour). Flaky results are
//! listed apart under `flaky:` with the reasons of their earlier attempts. With
//! `verbose`, expected failures are shown too, under `expected failures:`. The very
//! last line is the plain `N passed, N failed[, N flaky][, N skipped][, N not run]`
//! that CI log readers look for.
//!
//! With instruction counts (`--count-instructions`), the costliest records follow the
//! groups ([`crate::costs`]), each with its count and engine.
//!
//! In a merge of several suites each record names its suite (`PASS alpha::hello::wasmer`),
//! and a `suites:` block gives each suite's totals before the run's.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::costs::Costliest;
use crate::model::sort_results;
use crate::progress::{SharedWriter, TermWriter, lock};
use crate::render::failure_text;
use crate::totals::{push_groups, suite_totals, totals_detail, totals_line};
use crate::{CaseResult, Event, ReportError, Reporter, Status, Summary};

/// Writes progress, failures and totals to a terminal or any other writer.
pub struct Console {
    out: SharedWriter,
    is_terminal: bool,
    color: bool,
    verbose: bool,
    columns: Option<u16>,
    suite: String,
    bar: Option<ProgressBar>,
    failures: Vec<CaseResult>,
    xfails: Vec<CaseResult>,
    flaky: Vec<CaseResult>,
    /// Every record with a signature, for the groups after the failures.
    signed: Vec<CaseResult>,
    /// The records that counted the most instructions.
    costliest: Costliest,
    error: Option<io::Error>,
}

impl Console {
    /// A console reporter writing to `out`.
    ///
    /// `is_terminal` selects the progress bar; `color` adds ANSI colours to the status
    /// labels and diffs; `verbose` prints every case (`NOT RUN` ones included) and keeps
    /// expected failures' details for the end.
    pub fn new(out: Box<dyn Write + Send>, is_terminal: bool, color: bool, verbose: bool) -> Self {
        Self {
            out: Arc::new(Mutex::new(out)),
            is_terminal,
            color,
            verbose,
            columns: None,
            suite: String::new(),
            bar: None,
            failures: Vec::new(),
            xfails: Vec::new(),
            flaky: Vec::new(),
            signed: Vec::new(),
            costliest: Costliest::new(crate::costs::SHOWN),
            error: None,
        }
    }

    /// The progress bar's width when no terminal can be asked for one
    /// (the harness passes `COLUMNS`); 80 without it.
    pub fn with_columns(mut self, columns: Option<u16>) -> Self {
        self.columns = columns;
        self
    }

    fn started(&mut self, suite: &str, total: usize) {
        self.suite = suite.to_string();
        if !self.is_terminal {
            return;
        }
        let target = ProgressDrawTarget::term_like(Box::new(TermWriter::new(
            self.out.clone(),
            self.columns,
        )));
        let bar = ProgressBar::with_draw_target(Some(total as u64), target);
        let template = if self.color {
            "[{elapsed_precise}] {bar:40.cyan/blue} {pos}/{len} {msg}"
        } else {
            "[{elapsed_precise}] {bar:40} {pos}/{len} {msg}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.enable_steady_tick(Duration::from_millis(100));
        self.bar = Some(bar);
    }

    fn finished(&mut self, r: &CaseResult) {
        let shown = match r.status {
            Status::NotRun => self.verbose,
            Status::Pass => self.verbose || self.bar.is_none(),
            _ => true,
        };
        let line = shown.then(|| self.case_line(r));
        if let Some(bar) = &self.bar {
            if let Some(line) = line {
                bar.println(line);
            }
            bar.inc(1);
            bar.set_message(format!("{}::{}", r.case, r.engine));
        } else if let Some(line) = line {
            self.write(&format!("{line}\n"));
        }
        if let Some(n) = r.instructions {
            self.costliest.offer(n, self.case_id(r));
        }
        if r.signature.is_some() {
            let mut slim = CaseResult::new(&r.case, &r.engine, r.status);
            slim.suite = r.suite.clone();
            slim.reason = r.reason;
            slim.divergent = r.divergent;
            slim.divergence = r.divergence.clone();
            slim.signature = r.signature.clone();
            self.signed.push(slim);
        }
        match r.status {
            status if status.is_failure() => self.failures.push(r.clone()),
            Status::Flaky => self.flaky.push(r.clone()),
            Status::XFail if self.verbose => self.xfails.push(r.clone()),
            _ => {}
        }
    }

    fn done(&mut self, summary: &Summary) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        let mut text = String::new();
        let xfails = std::mem::take(&mut self.xfails);
        self.push_section(&mut text, "expected failures:", xfails);
        let failures = std::mem::take(&mut self.failures);
        self.push_section(&mut text, "failures:", failures);
        let flaky = std::mem::take(&mut self.flaky);
        self.push_flaky(&mut text, flaky);
        push_groups(
            &mut text,
            &crate::groups::groups(&std::mem::take(&mut self.signed)),
        );
        self.costliest.push_section(&mut text);
        text.push('\n');
        text.push_str(&suite_totals(summary));
        if summary.interrupted {
            text.push_str("interrupted: the run was stopped before every case finished\n");
        }
        text.push_str(&totals_detail(summary));
        text.push_str(&totals_line(summary));
        self.write(&text);
        self.flush();
    }

    /// Appends `title` and each result's heading, detail and diffs, sorted by case then
    /// engine.
    fn push_section(&self, text: &mut String, title: &str, mut results: Vec<CaseResult>) {
        if results.is_empty() {
            return;
        }
        sort_results(&mut results);
        let _ = writeln!(text, "\n{title}");
        for r in &results {
            let _ = writeln!(text, "\n---- {} ----", self.case_line(r));
            if let Some(d) = &r.divergence {
                let _ = writeln!(text, "diverges: {}", d.describe());
            }
            text.push_str(&self.failure_detail(r));
            if let Some(repro) = r.repro.as_ref().filter(|_| r.status != Status::XFail) {
                text.push_str(&crate::render::repro_text(repro));
            }
        }
    }

    /// Appends `flaky:` and each flaky result's line, with one line per earlier attempt.
    fn push_flaky(&self, text: &mut String, mut results: Vec<CaseResult>) {
        if results.is_empty() {
            return;
        }
        sort_results(&mut results);
        text.push_str("\nflaky:\n");
        for r in &results {
            let _ = writeln!(text, "{}", self.case_line(r));
            for (n, a) in r.attempts.iter().enumerate() {
                let _ = write!(
                    text,
                    "  attempt {}: {} ({})",
                    n + 1,
                    self.label(a.status),
                    format_ms(a.duration_ms)
                );
                if let Some(reason) = a.reason {
                    let _ = write!(text, " {reason}");
                }
                text.push('\n');
            }
            if let Some(repro) = &r.repro {
                for line in crate::render::repro_text(repro).lines() {
                    let _ = writeln!(text, "  {line}");
                }
            }
        }
    }

    /// What to print under a failure's heading: its detail and diffs, or why an `XPass`
    /// is a failure.
    fn failure_detail(&self, r: &CaseResult) -> String {
        if r.status == Status::XPass && r.detail.is_empty() && r.mismatches.is_empty() {
            return "unexpectedly passed: remove the expectation if the bug is fixed\n".to_string();
        }
        failure_text(&r.detail, &r.mismatches, self.color)
    }

    /// `LABEL suite::case::engine (duration) reason: expectation`, parts as they apply.
    fn case_line(&self, r: &CaseResult) -> String {
        let mut line = format!("{} {}", self.label(r.status), self.case_id(r));
        if !matches!(r.status, Status::Skip | Status::NotRun) {
            let _ = write!(line, " ({})", format_ms(r.duration_ms));
        }
        if let Some(reason) = r.reason {
            let _ = write!(line, " {reason}");
        }
        if let Some(expectation) = r
            .expectation
            .as_deref()
            .filter(|_| r.status != Status::Pass)
        {
            let _ = write!(line, ": {expectation}");
        }
        if let Some(d) = r
            .divergence
            .as_ref()
            .filter(|d| d.odd_one_out.as_deref() == Some(r.engine.as_str()))
        {
            let _ = write!(line, " [odd one out: {}]", d.describe());
        }
        line
    }

    /// `suite::case::engine`: the record's own suite in a run of several, else the
    /// run's (left out when it has no name).
    fn case_id(&self, r: &CaseResult) -> String {
        let suite = if r.suite.is_empty() {
            &self.suite
        } else {
            &r.suite
        };
        if suite.is_empty() {
            format!("{}::{}", r.case, r.engine)
        } else {
            format!("{suite}::{}::{}", r.case, r.engine)
        }
    }

    fn label(&self, status: Status) -> String {
        if !self.color {
            return status.label().to_string();
        }
        let code = match status {
            Status::Pass => "32",
            Status::Fail | Status::XPass | Status::Error => "1;31",
            Status::XFail | Status::Flaky => "33",
            Status::Skip | Status::NotRun => "2",
        };
        format!("\x1b[{code}m{}\x1b[0m", status.label())
    }

    fn write(&mut self, text: &str) {
        let result = lock(&self.out).write_all(text.as_bytes());
        self.remember(result);
    }

    fn flush(&mut self) {
        let result = lock(&self.out).flush();
        self.remember(result);
    }

    /// Keeps the first output error for [`Reporter::finish`].
    fn remember(&mut self, result: io::Result<()>) {
        if let Err(e) = result {
            self.error.get_or_insert(e);
        }
    }
}

/// `3.1 ms` under a second, `1.25 s` from there on.
fn format_ms(ms: f64) -> String {
    if ms < 1000.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

impl Reporter for Console {
    fn event(&mut self, ev: &Event<'_>) {
        match ev {
            Event::Started { suite, total, .. } => self.started(suite, *total),
            Event::Finished(r) => self.finished(r),
            Event::Done(summary) => self.done(summary),
        }
    }

    fn finish(&mut self) -> Result<(), ReportError> {
        self.flush();
        match self.error.take() {
            Some(e) => Err(ReportError::Console(e)),
            None => Ok(()),
        }
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        // A run that stopped before `Done` leaves the bar where it was, not half-drawn.
        if let Some(bar) = self.bar.take() {
            bar.abandon();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_data::{Capture, feed, sample_results};

    fn run(is_terminal: bool, color: bool, verbose: bool) -> (String, Result<(), ReportError>) {
        let capture = Capture::default();
        let mut console = Console::new(Box::new(capture.clone()), is_terminal, color, verbose);
        feed(&mut console, &sample_results());
        let finished = console.finish();
        drop(console);
        (capture.text(), finished)
    }

    #[test]
    fn plain_output() {
        let (text, finished) = run(false, false, false);
        finished.unwrap();
        insta::assert_snapshot!(text);
    }

    #[test]
    fn plain_verbose_output() {
        let (text, _) = run(false, false, true);
        insta::assert_snapshot!(text);
    }

    const TOTALS: &str = "4 passed, 4 failed, 1 flaky, 1 skipped, 1 not run";

    #[test]
    fn coloured_labels_and_diffs_but_plain_totals() {
        let (text, _) = run(false, true, false);
        assert!(text.contains("\x1b[32mPASS\x1b[0m c-basic::stdout/hello::wasmtime (3.1 ms)"));
        assert!(text.contains("\x1b[1;31mERROR\x1b[0m c-basic::mem/huge::wasmer"));
        assert!(text.contains("\x1b[33mFLAKY\x1b[0m c-basic::stdout/racy::wasmtime"));
        assert!(text.contains("\x1b[31m-two"), "{text}");
        assert_eq!(text.lines().last(), Some(TOTALS));
    }

    #[test]
    fn plain_output_has_no_escapes() {
        let (text, _) = run(false, false, true);
        assert!(!text.contains('\x1b'), "{text}");
    }

    #[test]
    fn not_run_lines_only_when_verbose() {
        let (quiet, _) = run(false, false, false);
        assert!(!quiet.contains("NOT RUN"), "{quiet}");
        let (verbose, _) = run(false, false, true);
        assert!(
            verbose.contains("\nNOT RUN c-basic::zz/later::wasmer\n"),
            "{verbose}"
        );
        let (bar_verbose, _) = run(true, true, true);
        assert!(bar_verbose.contains("NOT RUN\x1b[0m c-basic::zz/later::wasmer"));
    }

    #[test]
    fn flaky_results_are_listed_apart_with_their_attempts() {
        let (text, _) = run(true, false, false);
        let flaky = text.find("\nflaky:\n").expect("flaky section");
        assert!(text[flaky..].starts_with(
            "\nflaky:\nFLAKY c-basic::stdout/racy::wasmtime (2.0 ms)\n  attempt 1: FAIL (1.5 ms) output-mismatch\n"
        ));
        let failures = text.find("\nfailures:\n").expect("failures section");
        assert!(!text[failures..flaky].contains("stdout/racy"), "{text}");
    }

    #[test]
    fn interrupted_run_says_so_before_the_totals() {
        let capture = Capture::default();
        let mut console = Console::new(Box::new(capture.clone()), false, false, false);
        let results = sample_results();
        let mut summary = Summary::from_results(&results, Duration::from_secs(1));
        summary.interrupted = true;
        for r in &results {
            console.event(&Event::Finished(r));
        }
        console.event(&Event::Done(&summary));
        console.finish().unwrap();
        drop(console);
        let text = capture.text();
        let lines: Vec<&str> = text.lines().rev().take(3).collect();
        assert_eq!(
            lines,
            [
                TOTALS,
                "1 expected to fail; 1 unexpectedly passed; 1 errored (worker died); \
                 1 case diverges between engines; finished in 1.00 s",
                "interrupted: the run was stopped before every case finished",
            ]
        );
    }

    #[test]
    fn the_odd_one_out_says_so_on_its_line_and_in_the_totals() {
        let mut results: Vec<CaseResult> = ["wasmtime", "wasmer", "wasmi"]
            .iter()
            .map(|engine| {
                let mut r = CaseResult::new("files/fd", *engine, Status::Pass);
                r.outcome = Some(crate::OutcomeRecord {
                    kind: crate::OutcomeKind::Exited,
                    exit_code: Some(if *engine == "wasmer" { 1 } else { 0 }),
                    message: None,
                });
                r
            })
            .collect();
        results[1].status = Status::Fail;
        crate::divergence::mark_divergence(&mut results);
        let capture = Capture::default();
        let mut console = Console::new(Box::new(capture.clone()), false, false, false);
        for r in &results {
            console.event(&Event::Finished(r));
        }
        console.event(&Event::Done(&Summary::from_results(
            &results,
            Duration::from_secs(1),
        )));
        console.finish().unwrap();
        drop(console);
        let text = capture.text();
        assert!(
            text.contains("FAIL files/fd::wasmer (0.0 ms) [odd one out: wasmer differs from wasmi, wasmtime]\n"),
            "{text}"
        );
        assert!(!text.contains("PASS files/fd::wasmi (0.0 ms) ["), "{text}");
        assert!(
            text.contains("diverges: wasmer differs from wasmi, wasmtime\n"),
            "{text}"
        );
        assert!(text.contains("(odd one out: wasmer 1)"), "{text}");
    }

    #[test]
    fn a_merge_of_two_suites_names_each_records_suite_and_totals_each_suite() {
        let capture = Capture::default();
        let mut console = Console::new(Box::new(capture.clone()), false, false, false);
        crate::test_data::two_suites().replay(&mut console);
        console.finish().unwrap();
        drop(console);
        let text = capture.text();
        insta::assert_snapshot!(text);
        assert!(
            text.contains("PASS alpha::hello::wasmer (2.5 ms)\n"),
            "{text}"
        );
        assert!(
            text.contains("PASS beta::hello::wasmer (2.5 ms)\n"),
            "{text}"
        );
        assert!(
            text.ends_with(
                "suites:\n  alpha: 3 passed, 1 failed; 1 divergent\n  beta: 3 passed, 0 failed, 1 skipped\n\
                 1 case diverges between engines; finished in 0.15 s\n6 passed, 1 failed, 1 skipped\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn progress_bar_mode_ends_with_failures_and_totals() {
        let (text, finished) = run(true, false, false);
        finished.unwrap();
        assert!(!text.contains("PASS c-basic::stdout/hello"), "{text}");
        assert!(text.contains("FAIL c-basic::stdout/multi::wasmer (4.0 ms) output-mismatch"));
        let failures = text.find("\nfailures:\n").expect("failures section");
        assert!(text[failures..].contains("+TWO"));
        assert!(text.ends_with(&format!("\n{TOTALS}\n")), "{text:?}");
    }

    #[test]
    fn write_errors_are_reported_by_finish() {
        struct Broken;
        impl Write for Broken {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::new(io::ErrorKind::BrokenPipe, "closed"))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut console = Console::new(Box::new(Broken), false, false, false);
        feed(&mut console, &sample_results());
        let err = console.finish().unwrap_err();
        assert!(err.to_string().contains("closed"), "{err}");
    }
}
