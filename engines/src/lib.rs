//! The seam between xharness and WebAssembly engines.
//!
//! Everything xharness does ends with running a compiled test module. This
//! crate owns that step: one [`Engine`] trait, the plain data that crosses
//! the seam ([`Invocation`] in, [`Outcome`] out), the [`Registry`] that
//! every entry point is given, and two implementations behind cargo
//! features (`wasmtime`, `wasmer`). Other backends live in crates of their
//! own (`xharness-engines-wasmi`) and use only this crate's public API:
//!
//! - [`Module::new`] and [`Module::downcast_ref`] wrap and unwrap the
//!   backend's compiled module;
//! - [`capture`] gives capped, teed output buffers and
//!   [`capture::run_captured`], which times a run and assembles its
//!   [`Outcome`];
//! - [`rules`] holds what every backend must agree on: the memory and
//!   table limits ([`rules::Limits`]), what a trap or failed instantiation
//!   becomes, how a missing import is named;
//! - [`native`] binds imports to a native library ([`native::bind_imports`]);
//! - [`Status::exit_status`] is the exit-code convention.
//!
//! The key design decision is that *the harness never sees an engine type*.
//! An invocation describes argv, environment, stdin, preopened directories
//! and limits as data; every backend honours every field, building a limit
//! out of whatever the engine offers when it has no ready switch (wasmtime:
//! a resource limiter; wasmer: custom tunables). When a user switches
//! engines, any difference they observe is a real engine difference, not
//! plumbing.
//!
//! An engine may also come in a counting variant ([`Engine::counting`]):
//! the same engine with its code instrumented to count the wasm
//! instructions a guest executes (wasmtime's fuel, a metering middleware
//! on wasmer, wasmi's fuel), a figure of a test's cost that no noise on
//! the machine changes. It is off unless asked for.
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
//!
//! It reads no environment variable: the cache folder and every limit arrive as
//! arguments.

pub mod cache;
pub mod capture;
mod error;
mod invocation;
pub mod native;
pub mod registry;
pub mod rules;
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
pub use registry::{Known, Registry};

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

    /// Whether compiled modules are native code worth keeping on disk
    /// ([`cache::ModuleCache`]); an interpreter, which only validates and
    /// translates in memory, says no (the default) and needs no
    /// [`Engine::serialize`].
    fn caches_native_code(&self) -> bool {
        false
    }

    /// Serialise a compiled module's native code for the on-disk cache.
    fn serialize(&self, module: &Module) -> Result<Vec<u8>, EngineError> {
        let _ = module;
        Err(EngineError::NoNativeCode {
            engine: self.name(),
        })
    }

    /// Load native code produced by [`Engine::serialize`].
    ///
    /// # Safety
    /// The bytes must come from `serialize` of an engine with the same
    /// name, version and configuration fingerprint, unmodified. The cache
    /// guarantees this with its key and a checksum.
    unsafe fn deserialize(&self, bytes: &[u8]) -> Result<Module, EngineError> {
        let _ = bytes;
        Err(EngineError::NoNativeCode {
            engine: self.name(),
        })
    }

    /// Whether [`Engine::deserialize_file`] maps the file itself and has
    /// no use for the bytes it is given: the cache then maps the entry to
    /// check it, sharing the pages the engine maps next, instead of
    /// reading a copy. Engines that load the bytes keep the default: for
    /// them a read is cheaper than a mapping made and unmade per job.
    fn maps_cache_files(&self) -> bool {
        false
    }

    /// Load native code from a file written with the bytes of
    /// [`Engine::serialize`], given the file's bytes as the caller read or
    /// mapped them (to check them): engines that can map the file do so,
    /// the others load the bytes and read nothing again.
    ///
    /// # Safety
    /// As for [`Engine::deserialize`], and the file must not change while
    /// the module lives (replace it only by renaming a new file over it).
    unsafe fn deserialize_file(
        &self,
        path: &std::path::Path,
        bytes: &[u8],
    ) -> Result<Module, EngineError> {
        let _ = path;
        // SAFETY: forwarded from this function's own contract.
        unsafe { self.deserialize(bytes) }
    }

    /// Run a module's `_start` under WASI with everything the invocation
    /// asks for. Never panics on guest behaviour: every way a run can end is
    /// an [`Outcome`].
    fn run(&self, module: &Module, invocation: &Invocation) -> Outcome;

    /// This engine, configured to count the wasm instructions a guest
    /// executes: same name, its own [`Engine::config_fingerprint`] (the
    /// instrumented native code is cached apart), and every [`Outcome`]
    /// of its runs carries [`Outcome::instructions`]. `None` (the default)
    /// when the engine cannot count. Counting instruments the code and is
    /// slower, so a plain engine never counts.
    fn counting(&self) -> Result<Option<Arc<dyn Engine>>, EngineError> {
        Ok(None)
    }
}

/// A compiled module: cheap to clone, `Send + Sync`, runnable many times.
#[derive(Clone)]
pub struct Module {
    engine: &'static str,
    inner: Arc<dyn Any + Send + Sync>,
}

impl Module {
    /// Wrap a backend's compiled module; `engine` is the backend's
    /// [`Engine::name`].
    pub fn new<T: Any + Send + Sync>(engine: &'static str, inner: T) -> Self {
        Module {
            engine,
            inner: Arc::new(inner),
        }
    }

    /// The name of the engine that compiled this module.
    pub fn engine(&self) -> &'static str {
        self.engine
    }

    /// The backend's compiled module, if it is a `T`.
    pub fn downcast_ref<T: Any>(&self) -> Option<&T> {
        self.inner.downcast_ref::<T>()
    }

    /// The backend's compiled module, or [`EngineError::WrongEngine`] when
    /// another engine (`engine`) compiled it.
    pub fn get<T: Any>(&self, engine: &'static str) -> Result<&T, EngineError> {
        self.downcast_ref::<T>().ok_or(EngineError::WrongEngine {
            engine,
            compiled_by: self.engine,
        })
    }
}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module")
            .field("engine", &self.engine)
            .finish_non_exhaustive()
    }
}

/// The backends of this crate, as a registry ([`Registry::builtin`]).
pub fn builtin() -> Registry {
    Registry::builtin()
}
