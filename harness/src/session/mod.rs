//! A run session: everything one run of a suite needs, built once by every
//! entry point (the CLI and the `cargo test` entry), which differ only in
//! how they pick jobs and where results go.
//!
//! A job is one (case, engine) pair. [`Session::run`] hands jobs to `-j N`
//! plain threads; each compiles its case with the toolchain (once per
//! case, shared), then sends the job to a worker process of the
//! [`Pool`] and waits for it under the deadline. When
//! every engine of a case has finished, the case is finished as a whole
//! ([`crate::finish`]: divergence between engines, blessing) and its
//! results go to the caller's listener in completion order, on the thread
//! that finished it (one call at a time): no hand-off, and no wake-up of
//! another thread, per case.
//!
//! No rayon pool runs jobs: a job that blocks (on a toolchain process, on
//! its worker, on another job's compile) parks its own thread and nothing
//! else can run on that thread's stack meanwhile.
//!
//! - `options`: the [`Options`] of a run.
//! - `attempt`: one attempt of a job, from compile to verdict.
//! - `annotate`: signatures, repro lines and baselines of failed records.
//! - `groups`: jobs grouped by case, finished once all engines are done.

mod annotate;
mod attempt;
mod groups;
mod options;
mod shell;

pub use options::{DEFAULT_RSS_MARGIN, Options};

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use xharness_engines::Registry;

use xharness_golden::Normalizer;
use xharness_golden::normalize::Step;
use xharness_reports::{CaseResult, Status};
use xharness_suites::ghc::{NormStream, PythonNorms};
use xharness_suites::{Normalize, StreamNormalize, Suite};

use crate::scratch::ScratchPool;
use crate::toolchain::{Artifact, CompileFailure, CompileRun, Compiler};
use crate::verdict::{JobRecord, Norms};
use crate::worker::Pool;
use groups::Groups;

/// One suite, its engines and the machinery to run its jobs.
pub struct Session {
    suite: Suite,
    engines: Vec<String>,
    /// Per case: its normalisers (shared among cases that use the same).
    norms: Vec<Arc<Norms>>,
    compiler: Compiler,
    pool: Pool,
    scratch: ScratchPool,
    /// Where private copies of `copy` directories go.
    copies_parent: PathBuf,
    opts: Options,
    artifacts: Vec<OnceLock<Result<Artifact, CompileFailure>>>,
    /// Raw outputs of the records that did not pass, for the state's kept records.
    kept: Mutex<crate::state::KeptOutputs>,
    compile_runs: Vec<OnceLock<Result<CompileRun, CompileFailure>>>,
}

/// What [`Session::run`] returns.
pub struct RunResults {
    /// One result per job, in (case, engine) order.
    pub results: Vec<CaseResult>,
    /// Whether SIGINT or SIGTERM stopped the run.
    pub interrupted: bool,
}

impl Session {
    /// A session for `suite` on `engines` (names, each one `registry` can
    /// make; the workers must have the same registry).
    pub fn new(
        suite: Suite,
        engines: Vec<String>,
        opts: Options,
        registry: &Registry,
    ) -> crate::Result<Self> {
        let pool = Pool::new(opts.worker.clone(), &engines);
        Self::with_pool(suite, engines, opts, pool, registry)
    }

    /// As [`Session::new`], with workers the caller started already (so
    /// their start-up overlapped loading the suite); `opts.worker` is not
    /// used.
    pub fn with_pool(
        suite: Suite,
        engines: Vec<String>,
        opts: Options,
        pool: Pool,
        registry: &Registry,
    ) -> crate::Result<Self> {
        if let Some(name) = engines.iter().find(|n| !registry.is_built(n)) {
            return Err(crate::Error::config(registry.unknown(name).to_string()));
        }
        Ok(Session {
            compiler: Compiler::new(&suite, &opts.cache_dir).knowing(&opts.known_modules),
            pool,
            scratch: ScratchPool::new(opts.keep_scratch)?,
            copies_parent: crate::scratch::copies_parent(opts.copy_dir.as_deref()),
            artifacts: suite.cases.iter().map(|_| OnceLock::new()).collect(),
            kept: Mutex::new(HashMap::new()),
            compile_runs: suite.cases.iter().map(|_| OnceLock::new()).collect(),
            norms: case_norms(&suite)?,
            engines,
            suite,
            opts,
        })
    }

