//! `cargo test` integration: every (case, engine) is a libtest-mimic trial.
//!
//! In a crate's `tests/wasm.rs` (with `harness = false` in Cargo.toml):
//!
//! ```no_run
//! fn main() -> std::process::ExitCode {
//!     xharness::libtest::main(&[concat!(env!("CARGO_MANIFEST_DIR"), "/tests/wasm-suite")])
//! }
//! ```
//!
//! Trials are named `suite::case::engine`, so `cargo test -- FILTER`,
//! `--exact`, `--list` and `--test-threads` work as usual. Expected
//! failures and skips are *ignored* trials: `--ignored` runs only them and
//! `--include-ignored` runs them too (an expected failure that fails is
//! then a pass; a skipped case is run and judged normally). Set
//! `XHARNESS_ENGINES=wasmtime,wasmer` to choose engines (default: all
//! built in) and `XHARNESS_BLESS=1` to bless goldens.

use std::borrow::Cow;
use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};

use libtest_mimic::{Arguments, Failed, Trial};
use xharness_engines::Engine;
use xharness_engines::cache::ModuleCache;
use xharness_golden::Normalizer;
use xharness_reports::Status;
use xharness_suites::{Case, Expectation, Suite};

use crate::schedule::{self, Options};
use crate::scratch::ScratchPool;
use crate::toolchain::{CompileFailure, Compiler};
use crate::verdict::Judge;

/// Parse libtest arguments, run the trials of every suite (each a
/// suite.toml or its folder), exit like libtest.
pub fn main<P: AsRef<Path>>(suites: &[P]) -> ExitCode {
    let args = Arguments::from_args();
    let mut all = Vec::new();
    for suite in suites {
        match trials(suite.as_ref()) {
            Ok(t) => all.extend(t),
            Err(message) => {
                eprintln!("xharness: {message}");
                return ExitCode::from(2);
            }
        }
    }
    libtest_mimic::run(&args, all).exit_code()
}

struct Shared {
    suite: Suite,
    compiler: Compiler,
    modules: ModuleCache,
    scratch: ScratchPool,
    artifacts: Vec<OnceLock<Result<Vec<u8>, CompileFailure>>>,
    normalizer: Normalizer,
    opts: Options,
}

/// One trial per (case, engine) of the suite at `path` (a suite.toml or its folder).
pub fn trials(path: &Path) -> Result<Vec<Trial>, String> {
    let suite = xharness_suites::load(path).map_err(|e| e.to_string())?;
    let names: Vec<String> = match std::env::var("XHARNESS_ENGINES") {
        Ok(list) if !list.trim().is_empty() => {
            list.split(',').map(|s| s.trim().to_string()).collect()
        }
        _ => xharness_engines::available()
            .into_iter()
            .map(String::from)
            .collect(),
    };
    let engines = crate::start_engines(&names).map_err(|e| e.to_string())?;
    let normalizer =
        crate::normalizer(&suite).map_err(|e| format!("{}: {e}", suite.file.display()))?;
    let opts = Options {
        jobs: 1,
        bless: std::env::var_os("XHARNESS_BLESS").is_some_and(|v| v == "1"),
        keep_scratch: false,
        fail_fast: false,
        color: false,
        cache_dir: ModuleCache::default_dir(),
    };
    let shared = Arc::new(Shared {
        compiler: Compiler::new(&suite, &opts.cache_dir),
        modules: ModuleCache::new(opts.cache_dir.clone()),
        scratch: ScratchPool::new(false)?,
        artifacts: suite.cases.iter().map(|_| OnceLock::new()).collect(),
        normalizer,
        opts,
        suite,
    });
    let mut out = Vec::new();
    for (index, case) in shared.suite.cases.iter().enumerate() {
        for engine in &engines {
            out.push(trial(&shared, index, case, engine.clone()));
        }
    }
    Ok(out)
}

fn trial(shared: &Arc<Shared>, index: usize, case: &Case, engine: Arc<dyn Engine>) -> Trial {
    let name = format!("{}::{}::{}", shared.suite.name, case.name, engine.name());
    let ignored = case.expect.contains_key(engine.name());
    let shared = shared.clone();
    Trial::test(name, move || run_trial(&shared, index, engine.as_ref())).with_ignored_flag(ignored)
}

fn run_trial(shared: &Shared, index: usize, engine: &dyn Engine) -> Result<(), Failed> {
    let mut case = Cow::Borrowed(&shared.suite.cases[index]);
    // A skipped case only runs when asked for with --ignored: judge it plainly.
    if matches!(case.expect.get(engine.name()), Some(Expectation::Skip(_))) {
        case.to_mut().expect.remove(engine.name());
    }
    let artifact = shared.artifacts[index].get_or_init(|| shared.compiler.module(&case));
    let judge = Judge {
        normalizer: &shared.normalizer,
        bless: shared.opts.bless,
        color: false,
    };
    let result = schedule::run_job(
        &case,
        engine,
        artifact,
        &shared.modules,
        &shared.scratch,
        &judge,
        &shared.opts,
    );
    match result.status {
        Status::Pass | Status::XFail | Status::Skip => Ok(()),
        Status::Fail | Status::XPass => {
            let reason = result
                .reason
                .map(|r| format!("{r:?}"))
                .unwrap_or_else(|| "xpass".into());
            Err(format!("{reason}\n{}", result.detail).into())
        }
    }
}
