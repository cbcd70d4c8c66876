//! Every xharness output format: console (plain lines or a progress bar), JSON, JUnit XML
//! and HTML, and saved JSON runs read back and merged.
//!
//! The seam: the scheduler emits [`Event`]s as cases finish and every output format is a
//! [`Reporter`] listening to them (as in nextest, runner and reporter never meet). The
//! key design decision is that this crate knows nothing of engines, suites or the
//! judging: it receives plain data defined here ([`CaseResult`], [`Summary`]) holding
//! the raw facts as records (how the run ended, output digests, each mismatch with its
//! expected and actual text, earlier attempts), and each reporter renders them itself.
//! Nothing arrives pre-rendered or coloured: the console draws diffs (in colour only
//! when asked), JUnit writes them plain, JSON keeps the records as they are.
//!
//! - [`model`]: the data ([`Status`], [`Reason`], [`CaseResult`], [`Summary`], [`Event`]).
//! - [`console`]: [`Console`], one line per case or a progress bar, then failures, flaky
//!   cases and totals.
//! - [`json`]: [`JsonReport`] for `--json` and [`ListedCase`] for `--list`.
//! - [`junit`]: [`JunitReport`] for CI systems that read JUnit XML.
//! - [`html`]: [`HtmlReport`], one self-contained page: summary, case × engine matrix,
//!   filters and search, per-case details with diffs between engines.
//! - [`compare`]: two saved runs side by side (`report compare`): instruction counts,
//!   verdicts and outputs that changed.
//! - [`groups`]: failure signatures and the groups of records that share one.
//! - [`saved`]: [`SavedRun`], a `--json` report read back, several merged, replayed
//!   into any reporter.
//! - [`fanout`]: [`Fanout`], the one fan-out every entry point feeds, and [`FORMATS`],
//!   the one registry of file formats (`--output NAME:FILE`).
//!
//! Diffs are drawn by `xharness-golden`'s `render_diff`, so they look the same in every
//! report and wherever else users meet them.
//!
//! It reads no environment variable: the terminal width arrives as an argument.

pub mod compare;
pub mod console;
mod costs;
pub mod divergence;
mod error;
pub mod fanout;
mod fs;
pub mod groups;
pub mod html;
pub mod json;
pub mod junit;
pub mod model;
mod progress;
pub mod render;
pub mod saved;
mod totals;

#[cfg(test)]
mod test_data;

pub use console::Console;
pub use divergence::{Divergence, fingerprint, mark_divergence};
pub use error::ReportError;
pub use fanout::{FORMATS, Fanout, FileReport, Format, Output};
pub use groups::Group;
pub use html::HtmlReport;
pub use json::{JsonReport, ListedCase};
pub use junit::JunitReport;
pub use model::{
    Attempt, ByteRange, CaseResult, Event, MismatchRecord, OutcomeKind, OutcomeRecord,
    OutputRecord, Reason, Repro, Status, Summary,
};
pub use saved::SavedRun;

/// A listener for the scheduler's events; one per output format.
pub trait Reporter: Send {
    /// Handles one event. Output errors are kept and returned by [`Reporter::finish`].
    fn event(&mut self, ev: &Event<'_>);

    /// Flushes whatever the reporter still holds and reports the first error it met.
    fn finish(&mut self) -> Result<(), ReportError> {
        Ok(())
    }
}