    /// The suite.
    pub fn suite(&self) -> &Suite {
        &self.suite
    }

    /// The raw outputs of the records that did not pass, by (case, engine).
    pub fn take_kept(&self) -> crate::state::KeptOutputs {
        std::mem::take(&mut *self.kept.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// The compiled module of case `c`, compiling it if it was not yet.
    pub fn module_of(&self, c: usize) -> crate::Result<PathBuf> {
        let case = &self.suite.cases[c];
        match self.artifacts[c].get_or_init(|| self.compiler.module(case)) {
            Ok(a) => Ok(a.path.clone()),
            Err(f) => Err(crate::Error::Case {
                case: case.name.clone(),
                engine: None,
                message: format!("{}\n{}", f.summary, f.output),
            }),
        }
    }

    /// The engines, in the order given.
    pub fn engines(&self) -> &[String] {
        &self.engines
    }

    /// Run the jobs `(case index, engine index)`; call `listen` with each
    /// result as its case finishes (on the thread that finished it, one
    /// call at a time).
    pub fn run(
        &self,
        jobs: &[(usize, usize)],
        listen: impl FnMut(&CaseResult) + Send,
    ) -> RunResults {
        let groups = Groups::new(jobs);
        let threads = self.opts.jobs.clamp(1, jobs.len().max(1));
        self.pool.prestart(threads);
        let next = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let finished = Mutex::new((listen, Vec::with_capacity(jobs.len())));
        std::thread::scope(|s| {
            for _ in 0..threads {
                let (groups, next, stop, finished) = (&groups, &next, &stop, &finished);
                s.spawn(move || {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= jobs.len() {
                            return;
                        }
                        let (c, e) = jobs[i];
                        let record = self.job(c, e, stop);
                        let Some(done) = groups.record(i, record) else {
                            continue;
                        };
                        let batch = self.finish_case(c, done);
                        let mut finished = finished.lock().unwrap_or_else(PoisonError::into_inner);
                        let (listen, results) = &mut *finished;
                        for (order, mut result) in batch {
                            // Passing cases on which every engine agrees
                            // keep only digests, before any reporter holds
                            // on to them.
                            if !keeps_output(&result) {
                                result.forget_output();
                            }
                            listen(&result);
                            results.push((order, result));
                        }
                    }
                });
            }
        });
        // Every job is done: the workers die while the caller reports.
        self.pool.stop_idle();
        let (_, mut results) = finished
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        results.sort_by_key(|(order, _)| *order);
        RunResults {
            results: results.into_iter().map(|(_, r)| r).collect(),
            interrupted: crate::sys::interrupted(),
        }
    }

    fn job(&self, c: usize, e: usize, stop: &AtomicBool) -> JobRecord {
        let case = &self.suite.cases[c];
        let engine = &self.engines[e];
        if stop.load(Ordering::Relaxed) || crate::sys::interrupted() {
            let mut r = CaseResult::new(&case.name, engine, Status::NotRun);
            r.detail = if crate::sys::interrupted() {
                "not run: the run was interrupted".into()
            } else {
                "not run: --fail-fast stopped the run after a failure".into()
            };
            return JobRecord::bare(r);
        }
        let record = self.run_one(c, engine);
        if self.opts.fail_fast && record.result.status.is_failure() {
            stop.store(true, Ordering::Relaxed);
        }
        record
    }

    /// Run case `c` on `engine` with retries, judged but not yet finished
    /// as a case (no blessing; see [`Session::finish_one`]).
    pub fn run_one(&self, c: usize, engine: &str) -> JobRecord {
        self.run_one_with(c, engine, true)
    }

    /// As [`Session::run_one`], running the case even where a `skip`
    /// expectation says not to (`cargo test -- --ignored`).
    pub fn run_one_unexpected(&self, c: usize, engine: &str) -> JobRecord {
        self.run_one_with(c, engine, false)
    }

    /// Finish a case that ran on one engine only (the `cargo test` entry).
    pub fn finish_one(&self, c: usize, record: &mut JobRecord) {
        let case = &self.suite.cases[c];
        crate::finish::finish_case(
            case,
            std::slice::from_mut(record),
            self.opts.bless,
            &self.norms[c],
        );
        self.annotate(c, std::slice::from_mut(record));
    }

    fn finish_case(&self, c: usize, done: Vec<(usize, JobRecord)>) -> Vec<(usize, CaseResult)> {
        let case = &self.suite.cases[c];
        let (orders, mut records): (Vec<usize>, Vec<JobRecord>) = done.into_iter().unzip();
        crate::finish::finish_case(case, &mut records, self.opts.bless, &self.norms[c]);
        self.annotate(c, &mut records);
        orders
            .into_iter()
            .zip(records.into_iter().map(|r| r.result))
            .collect()
    }
}

/// Each case's normalisers: its own, or the suite's for both streams.
/// Cases with equal settings share one compiled set.
fn case_norms(suite: &Suite) -> crate::Result<Vec<Arc<Norms>>> {
    let suite_wide = StreamNormalize {
        stdout: suite.normalize.clone(),
        stderr: suite.normalize.clone(),
    };
    let compile = |n: &Normalize| {
        Normalizer::new(&n.rules, n.trim_trailing_whitespace, n.normalize_crlf)
            .map(|c| c.collapsing_whitespace(n.collapse_whitespace))
    };
    let mut built: HashMap<&StreamNormalize, Arc<Norms>> = HashMap::new();
    let mut out = Vec::with_capacity(suite.cases.len());
    for case in &suite.cases {
        let key = case.expect.normalize.as_deref().unwrap_or(&suite_wide);
        let python = case.python_norms();
        if let (Some(n), None) = (built.get(key), python) {
            out.push(n.clone());
            continue;
        }
        let bad = |e| format!("{}: case {}: {e}", suite.file.display(), case.name);
        let mut n = Norms::new(
            compile(&key.stdout).map_err(bad)?,
            compile(&key.stderr).map_err(bad)?,
        );
        if let Some(python) = python {
            n = with_python(n, python, case.expect.mode.compile_only());
            out.push(Arc::new(n));
            continue;
        }
        let n = Arc::new(n);
        built.insert(key, n.clone());
        out.push(n);
    }
    Ok(out)
}

/// `norms` running the case's Python normaliser chains before the default
/// rules (after them on a compiler's output, as GHC's driver); a function
/// that cannot run is skipped, warned about once and noted in the records.
fn with_python(mut norms: Norms, python: &PythonNorms, compile_only: bool) -> Norms {
    let spec = Arc::new(python.clone());
    let problems: Arc<Mutex<BTreeSet<String>>> = Arc::default();
    let step = |stream: NormStream| {
        let (spec, problems) = (spec.clone(), problems.clone());
        Step(Arc::new(move |bytes: &[u8]| {
            let (out, errors) = spec.apply(stream, &String::from_utf8_lossy(bytes));
            let mut seen = problems.lock().unwrap_or_else(PoisonError::into_inner);
            for e in errors {
                if seen.insert(e.clone()) {
                    eprintln!("xharness: warning: {e}");
                }
            }
            out.into_bytes()
        }))
    };
    for (stream, n) in [
        (NormStream::Stdout, &mut norms.stdout),
        (NormStream::Stderr, &mut norms.stderr),
    ] {
        // The driver runs a test's own functions before its default
        // normaliser, but after it on a compiler's output.
        if python.covers(stream) && compile_only && stream == NormStream::Stderr {
            *n = std::mem::take(n).with_step_after_rules(step(stream));
        } else if python.covers(stream) {
            *n = std::mem::take(n).with_first_step(step(stream));
        }
    }
    norms.problems = Some(problems);
    norms
}

/// Whether a result keeps its output texts: failing and divergent ones do.
fn keeps_output(r: &CaseResult) -> bool {
    r.divergent || r.status.is_failure() || matches!(r.status, Status::Flaky | Status::XFail)
}
