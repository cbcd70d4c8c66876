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

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use libtest_mimic::{Arguments, Failed, Trial};
use xharness_engines::Registry;
use xharness_reports::Status;
use xharness_suites::Expectation;

use crate::session::{Options, Session};
use crate::worker::WorkerCommand;

/// Parse libtest arguments, run the trials of every suite (each a
/// suite.toml or its folder), exit like libtest.
///
/// The test binary is also its own worker process: started with
/// `XHARNESS_WORKER=1`, this function serves jobs instead.
pub fn main<P: AsRef<Path>>(suites: &[P]) -> ExitCode {
    main_with(&crate::default_registry(), suites)
}

/// As [`main`], on the engines of `registry`: the `main` of a test target
/// with engines of its own (its workers are the test binary itself, so
/// they have the same registry).
pub fn main_with<P: AsRef<Path>>(registry: &Registry, suites: &[P]) -> ExitCode {
    if let Some(code) = crate::worker::serve_if_worker(registry) {
        return code;
    }
    let args = Arguments::from_args();
    let env = crate::config::Env::from_process();
    let worker = match WorkerCommand::current_exe() {
        Ok(w) => w,
        Err(e) => return crate::error::report("xharness", &e),
    };
    let mut all = Vec::new();
    for suite in suites {
        let origin = origin_for(
            suite.as_ref(),
            xharness_bin(&env).unwrap_or_else(|| "xharness".into()),
        );
        match trials_with(suite.as_ref(), worker.clone(), Some(origin), registry, &env) {
            Ok(t) => all.extend(t),
            Err(e) => return crate::error::report("xharness", &e),
        }
    }
    libtest_mimic::run(&args, all).exit_code()
}

/// One trial per (case, engine) of the suite at `path`, run by workers
/// started from the `xharness` binary found next to this executable or on
/// `PATH` (`XHARNESS_BIN` overrides). A test binary whose `main` is
/// [`main`] needs none: it is its own worker.
pub fn trials(path: &Path) -> crate::Result<Vec<Trial>> {
    let env = crate::config::Env::from_process();
    let bin = xharness_bin(&env)
        .ok_or("cannot find the xharness binary to start workers; set XHARNESS_BIN")?;
    let origin = origin_for(path, bin.clone());
    trials_with(
        path,
        WorkerCommand::program(bin),
        Some(origin),
        &crate::default_registry(),
        &env,
    )
}

/// `XHARNESS_BIN`, else the `xharness` binary next to this executable or on `PATH`.
fn xharness_bin(env: &crate::config::Env) -> Option<std::path::PathBuf> {
    env.xharness_bin.clone().or_else(find_xharness)
}

/// The repro lines' start: `BIN --suite ABSOLUTE-PATH`.
fn origin_for(suite: &Path, program: std::path::PathBuf) -> crate::repro::Origin {
    let suite = std::path::absolute(suite).unwrap_or_else(|_| suite.to_path_buf());
    crate::repro::Origin {
        program,
        suite_args: vec!["--suite".into(), suite.display().to_string()],
        trailing: Vec::new(),
    }
}

fn find_xharness() -> Option<std::path::PathBuf> {
    let exe = std::env::current_exe().ok()?;
    // cargo puts test binaries in target/*/deps, the binary one level up.
    for dir in exe.ancestors().skip(1).take(2) {
        let candidate = dir.join("xharness");
        if candidate.is_file() {
            return Some(candidate);
        }
    }
    crate::program::find("xharness")
}

/// One trial per (case, engine) of the suite at `path` (a suite.toml or
/// its folder), run by workers started with `worker`.
/// `origin`, when given, is how the failure messages' repro line starts xharness.
pub fn trials_with(
    path: &Path,
    worker: WorkerCommand,
    origin: Option<crate::repro::Origin>,
    registry: &Registry,
    env: &crate::config::Env,
) -> crate::Result<Vec<Trial>> {
    let definition = xharness_suites::load_definition(path, None)?;
    let asked = env
        .engines
        .clone()
        .unwrap_or_else(|| vec!["all".to_string()]);
    let names = registry
        .select(&asked)
        .map_err(|e| format!("XHARNESS_ENGINES: {e}"))?;
    let bless = env.bless;
    if bless && names.len() > 1 {
        return Err(format!(
            "XHARNESS_BLESS=1 with several engines ({}): a trial sees one engine, and a golden is only written where all engines agree; bless with `xharness --suite {} --bless`, or set XHARNESS_ENGINES to one engine",
            names.join(", "),
            path.display()
        ).into());
    }
    let mut opts = Options::new(env.cache_dir.clone(), worker);
    opts.bless = bless;
    opts.rss_margin = env.rss_margin.unwrap_or(opts.rss_margin);
    opts.origin = origin;
    // A libtest suite lists its binaries' tests first, with the same workers.
    let pool = crate::worker::Pool::new(opts.worker.clone(), &names);
    let ready = crate::listing::ready(
        definition,
        None,
        &names,
        &pool,
        &opts.cache_dir,
        opts.jobs,
        &env.cargo,
    )?;
    opts.known_modules = ready.module_hashes;
    let suite = ready.suite;
    for w in crate::registry::check_engine_keys(&suite, registry)? {
        eprintln!("xharness: warning: {w}");
    }
    let session = Arc::new(Session::with_pool(suite, names, opts, pool, registry)?);
    let mut out = Vec::new();
    for (index, case) in session.suite().cases.iter().enumerate() {
        for engine in session.engines() {
            let name = format!("{}::{}::{}", session.suite().name, case.name, engine);
            let ignored = case.expectation(engine).is_some();
            let (s, engine) = (session.clone(), engine.clone());
            out.push(
                Trial::test(name, move || run_trial(&s, index, &engine)).with_ignored_flag(ignored),
            );
        }
    }
    Ok(out)
}

fn run_trial(session: &Session, index: usize, engine: &str) -> Result<(), Failed> {
    let case = &session.suite().cases[index];
    let mut record = session.run_one(index, engine);
    // A skipped case only runs when asked for with --ignored: judge it plainly.
    if record.result.status == Status::Skip
        && matches!(case.expectation(engine), Some(Expectation::Skip(_)))
    {
        record = session.run_one_unexpected(index, engine);
    }
    session.finish_one(index, &mut record);
    let r = &record.result;
    match r.status {
        Status::Pass | Status::XFail | Status::Skip | Status::Flaky => Ok(()),
        _ => {
            let reason = r.reason.map_or("xpass", |r| r.as_str());
            let mut text = xharness_reports::render::failure_text(&r.detail, &r.mismatches, false);
            if let Some(repro) = &r.repro {
                text.push_str(&xharness_reports::render::repro_text(repro));
            }
            Err(format!("{reason}\n{text}").into())
        }
    }
}
