//! Every xharness output format: console (plain lines or a progress bar), JSON and JUnit XML.
//!
//! The seam: the scheduler emits [`Event`]s as cases finish and every output format is a
//! [`Reporter`] listening to them (as in nextest, runner and reporter never meet). The
//! key design decision is that this crate knows nothing of engines, suites or golden
//! files: it receives plain data defined here ([`CaseResult`], [`Summary`]) and the
//! failure text already rendered (diffs, trap messages) in [`CaseResult::detail`].
//!
//! - [`model`]: the data ([`Status`], [`Reason`], [`CaseResult`], [`Summary`], [`Event`]).
//! - [`console`]: [`Console`], one line per case or a progress bar, then failures and totals.
//! - [`json`]: [`JsonReport`] for `--json` and [`ListedCase`] for `--list`.
//! - [`junit`]: [`JunitReport`] for CI systems that read JUnit XML.

pub mod console;
mod error;
mod fs;
pub mod json;
pub mod junit;
pub mod model;
mod progress;
mod xml;

#[cfg(test)]
mod test_data;

pub use console::Console;
pub use error::ReportError;
pub use json::{JsonReport, ListedCase};
pub use junit::JunitReport;
pub use model::{CaseResult, Event, Reason, Status, Summary};

/// A listener for the scheduler's events; one per output format.
pub trait Reporter: Send {
    /// Handles one event. Output errors are kept and returned by [`Reporter::finish`].
    fn event(&mut self, ev: &Event<'_>);

    /// Flushes whatever the reporter still holds and reports the first error it met.
    fn finish(&mut self) -> Result<(), ReportError> {
        Ok(())
    }
}
