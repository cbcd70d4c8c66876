//! The wasmtime backend: WASI preview 1 from `wasmtime-wasi`.
//!
//! The generated code has no interrupt checks (no epochs, no fuel): the
//! wall-clock limit is enforced from outside the process (see the crate
//! docs). The counting variant ([`Engine::counting`]) turns fuel on, pours
//! `u64::MAX` into each store and reports what was consumed: wasmtime's
//! default operator costs, one unit per operator except `nop`, `drop`,
//! `block`, `loop`, `unreachable`, `return`, `else` and `end`, plus one
//! per byte or element of bulk memory and table operations (and of data
//! segments at instantiation). A guest that traps other than by
//! `unreachable` (or a bad call) has no count: see `loses_fuel`. Memory is a resource limiter that refuses growth of linear
//! memories and tables past the limit, so `memory.grow` and `table.grow`
//! return -1 and the guest sees the failure.

mod io;
mod native;

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

pub use wasmtime::{Config, OptLevel};
use wasmtime::{Engine as WtEngine, Linker, Module as WtModule, Store, Trap};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};

use crate::capture::CaptureBuf;
use crate::rules::{self, Limits};
use crate::{Engine, EngineError, Invocation, Module, Outcome, Status, Stdio, TrapKind};

const NAME: &str = "wasmtime";

/// Fuel poured into a counting run's store: never running out, the
/// consumed fuel is the count.
const FUEL: u64 = u64::MAX;

/// Engine backed by wasmtime.
pub struct Wasmtime {
    name: &'static str,
    /// The configuration `engine` was made with, for the counting variant.
    config: Config,
    /// Whether fuel counts the instructions each run executes.
    counting: bool,
    engine: WtEngine,
    linker: Arc<Linker<Host>>,
    /// Every (module, name) the linker defines, to name a missing import.
    provided: HashSet<(String, String)>,
}

struct Host {
    wasi: WasiP1Ctx,
    limiter: MemoryLimiter,
}

/// Asks the run's [`Limits`] before a linear memory or table grows.
struct MemoryLimiter(Limits);

impl wasmtime::ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(self.0.memory_may_grow_to(desired as u64))
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(self.0.table_may_grow_to(desired as u64))
    }
}

impl Wasmtime {
    /// Create an engine (no interrupt instrumentation in generated code).
    pub fn new() -> Result<Self, EngineError> {
        Self::configured(NAME, |_| {})
    }

    /// An engine called `name` whose wasmtime configuration `configure`
    /// changes after xharness's own settings (another optimisation level,
    /// a wasm feature turned off): one way to plug in a variant of this
    /// backend under a name of its own. Its cache entries are its own, as
    /// the configuration is part of their key.
    pub fn configured(
        name: &'static str,
        configure: impl FnOnce(&mut Config),
    ) -> Result<Self, EngineError> {
        let mut config = Config::new();
        // Copy data segments at instantiation instead of mapping a
        // copy-on-write image per module: far fewer mmap calls per run,
        // which otherwise serialise parallel runs on the address-space lock.
        config.memory_init_cow(false);
        config.wasm_backtrace_max_frames(None);
        configure(&mut config);
        Self::with_config(name, config, false)
    }

    fn with_config(
        name: &'static str,
        config: Config,
        counting: bool,
    ) -> Result<Self, EngineError> {
        let mut config = config;
        if counting {
            config.consume_fuel(true);
        }
        let engine = WtEngine::new(&config).map_err(setup_error)?;
        warm_wasi_runtime();
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |h: &mut Host| &mut h.wasi)
            .map_err(setup_error)?;
        // wasmtime-wasi refuses exit codes >= 126; a native process (and
        // wasmer) exits with them, so pass every code through.
        linker.allow_shadowing(true);
        linker
            .func_wrap(
                "wasi_snapshot_preview1",
                "proc_exit",
                |code: i32| -> wasmtime::Result<()> { Err(wasmtime::Error::new(I32Exit(code))) },
            )
            .map_err(setup_error)?;
        let provided = provided_names(&engine, &linker);
        Ok(Wasmtime {
            name,
            config,
            counting,
            engine,
            linker: Arc::new(linker),
            provided,
        })
    }

    fn module<'m>(&self, module: &'m Module) -> Result<&'m WtModule, EngineError> {
        module.get::<WtModule>(self.name)
    }
}

fn setup_error(e: impl std::fmt::Display) -> EngineError {
    EngineError::Setup {
        engine: NAME,
        message: format!("{e:#}"),
    }
}

