//! The `wasi-testsuite` suite kind: the layout of the WebAssembly WASI testsuite.
//!
//! # The format
//!
//! Every `*.wasm` file under the root, recursively, is one case, named by its
//! path under the root without `.wasm` (e.g. `c/testsuite/wasm32-wasip1/lseek`).
//! There is no toolchain: the files are modules already. Beside `NAME.wasm`
//! may be a spec `NAME.json`, in one of two formats ([`spec`]):
//!
//! ```json
//! {"args": ["a", "b"], "env": {"K": "v"}, "root": "fs-tests.dir",
//!  "dirs": ["older.dir"], "exit_code": 0, "stdout": "text", "stderr": "text"}
//! ```
//!
//! ```json
//! {"proposals": [], "operations": [
//!   {"type": "run", "args": [], "env": {}, "root": "fs-tests.dir"},
//!   {"type": "write", "id": "stdin", "payload": "text"},
//!   {"type": "read", "id": "stdout", "payload": "text"},
//!   {"type": "wait", "exit_code": 0}]}
//! ```
//!
//! Without a spec the defaults apply: no arguments or environment, exit code
//! 0, outputs not compared. `root` (relative to the test's folder) is
//! preopened as the guest's `/`; each legacy `dirs` entry under its own name.
//! Each run gets a private copy of those directories
//! ([`DirMapping::copy`](crate::DirMapping::copy)), so tests that create,
//! rename or delete files run in parallel and leave the tree untouched.
//!
//! Expected text is compared as the official runner's `read` compares it: the
//! stream must **start with** the payload (the runner reads exactly that many
//! characters). A stream with no expected text is not compared. As goldens are
//! files, the expected text is written to a content-addressed file under
//! `$XHARNESS_CACHE_DIR/wasi-expected` (else the system temp folder), and a
//! per-case normaliser cuts the actual output to the payload when it starts
//! with it.
//!
//! Skipped on every engine, with the reason: a spec needing a proposal
//! (`sockets`, `http`), another world, HTTP servers or an interactive
//! operation; a binary that is a component (wasm32-wasip3), not a core
//! module. **A spec that cannot be read** (bad JSON, a value of the wrong
//! type) does not stop discovery: its case is skipped with the parse error
//! as the reason, and the same message is a suite warning naming the file,
//! so one broken file in a third-party tree does not hide the other tests.
//!
//! Not cases: `.json` files with no `.wasm` beside them (`manifest.json`),
//! anything whose name ends in `.cleanup` (what the tests leave behind) and
//! anything inside such a folder, and dot-folders.
//!
//! # `suite.toml` (kind `wasi-testsuite`)
//!
//! ```toml
//! name = "wasi"                    # default "wasi-testsuite"
//! kind = "wasi-testsuite"
//! root = "tests"                   # default: this file's folder
//! [run]
//! timeout = 30                     # seconds per run
//! max_memory = "1GiB"
//! max_output = "1MiB"
//! retries = 0
//! [expect.wasmer]                  # per-engine overrides, as for generic suites
//! "rust/testsuite/wasm32-wasip1/fd_advise" = "xfail: why"
//! ```
//!
//! With `--suite wasi-testsuite --root DIR` and no such file, the built-in
//! definition applies: a `suite.toml` of this kind in `DIR` or its parent is
//! used if there is one, else every default above.

mod discover;
mod expected;
pub mod spec;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

pub use discover::{Found, discover};

use crate::error::SuiteError;
use crate::source::SourceFile;
use crate::{Normalize, Suite, SuiteKind, Toolchain};

/// The name `--suite` gives the built-in definition, and the `kind` key's value.
pub const BUILTIN_NAME: &str = "wasi-testsuite";

/// Limits for each run when the suite file sets none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Wall-clock limit for one run.
    pub timeout: Duration,
    /// Linear-memory limit in bytes.
    pub max_memory: u64,
    /// Cap on captured bytes per output stream.
    pub max_output: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Duration::from_secs(30),
            max_memory: 1 << 30,
            max_output: 1 << 20,
        }
    }
}

/// The suite file, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWasi {
    name: Option<String>,
    /// Read by [`crate::load`] to pick this module.
    #[allow(dead_code)]
    kind: Option<String>,
    root: Option<Spanned<String>>,
    #[serde(default)]
    run: crate::builtin::RawRun,
    #[serde(default)]
    expect: crate::generic::expect::RawExpect,
    /// Baseline files (see [`crate::Suite::expectations`]).
    #[serde(default)]
    expectations: Vec<String>,
}

/// Load a `wasi-testsuite` suite file; `root_override` is `--root`.
pub fn load(file: &SourceFile, root_override: Option<&Path>) -> Result<Suite, SuiteError> {
    let raw: RawWasi = file.parse()?;
    let root = crate::generic::resolve_root(file, raw.root.as_ref(), root_override)?;
    build(raw, Some(file), file.path.clone(), root)
}

/// The built-in definition for `--suite wasi-testsuite --root DIR`: a
/// `suite.toml` of this kind in `DIR` or its parent if there is one, else
/// the defaults.
pub fn load_builtin(root: &Path) -> Result<Suite, SuiteError> {
    match crate::builtin::locate(root, BUILTIN_NAME)? {
        (root, Some(file)) => {
            let raw: RawWasi = file.parse()?;
            build(raw, Some(&file), file.path.clone(), root)
        }
        (root, None) => build(RawWasi::default(), None, root.clone(), root),
    }
}

fn build(
    raw: RawWasi,
    file: Option<&SourceFile>,
    path: PathBuf,
    root: PathBuf,
) -> Result<Suite, SuiteError> {
    let defaults = Limits::default();
    let limits = Limits {
        timeout: raw.run.timeout.map_or(defaults.timeout, |s| s.0),
        max_memory: raw.run.max_memory.map_or(defaults.max_memory, |b| b.0),
        max_output: raw.run.max_output.map_or(defaults.max_output, |b| {
            usize::try_from(b.0).unwrap_or(usize::MAX)
        }),
    };
    let name = raw.name.clone().unwrap_or_else(|| BUILTIN_NAME.to_owned());
    let found = discover(&root, &limits)?;
    if found.cases.is_empty() {
        return Err(SuiteError::NoCases {
            file: path,
            name,
            root,
            include: vec!["**/*.wasm".into()],
        });
    }
    let mut cases = found.cases;
    let mut engine_keys = Vec::new();
    if let Some(f) = file {
        let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
        let mut by_case = crate::generic::expect::parse(f, &raw.expect, &names, &mut engine_keys)?;
        for case in &mut cases {
            if let Some(per_engine) = by_case.remove(&case.name) {
                case.expect.engines.extend(per_engine);
            }
        }
    }
    Ok(Suite {
        name,
        kind: SuiteKind::WasiTestsuite,
        file: path,
        root,
        toolchain: Toolchain::BuiltinWasm,
        normalize: Normalize {
            normalize_crlf: true,
            ..Normalize::default()
        },
        cases,
        retries: raw.run.retries.unwrap_or(0),
        warnings: found.warnings,
        expectations: file.map_or_else(Vec::new, |f| {
            crate::builtin::expectation_paths(&f.path, &raw.expectations)
        }),
        engine_keys,
        derived: found.derived,
    })
}
