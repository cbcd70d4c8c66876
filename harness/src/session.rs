//! A run session: everything one run of a suite needs, built once by every
//! entry point (the CLI and the `cargo test` entry), which differ only in
//! how they pick jobs and where results go.
//!
//! A job is one (case, engine) pair. [`Session::run`] hands jobs to `-j N`
//! plain threads; each compiles its case with the toolchain (once per
//! case, shared), then sends the job to a worker process of the
//! [`Pool`](crate::worker::Pool) and waits for it under the deadline. When
//! every engine of a case has finished, the case is finished as a whole
//! ([`crate::finish`]: divergence between engines, blessing) and its
//! results go to the caller's listener, on the calling thread, in
//! completion order.
//!
//! No rayon pool runs jobs: a job that blocks (on a toolchain process, on
//! its worker, on another job's compile) parks its own thread and nothing
//! else can run on that thread's stack meanwhile.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, mpsc};
use xharness_engines::Registry;

use xharness_golden::Normalizer;
use xharness_reports::{CaseResult, Reason, Status};
use xharness_suites::{Case, Expectation, Normalize, StreamNormalize, Suite};

use crate::scratch::ScratchPool;
use crate::toolchain::{Artifact, CompileFailure, CompileRun, Compiler};
use crate::verdict::{self, Failure, JobRecord, Norms};
use crate::worker::{Job, Pool, Watch, WorkerCommand};

/// Resident memory a worker may use beyond the guest's memory limit
/// before the parent kills it: the engine, its code and its buffers.
pub const DEFAULT_RSS_MARGIN: u64 = 512 << 20;

/// How to run a selection of cases.
#[derive(Debug, Clone)]
pub struct Options {
    /// Jobs run at once (worker processes).
    pub jobs: usize,
    /// Write a new golden where every engine produced the same output.
    pub bless: bool,
    /// Keep each job's scratch directory (their paths are printed).
    pub keep_scratch: bool,
    /// Stop starting new jobs after the first failure.
    pub fail_fast: bool,
    /// Run a failing job up to this many more times; a later pass is flaky.
    pub retries: u32,
    /// Root of the toolchain and module caches.
    pub cache_dir: PathBuf,
    /// How to start worker processes.
    pub worker: WorkerCommand,
    /// See [`DEFAULT_RSS_MARGIN`].
    pub rss_margin: u64,
    /// `(path, SHA-256 hex)` of binary modules hashed already (by the
    /// listing stage), so cases that use them as they are need not read
    /// them again.
    pub known_modules: Vec<(PathBuf, String)>,
    /// How this run was started, for the repro lines of records that did
    /// not pass (none: no xharness line can be given).
    pub origin: Option<crate::repro::Origin>,
    /// Baseline entries that apply: (case, engine) → `FILE:LINE`.
    pub baselines: crate::baseline::Applied,
}

impl Options {
    /// Defaults for `cache_dir`, starting workers with `worker`.
    pub fn new(cache_dir: PathBuf, worker: WorkerCommand) -> Self {
        Options {
            jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
            bless: false,
            keep_scratch: false,
            fail_fast: false,
            retries: 0,
            cache_dir,
            worker,
            rss_margin: DEFAULT_RSS_MARGIN,
            known_modules: Vec::new(),
            origin: None,
            baselines: Default::default(),
        }
    }
}

/// One suite, its engines and the machinery to run its jobs.
pub struct Session {
    suite: Suite,
    engines: Vec<String>,
    /// Per case: its normalisers (shared among cases that use the same).
    norms: Vec<Arc<Norms>>,
    compiler: Compiler,
    pool: Pool,
    scratch: ScratchPool,
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

    /// The engines, in the order given.
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

    pub fn engines(&self) -> &[String] {
        &self.engines
    }

    /// Run the jobs `(case index, engine index)`; call `listen` with each
    /// result as its case finishes (on the calling thread).
    pub fn run(&self, jobs: &[(usize, usize)], mut listen: impl FnMut(&CaseResult)) -> RunResults {
        let groups = Groups::new(jobs);
        let threads = self.opts.jobs.clamp(1, jobs.len().max(1));
        self.pool.prestart(threads);
        let next = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let (tx, rx) = mpsc::channel::<Vec<(usize, CaseResult)>>();
        let mut results: Vec<(usize, CaseResult)> = Vec::with_capacity(jobs.len());
        std::thread::scope(|s| {
            for _ in 0..threads {
                let tx = tx.clone();
                let (groups, next, stop) = (&groups, &next, &stop);
                s.spawn(move || {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= jobs.len() {
                            return;
                        }
                        let (c, e) = jobs[i];
                        let record = self.job(c, e, stop);
                        if let Some(done) = groups.record(i, record) {
                            let finished = self.finish_case(c, done);
                            if tx.send(finished).is_err() {
                                return;
                            }
                        }
                    }
                });
            }
            drop(tx);
            for batch in rx {
                for (order, mut result) in batch {
                    // Passing cases on which every engine agrees keep only
                    // digests, before any reporter holds on to them.
                    if !keeps_output(&result) {
                        result.forget_output();
                    }
                    listen(&result);
                    results.push((order, result));
                }
            }
        });
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

