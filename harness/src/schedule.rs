//! The scheduler: (case × engine) jobs on a rayon pool, results streamed.
//!
//! Each case is compiled by the toolchain once (the first job that needs
//! it does so; the others wait), each engine loads or compiles its native
//! module through the shared on-disk cache, and every job runs in a fresh
//! private scratch directory preopened as `.`. Results go to the caller's
//! listener on the calling thread as they finish; passing cases keep no
//! output, so memory does not grow with the suite.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use rayon::prelude::*;
use xharness_engines::cache::ModuleCache;
use xharness_engines::{Engine, Invocation, Preopen};
use xharness_golden::Normalizer;
use xharness_reports::{CaseResult, Reason, Status};
use xharness_suites::{Case, Expectation, Suite};

use crate::scratch::ScratchPool;
use crate::toolchain::{CompileFailure, Compiler};
use crate::verdict::{self, Failure, Judge};

/// How to run a selection of cases.
pub struct Options {
    /// Worker threads.
    pub jobs: usize,
    /// Write actual output as the new golden for output mismatches.
    pub bless: bool,
    /// Keep each job's scratch directory (their paths are printed).
    pub keep_scratch: bool,
    /// Stop starting new jobs after the first failure.
    pub fail_fast: bool,
    /// Colour diffs.
    pub color: bool,
    /// Root of the toolchain and module caches.
    pub cache_dir: PathBuf,
}

/// Run `cases` of `suite` on every engine; call `listen` with each result
/// as it finishes (on the calling thread). Returns the results in a fixed
/// order (case, then engine order), with passing results' detail dropped.
/// Fails only when no scratch directory can be created.
pub fn run(
    suite: &Suite,
    cases: &[&Case],
    engines: &[Arc<dyn Engine>],
    opts: &Options,
    normalizer: &Normalizer,
    mut listen: impl FnMut(&CaseResult),
) -> Result<Vec<CaseResult>, String> {
    let compiler = Compiler::new(suite, &opts.cache_dir);
    let scratch = &ScratchPool::new(opts.keep_scratch)?;
    let modules = ModuleCache::new(opts.cache_dir.clone());
    let artifacts: Vec<OnceLock<Result<Vec<u8>, CompileFailure>>> =
        cases.iter().map(|_| OnceLock::new()).collect();
    let jobs: Vec<(usize, usize)> = (0..cases.len())
        .flat_map(|c| (0..engines.len()).map(move |e| (c, e)))
        .collect();
    let stop = AtomicBool::new(false);
    let judge = Judge {
        normalizer,
        bless: opts.bless,
        color: opts.color,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs.max(1))
        .build();
    let mut results: Vec<(usize, CaseResult)> = Vec::with_capacity(jobs.len());
    let (tx, rx) = mpsc::channel::<(usize, CaseResult)>();
    std::thread::scope(|s| {
        s.spawn(|| {
            let work = |&(c, e): &(usize, usize)| {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                let case = cases[c];
                let engine = &engines[e];
                let artifact = artifacts[c].get_or_init(|| compiler.module(case));
                let result = run_job(
                    case,
                    engine.as_ref(),
                    artifact,
                    &modules,
                    scratch,
                    &judge,
                    opts,
                );
                if opts.fail_fast && matches!(result.status, Status::Fail | Status::XPass) {
                    stop.store(true, Ordering::Relaxed);
                }
                let _ = tx.send((c * engines.len() + e, result));
            };
            match &pool {
                Ok(pool) => pool.install(|| jobs.par_iter().for_each(work)),
                Err(_) => jobs.iter().for_each(work),
            }
            drop(tx);
        });
        for (order, mut result) in rx {
            listen(&result);
            // Only failures keep their detail; listeners have seen the rest.
            if !matches!(result.status, Status::Fail | Status::XPass) {
                result.detail = String::new();
            }
            results.push((order, result));
        }
    });
    results.sort_by_key(|(order, _)| *order);
    Ok(results.into_iter().map(|(_, r)| r).collect())
}

pub(crate) fn run_job(
    case: &Case,
    engine: &dyn Engine,
    artifact: &Result<Vec<u8>, CompileFailure>,
    modules: &ModuleCache,
    scratch: &ScratchPool,
    judge: &Judge<'_>,
    opts: &Options,
) -> CaseResult {
    let name = engine.name();
    if let Some(Expectation::Skip(why)) = case.expect.get(name) {
        return verdict::skipped(case, name, why);
    }
    let start = Instant::now();
    let fail = |reason, detail: String| {
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        verdict::finish(case, name, Some(Failure { reason, detail }), None, ms)
    };
    let wasm = match artifact {
        Ok(w) => w,
        Err(f) => return fail(Reason::CompileError, format!("{}\n{}", f.summary, f.output)),
    };
    let module = match modules.load_or_compile(engine, wasm) {
        Ok((m, _)) => m,
        Err(e) => {
            let detail = format!(
                "{name} rejected the module built from {}: {e}",
                case.src.display()
            );
            return fail(Reason::CompileError, detail);
        }
    };
    let scratch = match scratch.take(&case.stem) {
        Ok(s) => s,
        Err(e) => return fail(Reason::InstantiateError, e),
    };
    let inv = match invocation(case, scratch.path()) {
        Ok(i) => i,
        Err(e) => return fail(Reason::InstantiateError, e),
    };
    let outcome = engine.run(&module, &inv);
    let mut result = judge.outcome(case, name, &outcome);
    if opts.keep_scratch && !matches!(result.status, Status::Pass) {
        result.detail.push_str(&format!(
            "\nscratch directory kept at {}\n",
            scratch.path().display()
        ));
    }
    result
}

/// The engine invocation for a case, with `scratch` preopened as `.`.
pub fn invocation(case: &Case, scratch: &Path) -> Result<Invocation, String> {
    let stdin = match &case.stdin {
        Some(path) => match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(format!("cannot read stdin file {}: {e}", path.display())),
        },
        None => Vec::new(),
    };
    let mut preopens = vec![Preopen {
        host: scratch.to_path_buf(),
        guest: ".".into(),
        read_only: false,
    }];
    for d in &case.dirs {
        if !d.host.is_dir() {
            return Err(format!(
                "directory {} (from [run] dirs) does not exist; create it or fix the entry",
                d.host.display()
            ));
        }
        preopens.push(Preopen {
            host: d.host.clone(),
            guest: d.guest.clone(),
            read_only: d.read_only,
        });
    }
    let mut argv = vec![format!("{}.wasm", case.stem)];
    argv.extend(case.args.iter().cloned());
    Ok(Invocation {
        argv,
        env: case.env.clone(),
        stdin,
        preopens,
        timeout: case.timeout,
        max_memory: case.max_memory,
        output_cap: case.max_output,
        stdio: xharness_engines::Stdio::Capture,
    })
}
