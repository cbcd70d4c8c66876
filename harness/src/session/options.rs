//! How to run a selection of cases: the [`Options`] every entry point fills
//! from its flags and configuration. Plain data, no behaviour.

use std::path::PathBuf;

use crate::worker::WorkerCommand;

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
    /// Where private copies of `copy` directories go (`XHARNESS_COPY_DIR`;
    /// none: `/dev/shm` when writable, else the temp dir).
    pub copy_dir: Option<PathBuf>,
    /// `(path, SHA-256 hex)` of binary modules hashed already (by the
    /// listing stage), so cases that use them as they are need not read
    /// them again.
    pub known_modules: Vec<(PathBuf, String)>,
    /// How this run was started, for the repro lines of records that did
    /// not pass (none: no xharness line can be given).
    pub origin: Option<crate::repro::Origin>,
    /// Baseline entries that apply: (case, engine) → `FILE:LINE`.
    pub baselines: crate::baseline::Applied,
    /// The xharness binary, which runs shell steps' `.wasm` programs
    /// (`xharness exec`); none: cases with shell steps fail saying so.
    pub exe: Option<PathBuf>,
    /// Run every job on its engine's counting variant, so each record
    /// carries the wasm instructions the guest executed (slower).
    pub count_instructions: bool,
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
            copy_dir: None,
            known_modules: Vec::new(),
            origin: None,
            baselines: Default::default(),
            exe: None,
            count_instructions: false,
        }
    }
}

impl Options {
    /// These options with what the environment sets (memory margin, copy
    /// folder); the cache folder is the caller's, as `--cache-dir` may
    /// override the environment's.
    pub fn with_env(mut self, env: &crate::config::Env) -> Self {
        self.rss_margin = env.rss_margin.unwrap_or(self.rss_margin);
        self.copy_dir = env.copy_dir.clone();
        self
    }
}
