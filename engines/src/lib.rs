//! The seam between xharness and WebAssembly engines.
//!
//! Everything xharness does ends with running a compiled test module. This
//! crate owns that step: one [`Engine`] trait, two implementations behind
//! cargo features (`wasmtime`, `wasmer`), and the plain data that crosses the
//! seam ([`Invocation`] in, [`Outcome`] out).
//!
//! The key design decision is that *the harness never sees an engine type*.
//! An invocation describes argv, environment, stdin, preopened directories
//! and limits as data; every backend honours every field, building a limit
//! out of whatever the engine offers when it has no ready switch (wasmtime:
//! a resource limiter; wasmer: custom tunables). When a user switches
//! engines, any difference they observe is a real engine difference, not
//! plumbing.
//!
//! The one limit engines do *not* enforce is the wall clock: guests run at
//! the engine's full speed, with no epoch or metering checks compiled into
//! their code, and whoever runs them ends the process at the deadline
//! (xharness's worker pool kills the worker; `xharness run` exits from a
//! watchdog thread). That also stops a guest blocked in a host call, which
//! no in-code check could.
//!
//! Compiled modules are shared: [`Engine::compile`] returns a [`Module`]
//! that is `Send + Sync` and can be run many times from many threads. The
//! [`cache::ModuleCache`] keeps native code on disk across processes.

pub mod cache;
pub mod capture;
mod error;
mod invocation;
pub mod native;
#[cfg(feature = "wasmer")]
pub mod wasmer_backend;
#[cfg(feature = "wasmtime")]
pub mod wasmtime_backend;

use std::any::Any;
use std::sync::Arc;

pub use error::EngineError;
pub use invocation::{
    Captured, DEFAULT_OUTPUT_CAP, Invocation, Outcome, OutputStream, Preopen, Status, Stdio,
    TABLE_ELEMENT_BYTES, Tee, TrapKind,
};

/// A WebAssembly engine that compiles modules and runs them under WASI.
pub trait Engine: Send + Sync {
    /// Short stable name used on the command line and in reports (`wasmtime`).
    fn name(&self) -> &'static str;

    /// Version of the engine library, part of every cache key.
    fn version(&self) -> &'static str;

    /// A string that changes whenever a configuration choice changes the
    /// native code this engine produces; part of every cache key.
    fn config_fingerprint(&self) -> String;

    /// Compile (validate and translate to native code) a module.
    fn compile(&self, wasm: &[u8]) -> Result<Module, EngineError>;

    /// Serialise a compiled module's native code for the on-disk cache.
    fn serialize(&self, module: &Module) -> Result<Vec<u8>, EngineError>;

    /// Load native code produced by [`Engine::serialize`].
    ///
    /// # Safety
    /// The bytes must come from `serialize` of an engine with the same
    /// name, version and configuration fingerprint, unmodified. The cache
    /// guarantees this with its key and a checksum.
    unsafe fn deserialize(&self, bytes: &[u8]) -> Result<Module, EngineError>;

    /// Load native code from a file written with the bytes of
    /// [`Engine::serialize`]; engines that can map the file do so.
    ///
    /// # Safety
    /// As for [`Engine::deserialize`], and the file must not change while
    /// the module lives (replace it only by renaming a new file over it).
    unsafe fn deserialize_file(&self, path: &std::path::Path) -> Result<Module, EngineError> {
        let bytes = std::fs::read(path).map_err(|e| EngineError::Cache {
            path: path.to_path_buf(),
            source: e,
        })?;
        // SAFETY: forwarded from this function's own contract.
        unsafe { self.deserialize(&bytes) }
    }

    /// Run a module's `_start` under WASI with everything the invocation
    /// asks for. Never panics on guest behaviour: every way a run can end is
    /// an [`Outcome`].
    fn run(&self, module: &Module, invocation: &Invocation) -> Outcome;
}

/// A compiled module: cheap to clone, `Send + Sync`, runnable many times.
#[derive(Clone)]
pub struct Module {
    engine: &'static str,
    inner: Arc<dyn Any + Send + Sync>,
}

impl Module {
    fn new<T: Any + Send + Sync>(engine: &'static str, inner: T) -> Self {
        Module {
            engine,
            inner: Arc::new(inner),
        }
    }

    /// The name of the engine that compiled this module.
    pub fn engine(&self) -> &'static str {
        self.engine
    }

    fn downcast<T: Any>(&self) -> Option<&T> {
        self.inner.downcast_ref::<T>()
    }
}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module")
            .field("engine", &self.engine)
            .finish_non_exhaustive()
    }
}

/// Names of the engines compiled into this build, default first.
pub fn available() -> Vec<&'static str> {
    [
        ("wasmtime", cfg!(feature = "wasmtime")),
        ("wasmer", cfg!(feature = "wasmer")),
    ]
    .into_iter()
    .filter_map(|(name, built)| built.then_some(name))
    .collect()
}

/// Create an engine by its command-line name.
pub fn by_name(name: &str) -> Result<Arc<dyn Engine>, EngineError> {
    match name {
        #[cfg(feature = "wasmtime")]
        "wasmtime" => Ok(Arc::new(wasmtime_backend::Wasmtime::new()?)),
        #[cfg(feature = "wasmer")]
        "wasmer" => Ok(Arc::new(wasmer_backend::Wasmer::new()?)),
        other => Err(EngineError::UnknownEngine {
            name: other.to_string(),
            available: available().join(", "),
        }),
    }
}
