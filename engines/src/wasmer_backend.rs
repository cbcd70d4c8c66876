//! The wasmer backend: WASI preview 1 from `wasmer-wasix`.
//!
//! Modules are compiled by plain Cranelift, with no metering: the wall
//! clock is enforced from outside the process (see the crate docs). The
//! counting variant ([`Engine::counting`]) compiles with
//! `wasmer-middlewares`' metering, at a cost of 1 per wasm operator (every
//! operator, `nop`, `block` and `end` included), and reports the points a
//! run used; a guest stopped in the middle of a basic block (a trap) has
//! not yet been charged for that block. The
//! memory limit comes from custom tunables that wrap each linear memory
//! and refuse growth past the limit, and cap every table's maximum
//! (`limits::LimitTunables`). Guests get no host networking: the WASI
//! runtime is built with wasmer's "unsupported" networking and no HTTP
//! client, as wasmtime's WASI preview 1 gives none either.
//!
//! Unsafe code in this backend, each block with its `// SAFETY:` line:
//! - loading a serialised module ([`Engine::deserialize`], this file), on
//!   the caller's guarantee that the bytes came from `serialize`;
//! - the tunables' hooks that wasmer calls with a location inside VM
//!   memory (`limits.rs`), and the linear memories that keep their
//!   address-space reservation for the next instance (`pool.rs`);
//! - the call into a native library from a host function, with a pointer
//!   into the guest's memory (`native.rs`);
//! - sending the store kept for the next run to the thread that drops it
//!   (`reuse.rs`).

mod fs;
mod io;
mod limits;
mod native;
mod pool;
mod reuse;

use std::sync::{Arc, Mutex, PoisonError};

use wasmer::sys::{CompilerConfig, Cranelift, EngineBuilder, NativeEngineExt};
use wasmer::wasmparser::Operator;
use wasmer::{Instance, Module as WmModule, RuntimeError, Store};
use wasmer_middlewares::Metering;
use wasmer_middlewares::metering::{MeteringPoints, get_remaining_points};
use wasmer_types::{ImportError, ModuleHash, TrapCode};
use wasmer_wasix::runtime::PluggableRuntime;
use wasmer_wasix::runtime::task_manager::tokio::TokioTaskManager;
use wasmer_wasix::{
    UnsupportedVirtualNetworking, WasiEnv, WasiError, WasiFunctionEnv, WasiRuntimeError,
};

use crate::capture::CaptureBuf;
use crate::rules::{self, Limits};
use crate::{Engine, EngineError, Invocation, Module, Outcome, Status, Stdio, TrapKind};
use reuse::{Kept, Loading};

const NAME: &str = "wasmer";

/// The metering points a counting module starts with: never running out,
/// the points used are the count.
const POINTS: u64 = u64::MAX;

/// Engine backed by wasmer with the Cranelift compiler.
pub struct Wasmer {
    /// Whether modules are compiled with the metering middleware.
    counting: bool,
    engine: wasmer::Engine,
    /// The engine that loads cached modules, shared by several of them.
    loading: Mutex<Loading>,
    /// The store the last plain run left for the next one.
    kept: Mutex<Option<Kept>>,
    tokio: tokio::runtime::Runtime,
    runtime: Arc<PluggableRuntime>,
    /// The host directories preopened so far.
    host_dirs: fs::HostDirs,
}

impl Wasmer {
    /// Create the engine, its tokio runtime and its WASI runtime.
    pub fn new() -> Result<Self, EngineError> {
        Self::build(false)
    }

    fn build(counting: bool) -> Result<Self, EngineError> {
        // The WASI runtime's engine compiles nothing (modules run in the
        // engine that compiled or loaded them), so it never needs the
        // middleware.
        let engine = module_engine(false);
        let tokio = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("xharness-wasmer")
            .enable_all()
            .build()
            .map_err(|e| EngineError::Setup {
                engine: NAME,
                message: e.to_string(),
            })?;
        let runtime = {
            let _guard = tokio.enter();
            let tasks = TokioTaskManager::new(tokio.handle().clone());
            let mut rt = PluggableRuntime::new(Arc::new(tasks));
            rt.set_engine(engine.clone());
            rt.set_networking_implementation(UnsupportedVirtualNetworking::default());
            rt.http_client = None;
            Arc::new(rt)
        };
        Ok(Wasmer {
            counting,
            engine,
            loading: Mutex::new(Loading::new()),
            kept: Mutex::new(None),
            host_dirs: fs::HostDirs::new(tokio.handle().clone()),
            tokio,
            runtime,
        })
    }

