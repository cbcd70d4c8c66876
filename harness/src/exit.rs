//! Every exit status xharness itself chooses, in one place, so that the
//! CLI, `xharness exec`, the workers and the `cargo test` entry agree.
//!
//! A status comes from an outcome (every case passed, some failed) or
//! from an [`crate::Error`]'s kind ([`crate::Error::exit_code`]), never
//! from an error's text. `xharness run` and `xharness exec` pass the
//! guest's or the command's own status through instead.

/// Every case passed (expected failures and flaky jobs included).
pub const SUCCESS: u8 = 0;
/// Some case failed, or did not run.
pub const FAILED: u8 = 1;
/// The command line, a suite, a rules or baseline file, or another
/// input was wrong: nothing was judged.
pub const USAGE: u8 = 2;
/// A worker process could not serve (it was started wrongly or lost its
/// parent).
pub const WORKER: u8 = 3;
/// The harness's own machinery failed (`EX_SOFTWARE` of sysexits.h).
pub const INTERNAL: u8 = 70;
/// Reading or writing a file failed (`EX_IOERR` of sysexits.h).
pub const IO: u8 = 74;
/// A program the run needs is not installed, as a shell reports it.
pub const NOT_FOUND: u8 = 127;
/// The run was interrupted (Ctrl-C), as a shell reports SIGINT; the
/// reports written so far are marked `interrupted`.
pub const INTERRUPTED: u8 = 130;
