//! A wasmi backend for xharness: an interpreter, so it shares no code
//! generator with wasmtime and wasmer (both Cranelift), and with three
//! engines a divergence can name the odd one out.
//!
//! It is written against the public API of `xharness-engines` alone, as
//! any third-party backend would be: it wraps its modules in
//! [`Module::new`], captures output with [`capture`], bounds memory and
//! tables through [`rules::Limits`] from wasmi's resource limiter, ends
//! runs with [`rules`]' statuses, and binds native imports with
//! [`xharness_engines::native::bind_imports`]. Plug it in with
//! [`register`].
//!
//! WASI preview 1 comes from `wasmi_wasi` (wasi-common). As on the other
//! engines, nothing bounds the wall clock inside the engine (no fuel):
//! the worker running it is killed at the deadline.
//!
//! The counting variant ([`Engine::counting`]) turns wasmi's fuel on and
//! reports what a run consumed: wasmi's default costs, one unit per wasm
//! operator except `nop`, `drop`, `block`, `loop`, `unreachable`,
//! `return`, `else` and `end`, plus one per 64 bytes copied by bulk memory
//! and table operations and by passing many values in a call. Fuel for
//! translating functions lazily is set to zero, so a function's first run
//! costs what its later ones do.

mod fs;
mod native;

use std::sync::Arc;

use wasmi::{
    Config, CustomFuelCosts, Engine as WiEngine, Linker, Module as WiModule, Store, TrapCode,
};
use wasmi_wasi::wasi_common::pipe::{ReadPipe, WritePipe};
use wasmi_wasi::{WasiCtx, WasiCtxBuilder};
use xharness_engines::capture::{self, CaptureBuf};
use xharness_engines::rules::{self, Limits};
use xharness_engines::{
    Engine, EngineError, Invocation, Module, Outcome, Registry, Status, Stdio, TrapKind,
};

/// The name this backend registers under.
pub const NAME: &str = "wasmi";

/// Register wasmi in `registry` under [`NAME`].
pub fn register(registry: &mut Registry) -> &mut Registry {
    registry.register(NAME, || Ok(Arc::new(Wasmi::new()?) as Arc<dyn Engine>))
}

/// Engine backed by the wasmi interpreter.
pub struct Wasmi {
    engine: WiEngine,
    /// Whether fuel counts the instructions each run executes.
    counting: bool,
}

/// Fuel given to a counting run's store: never running out, the consumed
/// fuel is the count.
const FUEL: u64 = u64::MAX;

/// What a store holds: the guest's WASI state and its limits.
pub(crate) struct Host {
    wasi: WasiCtx,
    limiter: Limiter,
}

/// Instances, tables and memories a store may hold: wasmi's own default
/// (its `StoreLimits`); only their sizes are the invocation's to limit.
const COUNT_LIMIT: usize = 10_000;

/// Asks the run's [`Limits`] before a linear memory or table grows.
struct Limiter(Limits);

impl wasmi::ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> Result<bool, wasmi_core::LimiterError> {
        Ok(self.0.memory_may_grow_to(desired as u64))
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> Result<bool, wasmi_core::LimiterError> {
        Ok(self.0.table_may_grow_to(desired as u64))
    }

    fn instances(&self) -> usize {
        COUNT_LIMIT
    }

    fn tables(&self) -> usize {
        COUNT_LIMIT
    }

    fn memories(&self) -> usize {
        COUNT_LIMIT
    }
}

impl Wasmi {
    /// An interpreter with wasmi's default configuration.
    pub fn new() -> Result<Self, EngineError> {
        Ok(Wasmi {
            engine: WiEngine::default(),
            counting: false,
        })
    }

    /// The interpreter with fuel metering on (see the crate docs).
    fn counting_engine() -> Self {
        let mut config = Config::default();
        config.consume_fuel(true);
        config.fuel_cost(CustomFuelCosts {
            bytes_copied_per_fuel: 64,
            fuel_per_bytes_translated: 0,
            fuel_per_bytes_validated: 0,
        });
        Wasmi {
            engine: WiEngine::new(&config),
            counting: true,
        }
    }
}

impl Engine for Wasmi {
    fn name(&self) -> &'static str {
        NAME
    }

    fn version(&self) -> &'static str {
        "2.0"
    }

    fn config_fingerprint(&self) -> String {
        if self.counting {
            "interpreter-fuel".into()
        } else {
            "interpreter-default".into()
        }
    }

    fn counting(&self) -> Result<Option<Arc<dyn Engine>>, EngineError> {
        Ok(Some(Arc::new(Wasmi::counting_engine())))
    }

    fn compile(&self, wasm: &[u8]) -> Result<Module, EngineError> {
        let module = WiModule::new(&self.engine, wasm).map_err(|e| EngineError::Compile {
            message: e.to_string(),
        })?;
        Ok(Module::new(NAME, module))
    }

    fn run(&self, module: &Module, inv: &Invocation) -> Outcome {
        let mut instructions = None;
        let outcome = capture::run_captured(inv, |stdout, stderr, _| {
            match module.get::<WiModule>(NAME) {
                Ok(m) => self.run_module(m, inv, stdout, stderr, &mut instructions),
                Err(e) => Status::InstantiateError(e.to_string()),
            }
        });
        outcome.with_instructions(instructions)
    }
}