impl Engine for Wasmtime {
    fn name(&self) -> &'static str {
        self.name
    }

    fn version(&self) -> &'static str {
        "48"
    }

    fn config_fingerprint(&self) -> String {
        // wasmtime checks compatibility itself on deserialize; the hash of
        // its precompile-compatibility data changes with every setting that
        // matters for native code.
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.engine.precompile_compatibility_hash().hash(&mut h);
        let kind = if self.counting { "fuel" } else { "plain" };
        format!("{kind}-{:016x}", h.finish())
    }

    fn counting(&self) -> Result<Option<Arc<dyn Engine>>, EngineError> {
        let engine = Self::with_config(self.name, self.config.clone(), true)?;
        Ok(Some(Arc::new(engine)))
    }

    fn caches_native_code(&self) -> bool {
        true
    }

    fn compile(&self, wasm: &[u8]) -> Result<Module, EngineError> {
        let module = WtModule::new(&self.engine, wasm).map_err(|e| EngineError::Compile {
            message: format!("{e:#}"),
        })?;
        Ok(Module::new(self.name, module))
    }

    fn serialize(&self, module: &Module) -> Result<Vec<u8>, EngineError> {
        self.module(module)?
            .serialize()
            .map_err(|e| EngineError::Serialize {
                engine: self.name,
                message: format!("{e:#}"),
            })
    }

    unsafe fn deserialize(&self, bytes: &[u8]) -> Result<Module, EngineError> {
        // SAFETY: the caller guarantees the bytes came unmodified from
        // `serialize` of this engine version and configuration.
        let module = unsafe { WtModule::deserialize(&self.engine, bytes) }.map_err(|e| {
            EngineError::Serialize {
                engine: self.name,
                message: format!("{e:#}"),
            }
        })?;
        Ok(Module::new(self.name, module))
    }

    fn maps_cache_files(&self) -> bool {
        true
    }

    unsafe fn deserialize_file(&self, path: &Path, _bytes: &[u8]) -> Result<Module, EngineError> {
        // wasmtime maps the file itself: its code is shared with the page
        // cache.
        // SAFETY: the caller guarantees the file came unmodified from
        // `serialize` of this engine version and configuration and is never
        // changed in place while the module lives (the cache only renames).
        let module = unsafe { WtModule::deserialize_file(&self.engine, path) }.map_err(|e| {
            EngineError::Serialize {
                engine: self.name,
                message: format!("{e:#}"),
            }
        })?;
        Ok(Module::new(self.name, module))
    }

    fn run(&self, module: &Module, inv: &Invocation) -> Outcome {
        let mut instructions = None;
        let outcome =
            crate::capture::run_captured(inv, |stdout, stderr, _| match self.module(module) {
                Ok(m) => self.run_module(m, inv, stdout, stderr, &mut instructions),
                Err(e) => Status::InstantiateError(e.to_string()),
            });
        outcome.with_instructions(instructions)
    }
}

impl Wasmtime {
    fn run_module(
        &self,
        module: &WtModule,
        inv: &Invocation,
        stdout: &CaptureBuf,
        stderr: &CaptureBuf,
        instructions: &mut Option<u64>,
    ) -> Status {
        let wasi = match build_wasi(inv, stdout, stderr) {
            Ok(w) => w,
            Err(reason) => return Status::InstantiateError(reason),
        };
        let limits = Limits::new(inv);
        let host = Host {
            wasi,
            limiter: MemoryLimiter(limits.clone()),
        };
        let mut store = Store::new(&self.engine, host);
        store.limiter(|h| &mut h.limiter);
        if self.counting
            && let Err(e) = store.set_fuel(FUEL)
        {
            return Status::InstantiateError(format!("cannot set fuel: {e:#}"));
        }
        let mut lost = false;
        let status = self.instantiate_and_start(module, inv, &mut store, &limits, &mut lost);
        if self.counting && !lost {
            *instructions = store.get_fuel().ok().map(|left| FUEL - left);
        }
        status
    }

    fn instantiate_and_start(
        &self,
        module: &WtModule,
        inv: &Invocation,
        store: &mut Store<Host>,
        limits: &Limits,
        fuel_lost: &mut bool,
    ) -> Status {
        // Native imports need a linker of their own; every other run
        // shares the engine's.
        let native = if inv.native.is_empty() {
            None
        } else {
            match native::linker(&self.linker, module, &inv.native) {
                Ok(l) => Some(l),
                Err(reason) => return Status::InstantiateError(reason),
            }
        };
        let linker = native.as_ref().unwrap_or(&self.linker);
        let instance = match linker.instantiate(&mut *store, module) {
            Ok(i) => i,
            // Name the import only when linking failed: off the hot path.
            Err(e) => match missing_import(&self.provided, module) {
                Some(status) => return status,
                None => {
                    *fuel_lost = loses_fuel(&e);
                    return instantiate_failure(&e, limits);
                }
            },
        };
        let start = match instance.get_typed_func::<(), ()>(&mut *store, "_start") {
            Ok(f) => f,
            Err(e) => return rules::no_start(e),
        };
        match start.call(&mut *store, ()) {
            Ok(()) => Status::Exited(0),
            Err(e) => {
                *fuel_lost = loses_fuel(&e);
                classify(&e, limits)
            }
        }
    }
}