    fn module<'m>(&self, module: &'m Module) -> Result<&'m Compiled, EngineError> {
        module.get::<Compiled>(NAME)
    }
}

impl Drop for Wasmer {
    fn drop(&mut self) {
        // The kept run's WASI state closes its files through the runtime.
        let _guard = self.tokio.enter();
        let kept = self
            .kept
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        drop(kept);
    }
}

/// A compiled module and the engine that holds its code.
///
/// wasmer copies native code into its engine and frees it only when the
/// engine is dropped (wasmerio/wasmer#4377), so every module compiled here
/// gets an engine of its own, configured identically by [`module_engine`]:
/// dropping the module frees its code. Modules loaded from the cache share
/// an engine with a few others ([`Loading`]): their code is freed with the
/// last of them.
struct Compiled {
    engine: wasmer::Engine,
    module: WmModule,
    /// The module's hash, as wasmer's own runner gives it to WASI.
    hash: ModuleHash,
    /// Whether every import is WASI preview 1 (a plain WASI program, the
    /// usual test case).
    preview1_only: bool,
    /// Whether it starts WASI threads (`thread-spawn`), which
    /// wasmer-wasix's `on_exit` stops.
    spawns_threads: bool,
}

impl Compiled {
    fn new(engine: wasmer::Engine, module: WmModule) -> Self {
        // wasmer stores the hash of the wasm bytes with the compiled module
        // (and in its serialised form); without one, WASI would draw a
        // random one for every run.
        let hash = module.info().hash.unwrap_or_else(ModuleHash::random);
        // One pass: each import listed is two strings made and freed.
        let (mut preview1_only, mut spawns_threads) = (true, false);
        for import in module.imports() {
            preview1_only &= import.module() == "wasi_snapshot_preview1";
            spawns_threads |= import.name() == "thread-spawn";
        }
        Compiled {
            engine,
            module,
            hash,
            preview1_only,
            spawns_threads,
        }
    }
}

/// An engine without a compiler, with the limiting tunables: enough to
/// load and run precompiled code, and far cheaper to create.
fn loading_engine() -> wasmer::Engine {
    let mut engine: wasmer::Engine = EngineBuilder::headless().engine().into();
    engine.set_tunables(limits::LimitTunables);
    engine
}

/// An engine with Cranelift and the limiting tunables; with `counting`,
/// also the metering middleware (one per engine: a `Metering` instruments
/// one module only, and each module gets an engine of its own).
fn module_engine(counting: bool) -> wasmer::Engine {
    let mut compiler = Cranelift::default();
    if counting {
        let metering = Metering::new(POINTS, |_: &Operator| 1);
        compiler.push_middleware(Arc::new(metering));
    }
    let mut engine: wasmer::Engine = EngineBuilder::new(compiler).engine().into();
    engine.set_tunables(limits::LimitTunables);
    engine
}

