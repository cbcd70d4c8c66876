//! The `libtest` suite kind: every test inside Rust test binaries built for
//! wasm32-wasip1, each its own case.
//!
//! # How it differs from the other kinds
//!
//! A libtest binary knows its own tests; nothing on disk lists them. So
//! loading a suite of this kind gives a [`Plan`], not a [`Suite`](crate::Suite): which
//! binaries to use (globs, or `cargo test --no-run`) and how to run them.
//! The harness then builds the binaries if asked, runs each binary's
//! `--list` on an engine (a stage of its own, cached by the module's hash),
//! and hands the listings back to [`Plan::suite`], which makes the cases.
//! This crate still runs nothing: [`cargo`] reads cargo's messages and
//! [`listing`] reads libtest's output, both as text.
//!
//! Each case runs one test in a fresh instance of its binary:
//! `BINARY.wasm --exact TEST --nocapture`, with the binary's package folder
//! preopened as `.` (cargo runs tests there too). Outputs are not compared
//! with goldens; the run is judged by libtest's report (the case's [`CaseKind::Libtest`](crate::CaseKind::Libtest)):
//! exit 0 with the test passed, a skip when libtest ignored it, else a
//! failure with the panic message. `#[ignore]` tests are skips with their
//! reason, and so are `#[should_panic]` tests on a `panic=abort` target
//! (wasm32-wasip1), which libtest itself reports as ignored because a
//! panic there ends the whole instance.
//!
//! # `suite.toml` (kind `libtest`)
//!
//! ```toml
//! name = "my-crate"                # default: the root folder's name
//! kind = "libtest"
//! root = "."                       # the crate or workspace; default: this file's folder
//! cargo = ["--workspace"]          # extra `cargo test` arguments (the default source), or
//! binaries = ["target/wasm32-wasip1/debug/deps/*.wasm"]   # globs under root
//! [run]
//! timeout = 60                     # seconds per test
//! max_memory = "1GiB"
//! max_output = "1MiB"
//! retries = 0
//! env = { RUST_BACKTRACE = "0" }   # the guest's whole environment
//! [expect.wasmer]                  # case names are BINARY/TEST
//! "files/reads_input" = "xfail: why"
//! ```
//!
//! Case names are `BINARY/TEST`: `BINARY` is cargo's target name (the
//! crate name for unit tests, the file name for `tests/*.rs`), or for a
//! binary found by glob its file name without cargo's `-HASH` suffix.

pub mod cargo;
mod cases;
pub mod listing;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::error::SuiteError;
use crate::source::SourceFile;

pub use listing::Listed;

/// The name `--suite` gives the built-in definition, and the `kind` key's value.
pub const BUILTIN_NAME: &str = "libtest";

/// The target the binaries are built for.
pub const TARGET: &str = "wasm32-wasip1";

/// Where the test binaries come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `cargo test --target wasm32-wasip1 --no-run --message-format=json`
    /// plus these arguments, run in the root.
    Cargo(Vec<String>),
    /// Globs under the root (or absolute) naming `.wasm` test binaries.
    Binaries(Vec<String>),
}

/// One test binary and the folder its tests run in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binary {
    /// Absolute path of the `.wasm` file.
    pub path: PathBuf,
    /// The first part of its cases' names.
    pub name: String,
    /// Preopened as `.`: the package folder (cargo's cwd for tests).
    pub cwd: PathBuf,
}

/// A loaded `libtest` suite definition, waiting for its binaries' listings.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The suite's name.
    pub name: String,
    /// The suite file, or the root when there is none.
    pub file: PathBuf,
    /// The crate or workspace folder; globs and cargo start here.
    pub root: PathBuf,
    /// Where the binaries come from.
    pub source: Source,
    /// Wall-clock limit per test.
    pub timeout: Duration,
    /// Linear-memory limit per test, in bytes.
    pub max_memory: u64,
    /// Cap on captured bytes per stream.
    pub max_output: usize,
    /// `[run] retries`.
    pub retries: u32,
    /// The guest's environment, sorted.
    pub env: Vec<(String, String)>,
    /// The suite file's text, to check `[expect]` against the cases.
    source_file: Option<SourceFile>,
    /// `--cargo`/`--binaries` replaced the file's source: it may build a
    /// part of the tests, so `[expect]` entries for others are not errors.
    source_overridden: bool,
    expect: crate::generic::expect::RawExpect,
    /// Baseline files (see [`crate::Suite::expectations`]).
    pub expectations: Vec<String>,
}