/// Whether a run that ended with `e` lost fuel from the count. Generated
/// code keeps the running function's fuel in a register and stores it
/// only at calls, returns and `unreachable`; a trap raised by any other
/// instruction (an out-of-bounds access, a division by zero) drops what
/// that function consumed since it last stored it, so its count is unknown.
fn loses_fuel(e: &wasmtime::Error) -> bool {
    matches!(
        e.downcast_ref::<Trap>(),
        Some(t) if !matches!(
            t,
            Trap::UnreachableCodeReached
                | Trap::StackOverflow
                | Trap::IndirectCallToNull
                | Trap::BadSignature
                | Trap::OutOfFuel
        )
    )
}

/// Set up wasmtime-wasi's own tokio runtime (its worker threads, read
/// from the cgroup's CPU quota) on a thread of its own, once per process,
/// so that the first run does not wait for it (about a millisecond).
fn warm_wasi_runtime() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        let _ = std::thread::Builder::new()
            .name("xharness-wasi-rt".into())
            .spawn(|| wasmtime_wasi::runtime::with_ambient_tokio_runtime(|| ()));
    });
}

fn build_wasi(
    inv: &Invocation,
    stdout: &CaptureBuf,
    stderr: &CaptureBuf,
) -> Result<WasiP1Ctx, String> {
    let mut b = WasiCtxBuilder::new();
    // Guests run synchronously: let blocking WASI calls (opening a file,
    // reading a directory) block this thread instead of round-tripping
    // through tokio's blocking pool, as the wasmtime CLI does. A guest
    // that touches many files ran ~3x slower without it.
    b.allow_blocking_current_thread(true);
    b.args(&inv.argv).envs(&inv.env);
    match inv.stdio {
        Stdio::Capture => {
            b.stdin(wasmtime_wasi::p2::pipe::MemoryInputPipe::new(
                inv.stdin.clone(),
            ));
            b.stdout(io::CaptureStream(stdout.clone()));
            b.stderr(io::CaptureStream(stderr.clone()));
        }
        Stdio::Inherit => {
            b.inherit_stdio();
        }
    }
    for p in &inv.preopens {
        let perms = if p.read_only {
            FsPerms::ReadOnly
        } else {
            FsPerms::ReadWrite
        };
        b.preopened_dir(&p.host, &p.guest, perms).map_err(|e| {
            format!(
                "cannot preopen {} as `{}`: {e:#}",
                p.host.display(),
                p.guest
            )
        })?;
    }
    Ok(b.build_p1())
}

fn provided_names(engine: &WtEngine, linker: &Linker<Host>) -> HashSet<(String, String)> {
    let host = Host {
        wasi: WasiCtxBuilder::new().build_p1(),
        limiter: MemoryLimiter(Limits::with(0, 0)),
    };
    let mut store = Store::new(engine, host);
    linker
        .iter(&mut store)
        .map(|(m, n, _)| (m.to_string(), n.to_string()))
        .collect()
}

/// The first import the linker cannot satisfy, named.
fn missing_import(provided: &HashSet<(String, String)>, module: &WtModule) -> Option<Status> {
    for import in module.imports() {
        let key = (import.module().to_string(), import.name().to_string());
        if !provided.contains(&key) {
            return Some(rules::unknown_import(
                import.module(),
                import.name(),
                extern_kind(&import.ty()),
            ));
        }
    }
    None
}

fn extern_kind(ty: &wasmtime::ExternType) -> &'static str {
    match ty {
        wasmtime::ExternType::Func(_) => "function",
        wasmtime::ExternType::Global(_) => "global",
        wasmtime::ExternType::Table(_) => "table",
        wasmtime::ExternType::Memory(_) => "memory",
        wasmtime::ExternType::Tag(_) => "tag",
    }
}

fn instantiate_failure(e: &wasmtime::Error, limits: &Limits) -> Status {
    match e.downcast_ref::<Trap>() {
        Some(_) if !limits.hit() => classify(e, limits),
        _ => rules::instantiate_failed(format!("{e:#}"), limits),
    }
}

fn classify(e: &wasmtime::Error, limits: &Limits) -> Status {
    if let Some(exit) = e.downcast_ref::<I32Exit>() {
        return Status::Exited(exit.0);
    }
    let Some(trap) = e.downcast_ref::<Trap>() else {
        return rules::host_error(format!("{e:#}"));
    };
    let kind = match trap {
        Trap::UnreachableCodeReached => TrapKind::Unreachable,
        Trap::IntegerDivisionByZero => TrapKind::IntegerDivideByZero,
        Trap::IntegerOverflow => TrapKind::IntegerOverflow,
        Trap::BadConversionToInteger => TrapKind::BadConversionToInteger,
        Trap::MemoryOutOfBounds => TrapKind::MemoryOutOfBounds,
        Trap::TableOutOfBounds => TrapKind::TableOutOfBounds,
        Trap::IndirectCallToNull => TrapKind::IndirectCallToNull,
        Trap::BadSignature => TrapKind::BadSignature,
        Trap::StackOverflow => TrapKind::StackOverflow,
        _ => TrapKind::Other,
    };
    rules::trapped(kind, &trap.to_string(), limits)
}