impl Engine for Wasmer {
    fn name(&self) -> &'static str {
        NAME
    }

    fn version(&self) -> &'static str {
        "7.4"
    }

    fn config_fingerprint(&self) -> String {
        // The middleware is not part of wasmer's own id.
        let kind = if self.counting { "metered1" } else { "plain" };
        format!("cranelift-{kind}-{}", self.engine.deterministic_id())
    }

    fn counting(&self) -> Result<Option<Arc<dyn Engine>>, EngineError> {
        Ok(Some(Arc::new(Self::build(true)?)))
    }

    fn caches_native_code(&self) -> bool {
        true
    }

    fn compile(&self, wasm: &[u8]) -> Result<Module, EngineError> {
        let engine = module_engine(self.counting);
        let module = WmModule::new(&engine, wasm).map_err(|e| EngineError::Compile {
            message: e.to_string(),
        })?;
        Ok(Module::new(NAME, Compiled::new(engine, module)))
    }

    fn serialize(&self, module: &Module) -> Result<Vec<u8>, EngineError> {
        let bytes =
            self.module(module)?
                .module
                .serialize()
                .map_err(|e| EngineError::Serialize {
                    engine: NAME,
                    message: e.to_string(),
                })?;
        Ok(bytes.to_vec())
    }

    unsafe fn deserialize(&self, bytes: &[u8]) -> Result<Module, EngineError> {
        let engine = self
            .loading
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take(bytes.len());
        // SAFETY: the caller guarantees the bytes came unmodified from
        // `serialize` of this engine version and configuration.
        let module = unsafe { WmModule::deserialize(&engine, bytes.to_vec()) }.map_err(|e| {
            EngineError::Serialize {
                engine: NAME,
                message: e.to_string(),
            }
        })?;
        Ok(Module::new(NAME, Compiled::new(engine, module)))
    }

    fn run(&self, module: &Module, inv: &Invocation) -> Outcome {
        let mut instructions = None;
        let outcome =
            crate::capture::run_captured(inv, |stdout, stderr, _| match self.module(module) {
                Ok(m) => {
                    let _guard = self.tokio.enter();
                    self.run_module(m, inv, stdout, stderr, &mut instructions)
                }
                Err(e) => Status::InstantiateError(e.to_string()),
            });
        outcome.with_instructions(instructions)
    }
}

impl Wasmer {
    fn run_module(
        &self,
        compiled: &Compiled,
        inv: &Invocation,
        stdout: &CaptureBuf,
        stderr: &CaptureBuf,
        instructions: &mut Option<u64>,
    ) -> Status {
        let module = &compiled.module;
        let limits = Limits::new(inv);
        let _scope = limits::MemoryLimitScope::enter(limits.clone());
        let (builder, preopened) = match self.wasi_builder(inv, stdout, stderr, compiled) {
            Ok(b) => b,
            Err(reason) => return Status::InstantiateError(reason),
        };
        let plain = inv.native.is_empty() && compiled.preview1_only;
        // Inherited stdio goes through the host's buffered stdout, which
        // `on_exit` flushes.
        if plain && inv.stdio == Stdio::Capture && !compiled.spawns_threads {
            return self.run_kept(compiled, builder, preopened, &limits, instructions);
        }
        let mut store = Store::new(compiled.engine.clone());
        let (instance, env) = if plain {
            match instantiate_preview1(builder, module, &mut store) {
                Ok(pair) => pair,
                Err(e) => return instantiate_failure(e, &limits),
            }
        } else if inv.native.is_empty() {
            match builder.instantiate_ext(module.clone(), compiled.hash, &mut store) {
                Ok(pair) => pair,
                Err(e) => return instantiate_failure(e, &limits),
            }
        } else {
            let mut env = match builder.finalize(&mut store) {
                Ok(env) => env,
                Err(e) => return instantiate_failure(e, &limits),
            };
            match native::instantiate(&mut store, module, &mut env, &inv.native) {
                Ok(instance) => (instance, env),
                Err(reason) => return Status::InstantiateError(reason),
            }
        };
        preopened.built();
        let status = match call_start(&mut store, &instance) {
            Ok(()) => Status::Exited(0),
            Err(e) => classify(e, &limits),
        };
        if self.counting {
            *instructions = points_used(&mut store, &instance);
        }
        finish(&env, &mut store, &status);
        status
    }

