//! What the wasmer backend keeps from one job to the next: the engine that
//! loads cached modules ([`Loading`]) and the store of the last plain run
//! ([`Kept`]). Both exist to make a small job cheap without keeping what
//! a job leaves behind for long: each is replaced after a bounded number
//! of modules or runs and bytes.
//!
//! The unsafe code here is the `Send` of [`Kept`], with its `// SAFETY:`
//! line.

use wasmer::{Instance, Store};
use wasmer_wasix::{WasiEnv, WasiFunctionEnv};

use super::loading_engine;

/// How many runs one kept store serves, and how many bytes of the guests'
/// linear memories it may hold, before it is dropped.
pub(super) const RUNS_PER_STORE: usize = 32;
const MEMORY_PER_STORE: u64 = 32 << 20;

/// A store kept from one run to the next, with its preview-1 host
/// functions.
///
/// wasmer-wasix's host functions belong to a store, and building them for
/// every run was a sixth of a small job (profiled). A run of a plain
/// preview-1 program (captured stdio, no threads) that exits leaves its
/// store here, and the next such run of a module of the same engine
/// instantiates into it with the same host functions and a fresh
/// `WasiEnv` (arguments, environment, files, stdio: nothing of the last
/// run's WASI state is left). A store frees nothing until it is dropped,
/// so the instances and linear memories of its runs stay until then:
/// a store is dropped after [`RUNS_PER_STORE`] runs, once its guests'
/// memories pass [`MEMORY_PER_STORE`], and after any run that does not
/// exit (a trap, a limit, an error), so a broken instance never shares a
/// store with the next run.
pub(super) struct Kept {
    /// The thread that made it, the only one that uses it.
    thread: std::thread::ThreadId,
    engine: wasmer::EngineId,
    pub(super) store: Store,
    pub(super) env: WasiFunctionEnv,
    pub(super) imports: wasmer::Imports,
    runs: usize,
    memory: u64,
}

// SAFETY: a wasmer store is not `Send` because of the raw pointers into
// its instances and its boxed callbacks, which must not be used from two
// threads. A `Kept` is used only on the thread that made it (`run_kept`
// checks `thread`, and takes it out of its mutex for the run); another
// thread only drops it, from the mutex, where no run is using it.
unsafe impl Send for Kept {}

impl Kept {
    /// Whether a run on this thread of a module of `engine` may use it.
    pub(super) fn serves(&self, engine: &wasmer::Engine) -> bool {
        self.thread == std::thread::current().id() && self.engine == engine.id()
    }

    pub(super) fn new(engine: &wasmer::Engine, env: WasiEnv) -> Self {
        let mut store = Store::new(engine.clone());
        let env = WasiFunctionEnv::new(&mut store, env);
        let imports = wasmer_wasix::generate_import_object_from_env(
            &mut store,
            &env.env,
            wasmer_wasix::WasiVersion::Snapshot1,
        );
        Kept {
            thread: std::thread::current().id(),
            engine: engine.id(),
            store,
            env,
            imports,
            runs: 0,
            memory: 0,
        }
    }

    /// Count a finished run; whether the store may serve another.
    pub(super) fn keep(&mut self, instance: &Instance) -> bool {
        self.runs += 1;
        self.memory += instance
            .exports
            .iter()
            .filter_map(|(_, e)| match e {
                wasmer::Extern::Memory(m) => Some(m.view(&self.store).data_size()),
                _ => None,
            })
            .sum::<u64>();
        self.runs < RUNS_PER_STORE && self.memory < MEMORY_PER_STORE
    }
}

/// How many cached modules one loading engine takes, and how many bytes
/// of them, before a fresh engine replaces it.
const MODULES_PER_ENGINE: usize = 64;
const BYTES_PER_ENGINE: usize = 64 << 20;

/// The engine that loads cached modules now, and what it has taken.
///
/// wasmer frees a module's native code only with its engine
/// (wasmerio/wasmer#4377), so an engine per module is what bounds memory,
/// but setting one up and registering every signature in it anew was a
/// tenth of a small job. Modules loaded one after another share an engine
/// instead, up to [`MODULES_PER_ENGINE`] of them or [`BYTES_PER_ENGINE`]
/// of their serialised size; then a fresh one takes over, and the old one,
/// with all the code it holds, is dropped with its last module (each
/// [`Compiled`] keeps its engine).
pub(super) struct Loading {
    engine: wasmer::Engine,
    modules: usize,
    bytes: usize,
}

impl Loading {
    pub(super) fn new() -> Self {
        Loading {
            engine: loading_engine(),
            modules: 0,
            bytes: 0,
        }
    }

    /// The engine for a module of `bytes` serialised bytes.
    pub(super) fn take(&mut self, bytes: usize) -> wasmer::Engine {
        if self.modules >= MODULES_PER_ENGINE || self.bytes + bytes > BYTES_PER_ENGINE {
            *self = Loading::new();
        }
        self.modules += 1;
        self.bytes += bytes;
        self.engine.clone()
    }
}
