//! `my-xharness`: the whole xharness command line, with one engine more.
//!
//! The engine is wasmtime with Cranelift's optimiser off, registered as
//! `wasmtime-o0`: a case that passes on `wasmtime` but fails here points at
//! an optimisation (in the guest's compiler or in Cranelift). Any type
//! that implements `xharness_engines::Engine` registers the same way.
//!
//! `main` hands the registry to `xharness::cli::main_with`, which also
//! serves this binary's worker processes (they are this binary started
//! again), so the workers know `wasmtime-o0` too.

use std::process::ExitCode;
use std::sync::Arc;

use xharness_engines::wasmtime_backend::{OptLevel, Wasmtime};
use xharness_engines::{Engine, Registry};

/// The name the engine is registered (and reported) under.
const NAME: &str = "wasmtime-o0";

/// xharness's engines, then `wasmtime-o0`.
fn registry() -> Registry {
    xharness::default_registry().with(NAME, || {
        let engine = Wasmtime::configured(NAME, |config| {
            config.cranelift_opt_level(OptLevel::None);
        })?;
        Ok(Arc::new(engine) as Arc<dyn Engine>)
    })
}

fn main() -> ExitCode {
    xharness::cli::main_with(&registry())
}