impl Wasmi {
    fn run_module(
        &self,
        module: &WiModule,
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
            limiter: Limiter(limits.clone()),
        };
        let mut store = Store::new(&self.engine, host);
        store.limiter(|h| &mut h.limiter);
        if self.counting
            && let Err(e) = store.set_fuel(FUEL)
        {
            return Status::InstantiateError(format!("cannot set fuel: {e}"));
        }
        let status = self.instantiate_and_start(module, inv, &mut store, &limits);
        if self.counting {
            *instructions = store.get_fuel().ok().map(|left| FUEL - left);
        }
        status
    }

    fn instantiate_and_start(
        &self,
        module: &WiModule,
        inv: &Invocation,
        store: &mut Store<Host>,
        limits: &Limits,
    ) -> Status {
        let linker = match linker(&self.engine, module, inv) {
            Ok(l) => l,
            Err(reason) => return Status::InstantiateError(reason),
        };
        let instance = match linker.instantiate_and_start(&mut *store, module) {
            Ok(i) => i,
            Err(e) => {
                return match missing_import(&e) {
                    Some(status) => status,
                    None => instantiate_failure(&e, limits),
                };
            }
        };
        let start = match instance.get_typed_func::<(), ()>(&*store, "_start") {
            Ok(f) => f,
            Err(e) => return rules::no_start(e),
        };
        match start.call(&mut *store, ()) {
            Ok(()) => Status::Exited(0),
            Err(e) => classify(&e, limits),
        }
    }
}

/// WASI, exit codes as a native process has them, and the invocation's
/// native imports.
fn linker(engine: &WiEngine, module: &WiModule, inv: &Invocation) -> Result<Linker<Host>, String> {
    let mut linker = Linker::new(engine);
    wasmi_wasi::add_to_linker(&mut linker, |h: &mut Host| &mut h.wasi)
        .map_err(|e| format!("cannot set up WASI: {e}"))?;
    // wasi-common refuses exit codes >= 126; a native process (and the
    // other engines) exits with them, so pass every code through.
    linker.allow_shadowing(true);
    linker
        .func_wrap(
            "wasi_snapshot_preview1",
            "proc_exit",
            |code: i32| -> Result<(), wasmi::Error> { Err(wasmi::Error::i32_exit(code)) },
        )
        .map_err(|e| format!("cannot define proc_exit: {e}"))?;
    if !inv.native.is_empty() {
        native::define(&mut linker, module, &inv.native)?;
    }
    Ok(linker)
}

fn build_wasi(
    inv: &Invocation,
    stdout: &CaptureBuf,
    stderr: &CaptureBuf,
) -> Result<WasiCtx, String> {
    let mut b = WasiCtxBuilder::new();
    b.args(&inv.argv)
        .map_err(|e| format!("cannot pass the arguments: {e}"))?;
    b.envs(&inv.env)
        .map_err(|e| format!("cannot pass the environment: {e}"))?;
    match inv.stdio {
        Stdio::Capture => {
            b.stdin(Box::new(ReadPipe::from(inv.stdin.clone())));
            b.stdout(Box::new(WritePipe::new(Sink(stdout.clone()))));
            b.stderr(Box::new(WritePipe::new(Sink(stderr.clone()))));
        }
        Stdio::Inherit => {
            b.inherit_stdio();
        }
    }
    let ctx = b.build();
    fs::preopen(&ctx, &inv.preopens)?;
    Ok(ctx)
}

/// A guest stream that writes into a capture buffer.
struct Sink(CaptureBuf);

impl std::io::Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// An import the linker could not satisfy, named as the other engines
/// name it.
fn missing_import(e: &wasmi::Error) -> Option<Status> {
    let wasmi::errors::ErrorKind::Linker(wasmi::errors::LinkerError::MissingDefinition {
        name,
        ty,
    }) = e.kind()
    else {
        return None;
    };
    let kind = match ty {
        wasmi::ExternType::Func(_) => "function",
        wasmi::ExternType::Global(_) => "global",
        wasmi::ExternType::Table(_) => "table",
        wasmi::ExternType::Memory(_) => "memory",
    };
    Some(rules::unknown_import(name.module(), name.name(), kind))
}

fn instantiate_failure(e: &wasmi::Error, limits: &Limits) -> Status {
    match e.as_trap_code() {
        Some(_) if !limits.hit() => classify(e, limits),
        _ => rules::instantiate_failed(e.to_string(), limits),
    }
}

fn classify(e: &wasmi::Error, limits: &Limits) -> Status {
    if let Some(code) = e.i32_exit_status() {
        return Status::Exited(code);
    }
    let Some(code) = e.as_trap_code() else {
        return rules::host_error(e.to_string());
    };
    let kind = match code {
        TrapCode::UnreachableCodeReached => TrapKind::Unreachable,
        TrapCode::IntegerDivisionByZero => TrapKind::IntegerDivideByZero,
        TrapCode::IntegerOverflow => TrapKind::IntegerOverflow,
        TrapCode::BadConversionToInteger => TrapKind::BadConversionToInteger,
        TrapCode::MemoryOutOfBounds => TrapKind::MemoryOutOfBounds,
        TrapCode::TableOutOfBounds => TrapKind::TableOutOfBounds,
        TrapCode::IndirectCallToNull => TrapKind::IndirectCallToNull,
        TrapCode::BadSignature => TrapKind::BadSignature,
        TrapCode::StackOverflow => TrapKind::StackOverflow,
        TrapCode::OutOfSystemMemory | TrapCode::GrowthOperationLimited => {
            return Status::MemoryLimit;
        }
        _ => TrapKind::Other,
    };
    rules::trapped(kind, code.trap_message(), limits)
}