    /// Give each record of case `c` that did not pass its signature and
    /// its repro lines.
    fn annotate(&self, c: usize, records: &mut [JobRecord]) {
        use xharness_reports::groups;
        let case = &self.suite.cases[c];
        let signatures: Vec<Option<String>> = (0..records.len())
            .map(|i| {
                let r = &records[i].result;
                let peers: Vec<&CaseResult> = records
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, p)| &p.result)
                    .collect();
                groups::needs_signature(r).then(|| groups::signature(r, &peers))
            })
            .collect();
        let module = self.artifacts[c]
            .get()
            .and_then(|a| a.as_ref().ok())
            .map(|a| a.path.as_path());
        for (record, signature) in records.iter_mut().zip(signatures) {
            if signature.is_some() {
                let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
                kept.insert(
                    (case.name.clone(), record.result.engine.clone()),
                    (record.raw_stdout.clone(), record.raw_stderr.clone()),
                );
            }
            let r = &mut record.result;
            if let (Some(origin), true) = (&self.opts.origin, signature.is_some()) {
                r.repro = Some(crate::repro::repro(origin, case, &r.engine, module));
            }
            r.signature = signature;
            if let Some(at) = self
                .opts
                .baselines
                .get(&(case.name.clone(), r.engine.clone()))
            {
                r.baseline = Some(at.clone());
                if r.status == Status::XPass {
                    r.detail = format!(
                        "passed, but the baseline expects it to fail on {}: delete its entry at {at}",
                        r.engine
                    );
                }
            }
        }
    }

    fn run_one_with(&self, c: usize, engine: &str, honour_skip: bool) -> JobRecord {
        crate::retry::with_retries(self.opts.retries, self.opts.bless, || {
            self.attempt(c, engine, honour_skip)
        })
    }

    fn attempt(&self, c: usize, engine: &str, honour_skip: bool) -> JobRecord {
        let case = &self.suite.cases[c];
        if let (Some(Expectation::Skip(why)), true) = (case.expectation(engine), honour_skip) {
            return JobRecord::bare(verdict::skipped(case, engine, why));
        }
        let fail = |reason, detail: String| {
            JobRecord::bare(verdict::finish(
                case,
                engine,
                Some(Failure { reason, detail }),
                0.0,
            ))
        };
        if case.expect.mode.compile_only() {
            return match self.compile_runs[c].get_or_init(|| self.compiler.compile_only(case)) {
                Ok(run) => verdict::judge_compile(
                    case,
                    engine,
                    run.ok,
                    run.exit_code,
                    run.output.clone(),
                    &self.norms[c],
                ),
                Err(f) => fail(Reason::CompileError, format!("{}\n{}", f.summary, f.output)),
            };
        }
        let artifact = match self.artifacts[c].get_or_init(|| self.compiler.module(case)) {
            Ok(a) => a,
            Err(_) if crate::sys::interrupted() => {
                let mut r = CaseResult::new(&case.name, engine, Status::NotRun);
                r.detail = "not run: the run was interrupted while compiling".into();
                return JobRecord::bare(r);
            }
            Err(f) => return fail(Reason::CompileError, format!("{}\n{}", f.summary, f.output)),
        };
        // A case that sees no scratch directory gets none: nothing to
        // create and empty per job.
        let scratch = match case
            .run
            .scratch
            .then(|| self.scratch.take(&case.source.stem))
        {
            Some(Ok(s)) => Some(s),
            Some(Err(e)) => return fail(Reason::InstantiateError, e.to_string()),
            None => None,
        };
        if let Some(s) = &scratch
            && let Err(e) = crate::scratch::copy_inputs(case.inputs(), s.path())
        {
            return fail(Reason::InstantiateError, e.to_string());
        }
        // Private copies of directories the case may change; removed when
        // the job is done (dropped at the end of this function).
        let copies = match crate::scratch::private_copies(case) {
            Ok(c) => c,
            Err(e) => return fail(Reason::InstantiateError, e.to_string()),
        };
        let scratch_path = scratch.as_ref().map(|s| s.path());
        let (job, stdin) = match self.job_for(case, engine, artifact, scratch_path, &copies) {
            Ok(j) => j,
            Err(e) => return fail(Reason::InstantiateError, e.to_string()),
        };
        let watch = Watch {
            timeout: case.run.timeout,
            max_rss: case.run.max_memory.saturating_add(self.opts.rss_margin),
        };
        let end = self.pool.run(&job, &stdin, watch);
        let mut record = verdict::judge(case, engine, end, &self.norms[c]);
        if let (true, Some(s)) = (self.opts.keep_scratch, &scratch)
            && record.result.status != Status::Pass
        {
            record.result.detail.push_str(&format!(
                "\nscratch directory kept at {}\n",
                s.path().display()
            ));
        }
        record
    }

    fn job_for(
        &self,
        case: &Case,
        engine: &str,
        artifact: &Artifact,
        scratch: Option<&Path>,
        copies: &[Option<tempfile::TempDir>],
    ) -> crate::Result<(Job, Vec<u8>)> {
        let stdin = match &case.run.stdin {
            Some(path) => match std::fs::read(path) {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
                Err(e) => {
                    return Err(format!("cannot read stdin file {}: {e}", path.display()).into());
                }
            },
            None => Vec::new(),
        };
        let mut preopens = Vec::new();
        if let Some(scratch) = scratch {
            preopens.push((scratch.to_path_buf(), ".".to_string(), false));
        }
        for (i, d) in case.run.dirs.iter().enumerate() {
            if !d.host.is_dir() {
                return Err(format!(
                    "directory {} (from [run] dirs) does not exist; create it or fix the entry",
                    d.host.display()
                )
                .into());
            }
            let host = match copies.get(i) {
                Some(Some(copy)) => copy.path().to_path_buf(),
                _ => d.host.clone(),
            };
            preopens.push((host, d.guest.clone(), d.read_only));
        }
        let mut argv = vec![format!("{}.wasm", case.source.stem)];
        argv.extend(case.run.args.iter().cloned());
        let job = Job {
            engine: engine.to_string(),
            wasm: artifact.path.clone(),
            wasm_sha256: artifact.sha256.clone(),
            cache_dir: self.opts.cache_dir.clone(),
            argv,
            env: case.run.env.clone(),
            preopens,
            max_memory: case.run.max_memory,
            output_cap: case.run.max_output,
            native: case.native().to_vec(),
        };
        Ok((job, stdin))
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
        let key = case.expect.normalize.as_ref().unwrap_or(&suite_wide);
        if let Some(n) = built.get(key) {
            out.push(n.clone());
            continue;
        }
        let bad = |e| format!("{}: case {}: {e}", suite.file.display(), case.name);
        let n = Arc::new(Norms {
            stdout: compile(&key.stdout).map_err(bad)?,
            stderr: compile(&key.stderr).map_err(bad)?,
        });
        built.insert(key, n.clone());
        out.push(n);
    }
    Ok(out)
}

