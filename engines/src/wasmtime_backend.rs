//! The wasmtime backend: WASI preview 1 from `wasmtime-wasi`.
//!
//! Limits: the wall clock is an epoch deadline (one ticker thread per
//! engine advances the epoch every 5 ms); memory is a resource limiter
//! that refuses growth past the limit, so `memory.grow` returns -1 and the
//! guest's allocator sees the failure.

mod io;

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use wasmtime::{Config, Engine as WtEngine, Linker, Module as WtModule, Store, Trap};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};

use crate::capture::CaptureBuf;
use crate::{Engine, EngineError, Invocation, Module, Outcome, Status, Stdio, TrapKind};

const NAME: &str = "wasmtime";
/// How often the epoch advances; the time limit is accurate to about this.
const TICK: Duration = Duration::from_millis(5);

/// Engine backed by wasmtime.
pub struct Wasmtime {
    engine: WtEngine,
    linker: Arc<Linker<Host>>,
    /// Every (module, name) the linker defines, to name a missing import.
    provided: HashSet<(String, String)>,
    ticker_stop: Arc<AtomicBool>,
}

struct Host {
    wasi: WasiP1Ctx,
    limiter: MemoryLimiter,
}

/// Refuses linear-memory growth past the invocation's limit and remembers
/// that it did.
struct MemoryLimiter {
    max_bytes: usize,
    hit: bool,
}

impl wasmtime::ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.max_bytes {
            self.hit = true;
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        _desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(true)
    }
}

impl Wasmtime {
    /// Create an engine with epoch interruption and its ticker thread.
    pub fn new() -> Result<Self, EngineError> {
        let mut config = Config::new();
        config.epoch_interruption(true);
        // Copy data segments at instantiation instead of mapping a
        // copy-on-write image per module: far fewer mmap calls per run,
        // which otherwise serialise parallel runs on the address-space lock.
        config.memory_init_cow(false);
        config.wasm_backtrace_max_frames(None);
        let engine = WtEngine::new(&config).map_err(setup_error)?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |h: &mut Host| &mut h.wasi)
            .map_err(setup_error)?;
        let provided = provided_names(&engine, &linker);
        let ticker_stop = Arc::new(AtomicBool::new(false));
        spawn_ticker(engine.weak(), ticker_stop.clone()).map_err(setup_error)?;
        Ok(Wasmtime {
            engine,
            linker: Arc::new(linker),
            provided,
            ticker_stop,
        })
    }

    fn module<'m>(&self, module: &'m Module) -> Result<&'m WtModule, EngineError> {
        module
            .downcast::<WtModule>()
            .ok_or(EngineError::WrongEngine {
                engine: NAME,
                compiled_by: module.engine(),
            })
    }
}

impl Drop for Wasmtime {
    fn drop(&mut self) {
        self.ticker_stop.store(true, Ordering::Relaxed);
    }
}

fn spawn_ticker(engine: wasmtime::EngineWeak, stop: Arc<AtomicBool>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("xharness-epoch".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(TICK);
                match engine.upgrade() {
                    Some(e) => e.increment_epoch(),
                    None => return,
                }
            }
        })
        .map(drop)
}

fn setup_error(e: impl std::fmt::Display) -> EngineError {
    EngineError::Setup {
        engine: NAME,
        message: format!("{e:#}"),
    }
}

impl Engine for Wasmtime {
    fn name(&self) -> &'static str {
        NAME
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
        format!("epoch-{:016x}", h.finish())
    }

    fn compile(&self, wasm: &[u8]) -> Result<Module, EngineError> {
        let module = WtModule::new(&self.engine, wasm).map_err(|e| EngineError::Compile {
            message: format!("{e:#}"),
        })?;
        Ok(Module::new(NAME, module))
    }

    fn serialize(&self, module: &Module) -> Result<Vec<u8>, EngineError> {
        self.module(module)?
            .serialize()
            .map_err(|e| EngineError::Serialize {
                engine: NAME,
                message: format!("{e:#}"),
            })
    }

    unsafe fn deserialize(&self, bytes: &[u8]) -> Result<Module, EngineError> {
        // SAFETY: the caller guarantees the bytes came unmodified from
        // `serialize` of this engine version and configuration.
        let module = unsafe { WtModule::deserialize(&self.engine, bytes) }.map_err(|e| {
            EngineError::Serialize {
                engine: NAME,
                message: format!("{e:#}"),
            }
        })?;
        Ok(Module::new(NAME, module))
    }

    fn run(&self, module: &Module, inv: &Invocation) -> Outcome {
        crate::capture::run_captured(inv, |stdout, stderr, _| match self.module(module) {
            Ok(m) => self.run_module(m, inv, stdout, stderr),
            Err(e) => Status::InstantiateError(e.to_string()),
        })
    }
}

