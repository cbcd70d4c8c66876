//! The `ghc-testsuite` suite kind: GHC's own testsuite layout.
//!
//! GHC's tests are declared in `*.T` files, which are Python run by GHC's
//! driver (`testsuite/driver/testlib.py`). This module discovers them
//! without Python: the `pyeval` crate evaluates the subset of Python the files use,
//! the host (`host.rs`, `names.rs`) gives them the driver's names and a
//! configurable `config` ([`Config`], wasm32-wasi defaults), and every
//! `test(name, setup, func, args)` call becomes a [`Case`](crate::Case)
//! (`cases.rs`) judged the way the driver judges it: compile and run,
//! compile only, or compile expected to fail; goldens `NAME.stdout` /
//! `NAME.stderr` with `-ws-32` and platform variants; the driver's
//! normalisers; options such as `expect_broken(N)`, `when(c, skip)`,
//! `extra_files`, `req_interp`.
//!
//! The key design decision: discovery never stops on a bad `.T` file. A
//! statement the evaluator cannot run is a warning naming file and line,
//! and every test declared outside it is kept.
//!
//! # `suite.toml` (kind `ghc-testsuite`)
//!
//! ```toml
//! name = "ghc"                     # default "ghc-testsuite"
//! kind = "ghc-testsuite"
//! root = "testsuite/tests"         # default: this file's folder
//! [toolchain]
//! command = "wasm32-wasi-ghc {flags} {src} -o {out}"   # the default
//! timeout = 600                    # seconds per compile
//! shell = false
//! source_ext = "hs"                # a test's main source is NAME.hs
//! [run]
//! timeout = 300                    # seconds, before run_timeout_multiplier
//! max_memory = "1GiB"
//! max_output = "1MiB"
//! retries = 0
//! [config]                         # any driver config value
//! have_interp = false
//! run_ways = ["normal"]
//! [expect.wasmer]                  # per-engine overrides, as for generic suites
//! "T1234" = "xfail: why"
//! ```
//!
//! With `--suite ghc-testsuite --root DIR` and no such file, the built-in
//! definition applies: a `suite.toml` of this kind in `DIR` or its parent
//! is used if there is one, else every default above.

mod cases;
mod config;
mod discover;
mod driver;
mod host;
mod names;
mod normalise;
mod obj;
mod pynorm;
mod setup;
mod shell;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

pub use cases::{Defaults, case, cases};
pub use config::{Config, ConfigValue};
pub use discover::{Discovery, Evaluated, FileTests, discover, evaluate_source, t_files};
pub use host::{Arg, Declared};
pub use normalise::Norm;
pub use pynorm::{NormStream, PythonNorms};
pub use setup::{Expect, TestOpts};

use crate::error::SuiteError;
use crate::source::SourceFile;
use crate::units::Seconds;
use crate::{Normalize, Suite, SuiteKind, Toolchain};

/// The name `--suite` gives the built-in definition.
pub const BUILTIN_NAME: &str = "ghc-testsuite";

/// The compile command when the suite file names none.
pub const DEFAULT_COMMAND: &str = "wasm32-wasi-ghc {flags} {src} -o {out}";

/// The suite file, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGhc {
    name: Option<String>,
    #[allow(dead_code)]
    kind: Option<String>,
    root: Option<Spanned<String>>,
    #[serde(default)]
    toolchain: RawToolchain,
    #[serde(default)]
    run: crate::builtin::RawRun,
    #[serde(default)]
    config: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    expect: crate::generic::expect::RawExpect,
    /// Baseline files (see [`crate::Suite::expectations`]).
    #[serde(default)]
    expectations: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawToolchain {
    command: Option<Spanned<String>>,
    timeout: Option<Seconds>,
    shell: Option<bool>,
    source_ext: Option<String>,
}

/// The driver's normalisers for a test that adds none of its own.
pub fn plain_norms() -> crate::StreamNormalize {
    normalise::for_test(&[], &[], None)
}

/// Load a `ghc-testsuite` suite file; `root_override` is `--root`, `ways`
/// is `--ways` (see [`Config::select_ways`]; empty: the configured ways).
pub fn load(
    file: &SourceFile,
    root_override: Option<&Path>,
    ways: &[String],
) -> Result<Suite, SuiteError> {
    let raw: RawGhc = file.parse()?;
    let root = crate::generic::resolve_root(file, raw.root.as_ref(), root_override)?;
    build(raw, Some(file), file.path.clone(), root, ways)
}

