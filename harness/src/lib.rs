//! xharness: a test harness for cross-compiled (WebAssembly) test suites.
//!
//! This crate wires the seams together and owns what is left: the compile
//! stage ([`toolchain`]), the scheduler ([`schedule`]), the command line
//! ([`cli`]) and the `cargo test` entry ([`libtest`]). Data flows one way:
//! suite → case → toolchain → module → engine → outcome → golden → verdict
//! → reporter, each step a crate of its own:
//!
//! - `xharness-suites` discovers cases from a suite definition;
//! - `xharness-engines` runs modules on wasmtime or wasmer;
//! - `xharness-golden` normalises, compares, diffs and blesses output;
//! - `xharness-reports` renders results (console, JSON, JUnit).

pub mod cli;
pub mod libtest;
pub mod schedule;
pub mod scratch;
pub mod toolchain;
pub mod verdict;

pub use xharness_engines as engines;
pub use xharness_golden as golden;
pub use xharness_reports as reports;
pub use xharness_suites as suites;

use std::sync::Arc;

use xharness_engines::Engine;

/// Start the named engines, in the order given.
pub fn start_engines(
    names: &[String],
) -> Result<Vec<Arc<dyn Engine>>, xharness_engines::EngineError> {
    names.iter().map(|n| xharness_engines::by_name(n)).collect()
}

/// The normaliser a suite asks for.
pub fn normalizer(
    suite: &xharness_suites::Suite,
) -> Result<xharness_golden::Normalizer, xharness_golden::GoldenError> {
    let n = &suite.normalize;
    xharness_golden::Normalizer::new(&n.rules, n.trim_trailing_whitespace, n.normalize_crlf)
}