impl Wasmtime {
    fn run_module(
        &self,
        module: &WtModule,
        inv: &Invocation,
        stdout: &CaptureBuf,
        stderr: &CaptureBuf,
    ) -> Status {
        let wasi = match build_wasi(inv, stdout, stderr) {
            Ok(w) => w,
            Err(reason) => return Status::InstantiateError(reason),
        };
        let max_bytes = usize::try_from(inv.max_memory).unwrap_or(usize::MAX);
        let host = Host {
            wasi,
            limiter: MemoryLimiter {
                max_bytes,
                hit: false,
            },
        };
        let mut store = Store::new(&self.engine, host);
        store.limiter(|h| &mut h.limiter);
        let ticks = inv.timeout.as_nanos().div_ceil(TICK.as_nanos()).max(1) + 1;
        store.set_epoch_deadline(u64::try_from(ticks).unwrap_or(u64::MAX));
        store.epoch_deadline_trap();

        let instance = match self.linker.instantiate(&mut store, module) {
            Ok(i) => i,
            // Name the import only when linking failed: off the hot path.
            Err(e) => match missing_import(&self.provided, module) {
                Some(reason) => return Status::InstantiateError(reason),
                None => return instantiate_failure(&e, store.data().limiter.hit),
            },
        };
        let start = match instance.get_typed_func::<(), ()>(&mut store, "_start") {
            Ok(f) => f,
            Err(e) => return Status::InstantiateError(format!("no usable `_start` export: {e}")),
        };
        match start.call(&mut store, ()) {
            Ok(()) => Status::Exited(0),
            Err(e) => classify(&e, store.data().limiter.hit),
        }
    }
}

fn build_wasi(
    inv: &Invocation,
    stdout: &CaptureBuf,
    stderr: &CaptureBuf,
) -> Result<WasiP1Ctx, String> {
    let mut b = WasiCtxBuilder::new();
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
        limiter: MemoryLimiter {
            max_bytes: 0,
            hit: false,
        },
    };
    let mut store = Store::new(engine, host);
    linker
        .iter(&mut store)
        .map(|(m, n, _)| (m.to_string(), n.to_string()))
        .collect()
}

/// Name the first import the linker cannot satisfy, like `env::foo (function)`.
fn missing_import(provided: &HashSet<(String, String)>, module: &WtModule) -> Option<String> {
    for import in module.imports() {
        let key = (import.module().to_string(), import.name().to_string());
        if !provided.contains(&key) {
            return Some(format!(
                "unknown import `{}::{}` ({}): the module needs a host function this engine's WASI does not provide",
                import.module(),
                import.name(),
                extern_kind(&import.ty())
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

fn instantiate_failure(e: &wasmtime::Error, memory_hit: bool) -> Status {
    if memory_hit {
        return Status::MemoryLimit;
    }
    match e.downcast_ref::<Trap>() {
        Some(_) => classify(e, memory_hit),
        None => Status::InstantiateError(format!("{e:#}")),
    }
}

fn classify(e: &wasmtime::Error, memory_hit: bool) -> Status {
    if let Some(exit) = e.downcast_ref::<I32Exit>() {
        return Status::Exited(exit.0);
    }
    let Some(trap) = e.downcast_ref::<Trap>() else {
        return Status::Trapped {
            kind: TrapKind::Other,
            message: format!("{e:#}"),
        };
    };
    let kind = match trap {
        Trap::Interrupt => return Status::TimedOut,
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
    if memory_hit && kind != TrapKind::StackOverflow {
        return Status::MemoryLimit;
    }
    Status::Trapped {
        kind,
        message: crate::invocation::trap_message(kind, &trap.to_string()),
    }
}