/// The built-in definition for `--suite ghc-testsuite --root DIR`: a
/// `suite.toml` of this kind in `DIR` or its parent if there is one, else
/// the defaults.
pub fn load_builtin(root: &Path) -> Result<Suite, SuiteError> {
    load_builtin_with(root, &[])
}

/// As [`load_builtin`], with `--ways`.
pub fn load_builtin_with(root: &Path, ways: &[String]) -> Result<Suite, SuiteError> {
    match crate::builtin::locate(root, BUILTIN_NAME)? {
        (root, Some(file)) => {
            let raw: RawGhc = file.parse()?;
            build(raw, Some(&file), file.path.clone(), root, ways)
        }
        (root, None) => build(RawGhc::default(), None, root.clone(), root, ways),
    }
}

fn build(
    raw: RawGhc,
    file: Option<&SourceFile>,
    path: PathBuf,
    root: PathBuf,
    ways: &[String],
) -> Result<Suite, SuiteError> {
    let mut config = Config::default();
    for (key, value) in &raw.config {
        let Some(v) = ConfigValue::from_toml(value.get_ref()) else {
            let message = "dates are not config values; use a string";
            return Err(match file {
                Some(f) => f.invalid(value, &format!("config.{key}"), message),
                None => SuiteError::Io {
                    path,
                    source: std::io::Error::other(message),
                },
            });
        };
        // `ways` is not a setting of GHC's driver: it means `run_ways`.
        config.set(if key == "ways" { "run_ways" } else { key }, v);
    }
    if !ways.is_empty() {
        config.select_ways(ways);
    }
    if let Some(dir) = file.and_then(|f| f.path.parent()) {
        shell::resolve_programs(&mut config, dir);
    }
    let shell_env = shell::make_env(&config, root.parent().unwrap_or(&root));
    let template = match (&raw.toolchain.command, file) {
        (Some(c), Some(f)) => crate::generic::command_template(f, c)?,
        _ => DEFAULT_COMMAND.to_owned(),
    };
    let toolchain = Toolchain::Command {
        template,
        timeout: raw
            .toolchain
            .timeout
            .map_or(Duration::from_secs(600), |s| s.0),
        shell: raw.toolchain.shell.unwrap_or(false),
    };
    let defaults = Defaults {
        config: config.clone(),
        source_ext: raw
            .toolchain
            .source_ext
            .clone()
            .unwrap_or_else(|| "hs".into()),
        timeout: raw.run.timeout.map_or(Duration::from_secs(300), |s| s.0),
        max_memory: raw.run.max_memory.map_or(1 << 30, |b| b.0),
        max_output: raw.run.max_output.map_or(1 << 20, |b| b.0) as usize,
        shell_env,
        plain_norms: std::sync::Arc::new(plain_norms()),
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let found = discover(&root, &config, threads);
    let mut warnings = found.warnings.clone();
    let mut cases = Vec::with_capacity(found.test_count());
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for f in &found.files {
        for t in &f.tests {
            let at = format!("{}:{}", root.join(&f.file).display(), t.line);
            if let Some(first) = seen.get(&t.name) {
                warnings.push(format!(
                    "{at}: test {} is declared again (first at {first}); the later one is ignored",
                    t.name
                ));
                continue;
            }
            seen.insert(t.name.clone(), at);
            cases.extend(cases::cases(f, t, &defaults));
        }
    }
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    let mut engine_keys = Vec::new();
    if let Some(f) = file {
        // A key names one (test, way) case, `T(normal)`, or a test in
        // every way, `T`.
        let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
        names.extend(cases.iter().filter_map(|c| c.info_value("test")));
        names.sort_unstable();
        names.dedup();
        let by_case = crate::generic::expect::parse(f, &raw.expect, &names, &mut engine_keys)?;
        for case in &mut cases {
            let test = case.info_value("test").map(str::to_owned);
            for key in test.iter().chain(std::iter::once(&case.name)) {
                if let Some(per_engine) = by_case.get(key) {
                    case.expect.engines.extend(per_engine.clone());
                }
            }
        }
    }
    let expectations = crate::builtin::expectation_paths(&path, &raw.expectations);
    Ok(Suite {
        expectations,
        name: raw.name.unwrap_or_else(|| BUILTIN_NAME.to_owned()),
        kind: SuiteKind::GhcTestsuite,
        file: path,
        root,
        toolchain,
        normalize: Normalize {
            normalize_crlf: true,
            ..Normalize::default()
        },
        cases,
        retries: raw.run.retries.unwrap_or(0),
        warnings,
        engine_keys,
        derived: Vec::new(),
    })
}

#[cfg(test)]
mod tests;