    /// Run a plain preview-1 program with captured stdio and no threads of
    /// its own in the store that the last such run used, when there is one
    /// for the module's engine ([`Kept`]); else in a new one, kept for the
    /// next run if this one exits.
    fn run_kept(
        &self,
        compiled: &Compiled,
        builder: wasmer_wasix::WasiEnvBuilder,
        preopened: fs::Preopened,
        limits: &Limits,
        instructions: &mut Option<u64>,
    ) -> Status {
        let env = match builder.build() {
            Ok(env) => env,
            Err(e) => return instantiate_failure(e, limits),
        };
        preopened.built();
        let taken = {
            let mut slot = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
            match slot.take() {
                Some(k) if k.serves(&compiled.engine) => Some(k),
                other => {
                    *slot = other;
                    None
                }
            }
        };
        let mut kept = match taken {
            Some(mut k) => {
                *k.env.data_mut(&mut k.store) = env;
                k
            }
            None => Kept::new(&compiled.engine, env),
        };
        let instance = match Instance::new(&mut kept.store, &compiled.module, &kept.imports) {
            Ok(instance) => instance,
            Err(e) => return instantiate_failure(WasiRuntimeError::Instantiation(e), limits),
        };
        if let Err(e) = kept.env.initialize(&mut kept.store, instance.clone()) {
            return Status::InstantiateError(format!("cannot set up WASI for the instance: {e}"));
        }
        let status = match call_start(&mut kept.store, &instance) {
            Ok(()) => Status::Exited(0),
            Err(e) => classify(e, limits),
        };
        if self.counting {
            *instructions = points_used(&mut kept.store, &instance);
        }
        finish_single_threaded(&kept.env, &kept.store, &status);
        if matches!(status, Status::Exited(_)) && kept.keep(&instance) {
            *self.kept.lock().unwrap_or_else(PoisonError::into_inner) = Some(kept);
        }
        status
    }

    fn wasi_builder(
        &self,
        inv: &Invocation,
        stdout: &CaptureBuf,
        stderr: &CaptureBuf,
        compiled: &Compiled,
    ) -> Result<(wasmer_wasix::WasiEnvBuilder, fs::Preopened), String> {
        let program = inv.argv.first().cloned().unwrap_or_default();
        let mut b = WasiEnv::builder(program)
            .args(inv.argv.iter().skip(1))
            .envs(inv.env.iter().cloned())
            .runtime(self.runtime.clone())
            .engine(compiled.engine.clone());
        b.set_module_hash(compiled.hash);
        match inv.stdio {
            Stdio::Capture => {
                b.set_stdin(Box::new(io::StdinBytes::new(inv.stdin.clone())));
                b.set_stdout(Box::new(io::CaptureFile(stdout.clone())));
                b.set_stderr(Box::new(io::CaptureFile(stderr.clone())));
            }
            Stdio::Inherit => {
                b.set_stdin(Box::<virtual_fs::host_fs::Stdin>::default());
                b.set_stdout(Box::<virtual_fs::host_fs::Stdout>::default());
                b.set_stderr(Box::<virtual_fs::host_fs::Stderr>::default());
            }
        }
        fs::preopen(b, &inv.preopens, &self.host_dirs)
    }
}

fn call_start(store: &mut Store, instance: &Instance) -> Result<(), RuntimeError> {
    let start = instance
        .exports
        .get_function("_start")
        .map_err(|e| RuntimeError::new(format!("no usable `_start` export: {e}")))?;
    start.call(store, &[]).map(|_| ())
}

/// The metering points an instance used, when it was compiled with the
/// middleware (checked first: the middleware's reader panics otherwise).
fn points_used(store: &mut Store, instance: &Instance) -> Option<u64> {
    instance
        .exports
        .get_global("wasmer_metering_remaining_points")
        .ok()?;
    Some(match get_remaining_points(store, instance) {
        MeteringPoints::Remaining(left) => POINTS - left,
        MeteringPoints::Exhausted => POINTS,
    })
}

/// Let wasmer-wasix close files and flush its state.
fn finish(env: &WasiFunctionEnv, store: &mut Store, status: &Status) {
    env.on_exit(store, Some(exit_code(status)));
}

/// The end of a run of a plain preview-1 program with no threads of its
/// own: its process is marked finished, and its files are closed when the
/// store drops the environment. wasmer-wasix's `on_exit` does the same
/// through its async runtime, with a ten-second timer it starts and
/// cancels, which wakes the runtime's threads on every run; a woken thread
/// on another core then makes every unmapping of the run's memory wait for
/// that core's TLB flush. For a tiny test that was a tenth of the CPU time
/// of a job (profiled: on_exit 5%, the flush waits 5%).
fn finish_single_threaded(env: &WasiFunctionEnv, store: &Store, status: &Status) {
    let process = &env.data(store).process;
    if process.try_start_cleanup() {
        process.terminate(exit_code(status));
    }
}