/// Whether a result keeps its output texts: failing and divergent ones do.
fn keeps_output(r: &CaseResult) -> bool {
    r.divergent || r.status.is_failure() || matches!(r.status, Status::Flaky | Status::XFail)
}

/// Jobs grouped by case, so a case is finished once all its engines are.
struct Groups {
    /// Job index → (group, position in group).
    place: Vec<(usize, usize)>,
    /// Group → its job indices.
    members: Vec<Vec<usize>>,
    slots: Vec<Mutex<Vec<Option<JobRecord>>>>,
    remaining: Vec<AtomicUsize>,
}

impl Groups {
    fn new(jobs: &[(usize, usize)]) -> Self {
        let mut index: std::collections::HashMap<usize, usize> = Default::default();
        let mut members: Vec<Vec<usize>> = Vec::new();
        let place = jobs
            .iter()
            .enumerate()
            .map(|(i, &(c, _))| {
                let g = *index.entry(c).or_insert_with(|| {
                    members.push(Vec::new());
                    members.len() - 1
                });
                members[g].push(i);
                (g, members[g].len() - 1)
            })
            .collect();
        Groups {
            place,
            slots: members
                .iter()
                .map(|m| Mutex::new((0..m.len()).map(|_| None).collect()))
                .collect(),
            remaining: members.iter().map(|m| AtomicUsize::new(m.len())).collect(),
            members,
        }
    }

    /// Store job `i`'s record; when it was its case's last, take all of
    /// the case's records with their job indices.
    fn record(&self, i: usize, record: JobRecord) -> Option<Vec<(usize, JobRecord)>> {
        let (g, pos) = self.place[i];
        let mut slot = self.slots[g].lock().unwrap_or_else(PoisonError::into_inner);
        slot[pos] = Some(record);
        if self.remaining[g].fetch_sub(1, Ordering::AcqRel) != 1 {
            return None;
        }
        let records = slot.drain(..).flatten();
        Some(self.members[g].iter().copied().zip(records).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(case: &str, engine: &str) -> JobRecord {
        JobRecord::bare(CaseResult::new(case, engine, Status::Pass))
    }

    #[test]
    fn a_case_is_handed_back_once_all_its_engines_finished() {
        // case 0 on engines 0 and 1, case 1 on engine 1 only.
        let jobs = [(0, 0), (0, 1), (1, 1)];
        let groups = Groups::new(&jobs);
        assert!(groups.record(1, record("a", "e1")).is_none());
        let single = groups.record(2, record("b", "e1")).expect("case 1 done");
        assert_eq!(single.len(), 1);
        assert_eq!(single[0].0, 2);
        let both = groups.record(0, record("a", "e0")).expect("case 0 done");
        let order: Vec<(usize, &str)> = both
            .iter()
            .map(|(i, r)| (*i, r.result.engine.as_str()))
            .collect();
        assert_eq!(order, [(0, "e0"), (1, "e1")]);
    }
}
