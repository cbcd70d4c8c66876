//! xharness: a test harness for cross-compiled (WebAssembly) test suites.
//!
//! This crate wires the seams together and owns what is left: the compile
//! stage ([`toolchain`]), the run session and its scheduler ([`session`]),
//! the worker processes that run guests ([`worker`]), judging ([`verdict`],
//! [`finish`]), the command line ([`cli`]) and the `cargo test` entry
//! ([`libtest`]). Data flows one way:
//! suite → case → toolchain → module → engine → outcome → golden → verdict
//! → reporter, each step a crate of its own:
//!
//! - `xharness-suites` discovers cases from a suite definition;
//! - `xharness-engines` runs modules on wasmtime or wasmer, and
//!   `xharness-engines-wasmi` on wasmi, all from one [`registry`];
//! - `xharness-golden` normalises, compares, diffs and blesses output;
//! - `xharness-reports` renders results (console, JSON, JUnit).
//!
//! Only this crate reads the environment, once, at its edges ([`config`]); it
//! hands the other crates plain values and keeps suite, engine and format
//! knowledge in their crates.

pub mod archive;
pub mod baseline;
pub mod cli;
pub mod config;
mod error;
pub mod exec;
pub mod exit;
pub mod finish;
pub mod libtest;
pub mod listing;
pub mod partition;
mod program;
pub mod registry;
pub mod repro;
pub mod retry;
pub mod scratch;
pub mod session;
pub mod state;
mod sys;
pub mod toolchain;
pub mod verdict;
pub mod worker;

pub use error::{Error, Result};
pub use registry::default_registry;
pub use xharness_engines as engines;
pub use xharness_golden as golden;
pub use xharness_reports as reports;
pub use xharness_suites as suites;
