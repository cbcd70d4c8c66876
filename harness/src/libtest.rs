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
//! built in), `XHARNESS_BLESS=1` to bless goldens,
//! `XHARNESS_COUNT_INSTRUCTIONS=1` to count the wasm instructions each
//! case executes (as `--count-instructions`: in the report files), and
//! `XHARNESS_OUTPUT=json:results.json,junit:junit.xml` for the report
//! files a CLI run writes (`{suite}` in a path stands for the suite's
//! name; with several suites it is required). The reports hold the trials
//! libtest ran.

use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use libtest_mimic::{Arguments, Failed, Trial};
use xharness_engines::Registry;
use xharness_reports::{CaseResult, Event, Fanout, Output, Reporter, Status, Summary};
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
    let outputs = match outputs(&env, suites.len()) {
        Ok(o) => o,
        Err(e) => return crate::error::report("xharness", &e),
    };
    let mut all = Vec::new();
    let mut sinks = Vec::new();
    for suite in suites {
        let origin = origin_for(
            suite.as_ref(),
            xharness_bin(&env).unwrap_or_else(|| "xharness".into()),
        );
        let built = build_trials(
            suite.as_ref(),
            worker.clone(),
            Some(origin),
            registry,
            &env,
            (!outputs.is_empty()).then_some(&outputs),
        );
        match built {
            Ok((t, sink)) => {
                all.extend(t);
                sinks.extend(sink);
            }
            Err(e) => return crate::error::report("xharness", &e),
        }
    }
    let conclusion = libtest_mimic::run(&args, all);
    for sink in sinks {
        if let Err(e) = sink.write() {
            return crate::error::report("xharness", &e);
        }
    }
    conclusion.exit_code()
}

/// `XHARNESS_OUTPUT`'s report files; `{suite}` in a path is the suite's
/// name, and needed when there are several suites.
fn outputs(env: &crate::config::Env, suites: usize) -> crate::Result<Vec<Output>> {
    let Some(text) = &env.output else {
        return Ok(Vec::new());
    };
    let outputs = text
        .split(',')
        .map(|o| Output::parse(o.trim()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| crate::Error::usage(format!("XHARNESS_OUTPUT: {e}")))?;
    if suites > 1
        && let Some(o) = outputs
            .iter()
            .find(|o| !o.path.to_string_lossy().contains("{suite}"))
    {
        return Err(crate::Error::usage(format!(
            "XHARNESS_OUTPUT: {} suites would write one {}; put {{suite}} in the path (e.g. {}:report-{{suite}}.{})",
            suites,
            o.path.display(),
            o.format.name,
            o.format.name
        )));
    }
    Ok(outputs)
}

/// The reports of one suite's trials, fed as trials finish and written
/// when libtest is done. Trials libtest did not run (ignored, filtered
/// out) are not in them.
struct Sink {
    reports: Mutex<(Fanout<'static>, Vec<CaseResult>)>,
    started: Instant,
}

impl Sink {
    fn new(suite: &str, engines: &[String], outputs: &[Output]) -> Self {
        let outputs: Vec<Output> = outputs
            .iter()
            .map(|o| Output {
                format: o.format,
                path: o.path.to_string_lossy().replace("{suite}", suite).into(),
            })
            .collect();
        let mut fan = Fanout::new();
        fan.outputs(&outputs);
        fan.event(&Event::Started {
            suite,
            engines,
            total: 0,
        });
        Sink {
            reports: Mutex::new((fan, Vec::new())),
            started: Instant::now(),
        }
    }

    fn record(&self, result: &CaseResult) {
        if let Ok(mut r) = self.reports.lock() {
            r.0.event(&Event::Finished(result));
            r.1.push(result.clone());
        }
    }

    fn write(&self) -> crate::Result<()> {
        let mut guard = self
            .reports
            .lock()
            .map_err(|_| crate::Error::Internal("a trial panicked while reporting".into()))?;
        let (fan, results) = &mut *guard;
        let summary = Summary::from_results(&*results, self.started.elapsed());
        fan.event(&Event::Done(&summary));
        fan.finish()?;
        Ok(fan.write()?)
    }
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
    Ok(build_trials(path, worker, origin, registry, env, None)?.0)
}

/// The trials, and the sink that reports them when `outputs` are asked for.
fn build_trials(
    path: &Path,
    worker: WorkerCommand,
    origin: Option<crate::repro::Origin>,
    registry: &Registry,
    env: &crate::config::Env,
    outputs: Option<&Vec<Output>>,
) -> crate::Result<(Vec<Trial>, Option<Arc<Sink>>)> {
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
    let mut opts = Options::new(env.cache_dir.clone(), worker).with_env(env);
    opts.bless = bless;
    opts.count_instructions = env.count_instructions;
    opts.origin = origin;
    // Shell steps run their `.wasm` programs through `xharness exec`.
    opts.exe = find_xharness();
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
    let sink = outputs.map(|o| Arc::new(Sink::new(&session.suite().name, session.engines(), o)));
    let mut out = Vec::new();
    for (index, case) in session.suite().cases.iter().enumerate() {
        for engine in session.engines() {
            let name = format!("{}::{}::{}", session.suite().name, case.name, engine);
            let ignored = case.expectation(engine).is_some();
            let (s, engine, sink) = (session.clone(), engine.clone(), sink.clone());
            out.push(
                Trial::test(name, move || run_trial(&s, index, &engine, sink.as_deref()))
                    .with_ignored_flag(ignored),
            );
        }
    }
    Ok((out, sink))
}

fn run_trial(
    session: &Session,
    index: usize,
    engine: &str,
    sink: Option<&Sink>,
) -> Result<(), Failed> {
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
    if let Some(sink) = sink {
        sink.record(r);
    }
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