fn exit_code(status: &Status) -> wasmer_wasix::types::wasi::ExitCode {
    let code = match status {
        Status::Exited(c) => *c,
        _ => 1,
    };
    wasmer_wasix::types::wasi::ExitCode::from(code as u16)
}

/// Instantiate a preview-1 module with the preview-1 imports alone.
/// `WasiEnvBuilder::instantiate` builds the functions of every WASI and
/// WASIX version for each run (wasi, wasi_unstable, preview 1, wasix 32
/// and 64: hundreds of host functions), which was most of wasmer's
/// per-run cost; a module that imports only preview 1 needs a fifth of
/// them. Errors are the ones `instantiate` gives.
#[allow(clippy::result_large_err)] // wasmer-wasix's own error type, as `instantiate` returns it
fn instantiate_preview1(
    builder: wasmer_wasix::WasiEnvBuilder,
    module: &WmModule,
    store: &mut Store,
) -> Result<(Instance, WasiFunctionEnv), WasiRuntimeError> {
    let mut env = builder.finalize(store)?;
    let imports = wasmer_wasix::generate_import_object_from_env(
        store,
        &env.env,
        wasmer_wasix::WasiVersion::Snapshot1,
    );
    let instance =
        Instance::new(store, module, &imports).map_err(WasiRuntimeError::Instantiation)?;
    env.initialize(store, instance.clone()).map_err(|e| {
        WasiRuntimeError::Runtime(RuntimeError::new(format!(
            "cannot set up WASI for the instance: {e}"
        )))
    })?;
    Ok((instance, env))
}

fn instantiate_failure(e: WasiRuntimeError, limits: &Limits) -> Status {
    if limits.hit() {
        return Status::MemoryLimit;
    }
    let instantiation = match &e {
        WasiRuntimeError::Instantiation(i) => Some(i),
        WasiRuntimeError::Thread(wasmer_wasix::WasiThreadError::InstanceCreateFailed(i)) => {
            Some(&**i)
        }
        _ => None,
    };
    if let Some(wasmer::InstantiationError::Link(wasmer::LinkError::Import(module, name, err))) =
        instantiation
    {
        let kind = match err {
            ImportError::UnknownImport(ty) | ImportError::IncompatibleType(_, ty) => {
                extern_kind(ty)
            }
            _ => "import",
        };
        return rules::unknown_import(module, name, kind);
    }
    if let Some(wasmer::InstantiationError::Start(rt)) = instantiation {
        return classify(rt.clone(), limits);
    }
    Status::InstantiateError(e.to_string())
}

fn extern_kind(ty: &wasmer::ExternType) -> &'static str {
    match ty {
        wasmer::ExternType::Function(_) => "function",
        wasmer::ExternType::Global(_) => "global",
        wasmer::ExternType::Table(_) => "table",
        wasmer::ExternType::Memory(_) => "memory",
        wasmer::ExternType::Tag(_) => "tag",
    }
}

fn classify(e: RuntimeError, limits: &Limits) -> Status {
    if let Some(WasiError::Exit(code)) = e.downcast_ref::<WasiError>() {
        return Status::Exited(code.raw());
    }
    let message = e.message();
    let Some(code) = e.to_trap() else {
        return rules::host_error(message);
    };
    let kind = match code {
        TrapCode::UnreachableCodeReached => TrapKind::Unreachable,
        TrapCode::IntegerDivisionByZero => TrapKind::IntegerDivideByZero,
        TrapCode::IntegerOverflow => TrapKind::IntegerOverflow,
        TrapCode::BadConversionToInteger => TrapKind::BadConversionToInteger,
        TrapCode::HeapAccessOutOfBounds => TrapKind::MemoryOutOfBounds,
        TrapCode::TableAccessOutOfBounds => TrapKind::TableOutOfBounds,
        TrapCode::IndirectCallToNull => TrapKind::IndirectCallToNull,
        TrapCode::BadSignature => TrapKind::BadSignature,
        TrapCode::StackOverflow => TrapKind::StackOverflow,
        _ => TrapKind::Other,
    };
    rules::trapped(kind, &message, limits)
}