/// The suite file, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLibtest {
    name: Option<String>,
    /// Read by [`crate::load`] to pick this module.
    #[allow(dead_code)]
    kind: Option<String>,
    root: Option<Spanned<String>>,
    cargo: Option<Vec<String>>,
    binaries: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    run: RawRun,
    #[serde(default)]
    expect: crate::generic::expect::RawExpect,
    /// Baseline files (see [`crate::Suite::expectations`]).
    #[serde(default)]
    expectations: Vec<String>,
}

/// `[run]` of a libtest suite file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRun {
    timeout: Option<crate::units::Seconds>,
    max_memory: Option<crate::units::ByteSize>,
    max_output: Option<crate::units::ByteSize>,
    retries: Option<u32>,
    #[serde(default)]
    env: BTreeMap<String, String>,
}

/// Load a `libtest` suite file; `root_override` is `--root`.
pub fn load(file: &SourceFile, root_override: Option<&Path>) -> Result<Plan, SuiteError> {
    let raw: RawLibtest = file.parse()?;
    let root = crate::generic::resolve_root(file, raw.root.as_ref(), root_override)?;
    build(raw, Some(file), file.path.clone(), root)
}

/// The built-in definition for `--suite libtest --root DIR` (DIR defaults
/// to the working directory): a `suite.toml` of this kind in `DIR` or its
/// parent if there is one, else `cargo test` in `DIR` with the defaults.
pub fn load_builtin(root: &Path) -> Result<Plan, SuiteError> {
    match crate::builtin::locate(root, BUILTIN_NAME)? {
        (root, Some(file)) => {
            let raw: RawLibtest = file.parse()?;
            build(raw, Some(&file), file.path.clone(), root)
        }
        (root, None) => build(RawLibtest::default(), None, root.clone(), root),
    }
}

fn build(
    raw: RawLibtest,
    file: Option<&SourceFile>,
    path: PathBuf,
    root: PathBuf,
) -> Result<Plan, SuiteError> {
    let source = match (raw.cargo, raw.binaries) {
        (Some(_), Some(globs)) => {
            let message = "give either `cargo` (build the binaries) or `binaries` (globs of built ones), not both";
            return Err(match file {
                Some(f) => f.invalid(&globs, "binaries", message),
                None => SuiteError::Libtest {
                    file: path,
                    message: message.into(),
                },
            });
        }
        (_, Some(globs)) => {
            check_globs(file, &globs)?;
            Source::Binaries(globs.into_inner())
        }
        (cargo, None) => Source::Cargo(cargo.unwrap_or_default()),
    };
    let name = raw.name.unwrap_or_else(|| {
        root.file_name().map_or_else(
            || BUILTIN_NAME.to_owned(),
            |n| n.to_string_lossy().into_owned(),
        )
    });
    let expectations = crate::builtin::expectation_paths(&path, &raw.expectations);
    Ok(Plan {
        expectations,
        name,
        file: path,
        root,
        source,
        timeout: raw.run.timeout.map_or(Duration::from_secs(60), |s| s.0),
        max_memory: raw.run.max_memory.map_or(1 << 30, |b| b.0),
        max_output: raw
            .run
            .max_output
            .map_or(1 << 20, |b| usize::try_from(b.0).unwrap_or(usize::MAX)),
        retries: raw.run.retries.unwrap_or(0),
        env: raw.run.env.into_iter().collect(),
        source_file: file.cloned(),
        source_overridden: false,
        expect: raw.expect,
    })
}

fn check_globs(file: Option<&SourceFile>, globs: &Spanned<Vec<String>>) -> Result<(), SuiteError> {
    for g in globs.get_ref() {
        if let Err(e) = globset::Glob::new(g) {
            let message = format!("bad glob {g:?}: {e}");
            if let Some(f) = file {
                return Err(f.invalid(globs, "binaries", message));
            }
        }
    }
    Ok(())
}

impl Plan {
    /// Replace where the binaries come from (`--cargo`, `--binaries`).
    pub fn with_source(mut self, source: Source) -> Self {
        self.source = source;
        self.source_overridden = true;
        self
    }

    /// The `.wasm` files the `binaries` globs match, newest first within
    /// one name: cargo keeps old builds beside new ones (`NAME-HASH.wasm`),
    /// so of several files with one case-name prefix only the newest is
    /// used, and the others are reported as warnings.
    pub fn glob_binaries(
        &self,
        globs: &[String],
    ) -> Result<(Vec<Binary>, Vec<String>), SuiteError> {
        cargo::glob_binaries(&self.root, globs, &self.file)
    }

    /// The suite: one case per listed test of each binary, `[expect]`
    /// applied and checked against the case names.
    pub fn suite(
        &self,
        listed: Vec<(Binary, Vec<Listed>)>,
        warnings: Vec<String>,
    ) -> Result<crate::Suite, SuiteError> {
        cases::suite(self, listed, warnings)
    }
}
