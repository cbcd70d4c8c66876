//! The console reporter: live progress while cases run, then failures and totals.
//!
//! Two modes, picked by the caller's `is_terminal`:
//! - **plain** (pipes, CI logs): one line per finished case, e.g.
//!   `PASS c-basic::stdout/hello::wasmtime (3.1 ms)` or
//!   `FAIL c-basic::stdout/multi::wasmer (4.0 ms) output-mismatch`;
//! - **terminal**: an indicatif progress bar (`[elapsed] bar pos/len current-case`) with
//!   only the non-passing lines printed above it (every line when `verbose`).
//!
//! Only failed results are kept (with their detail); at `Done` they are printed under
//! `failures:` sorted by case then engine, and the very last line is the plain
//! `N passed, N failed[, N skipped]` that CI log readers look for. With `verbose`,
//! expected failures are kept too and shown under `expected failures:`.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::model::sort_results;
use crate::progress::{SharedWriter, TermWriter, lock};
use crate::{CaseResult, Event, ReportError, Reporter, Status, Summary};

/// Writes progress, failures and totals to a terminal or any other writer.
pub struct Console {
    out: SharedWriter,
    is_terminal: bool,
    color: bool,
    verbose: bool,
    suite: String,
    bar: Option<ProgressBar>,
    failures: Vec<CaseResult>,
    xfails: Vec<CaseResult>,
    error: Option<io::Error>,
}

impl Console {
    /// A console reporter writing to `out`.
    ///
    /// `is_terminal` selects the progress bar; `color` adds ANSI colours to the status
    /// labels; `verbose` prints every case above the bar and keeps expected failures'
    /// details for the end.
    pub fn new(out: Box<dyn Write + Send>, is_terminal: bool, color: bool, verbose: bool) -> Self {
        Self {
            out: Arc::new(Mutex::new(out)),
            is_terminal,
            color,
            verbose,
            suite: String::new(),
            bar: None,
            failures: Vec::new(),
            xfails: Vec::new(),
            error: None,
        }
    }

    fn started(&mut self, suite: &str, total: usize) {
        self.suite = suite.to_string();
        if !self.is_terminal {
            return;
        }
        let target = ProgressDrawTarget::term_like(Box::new(TermWriter::new(self.out.clone())));
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
        let line = self.case_line(r);
        match &self.bar {
            Some(bar) => {
                if self.verbose || r.status != Status::Pass {
                    bar.println(line);
                }
                bar.inc(1);
                bar.set_message(format!("{}::{}", r.case, r.engine));
            }
            None => self.write(&format!("{line}\n")),
        }
        if r.status.is_failure() {
            self.failures.push(r.clone());
        } else if self.verbose && r.status == Status::XFail {
            self.xfails.push(r.clone());
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
        text.push('\n');
        text.push_str(&totals_detail(summary));
        text.push_str(&totals_line(summary));
        self.write(&text);
        self.flush();
    }

    /// Appends `title` and each result's heading and detail, sorted by case then engine.
    fn push_section(&self, text: &mut String, title: &str, mut results: Vec<CaseResult>) {
        if results.is_empty() {
            return;
        }
        sort_results(&mut results);
        let _ = writeln!(text, "\n{title}");
        for r in &results {
            let _ = writeln!(text, "\n---- {} ----", self.case_line(r));
            let detail = failure_detail(r);
            text.push_str(&detail);
            if !detail.is_empty() && !detail.ends_with('\n') {
                text.push('\n');
            }
        }
    }

    /// `LABEL suite::case::engine (duration) reason: expectation`, parts as they apply.
    fn case_line(&self, r: &CaseResult) -> String {
        let mut line = format!("{} {}", self.label(r.status), self.case_id(r));
        if r.status != Status::Skip {
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
        line
    }

    fn case_id(&self, r: &CaseResult) -> String {
        if self.suite.is_empty() {
            format!("{}::{}", r.case, r.engine)
        } else {
            format!("{}::{}::{}", self.suite, r.case, r.engine)
        }
    }

    fn label(&self, status: Status) -> String {
        if !self.color {
            return status.label().to_string();
        }
        let code = match status {
            Status::Pass => "32",
            Status::Fail | Status::XPass => "1;31",
            Status::XFail => "33",
            Status::Skip => "2",
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

/// What to print under a failure's heading: its detail, or why an `XPass` is a failure.
fn failure_detail(r: &CaseResult) -> String {
    if r.status == Status::XPass && r.detail.is_empty() {
        return "unexpectedly passed: remove the expectation if the bug is fixed\n".to_string();
    }
    r.detail.clone()
}

/// The line before the totals: expected failures, unexpected passes and wall time.
fn totals_detail(s: &Summary) -> String {
    let mut parts = Vec::new();
    if s.xfailed > 0 {
        parts.push(format!("{} expected to fail", s.xfailed));
    }
    if s.xpassed > 0 {
        parts.push(format!("{} unexpectedly passed", s.xpassed));
    }
    parts.push(format!("finished in {:.2} s", s.duration.as_secs_f64()));
    format!("{}\n", parts.join("; "))
}

/// The very last line: `N passed, N failed`, then `, N skipped` when any were skipped.
fn totals_line(s: &Summary) -> String {
    let mut line = format!("{} passed, {} failed", s.passed, s.failed);
    if s.skipped > 0 {
        let _ = write!(line, ", {} skipped", s.skipped);
    }
    line.push('\n');
    line
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

    #[test]
    fn coloured_labels_but_plain_totals() {
        let (text, _) = run(false, true, false);
        assert!(text.contains("\x1b[32mPASS\x1b[0m c-basic::stdout/hello::wasmtime (3.1 ms)"));
        assert_eq!(text.lines().last(), Some("4 passed, 3 failed, 1 skipped"));
    }

    #[test]
    fn no_skipped_part_without_skips() {
        let mut s = Summary::default();
        s.add(Status::Pass);
        s.add(Status::Fail);
        assert_eq!(totals_line(&s), "1 passed, 1 failed\n");
    }

    #[test]
    fn progress_bar_mode_ends_with_failures_and_totals() {
        let (text, finished) = run(true, false, false);
        finished.unwrap();
        assert!(!text.contains("PASS c-basic::stdout/hello"), "{text}");
        assert!(text.contains("FAIL c-basic::stdout/multi::wasmer (4.0 ms) output-mismatch"));
        let failures = text.find("\nfailures:\n").expect("failures section");
        assert!(text[failures..].contains("+TWO"));
        assert!(
            text.ends_with("\n4 passed, 3 failed, 1 skipped\n"),
            "{text:?}"
        );
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
