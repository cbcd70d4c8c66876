//! Errors from compiling modules and managing the module cache.

use std::path::PathBuf;

/// What can go wrong before a module runs. Problems *during* a run are not
/// errors but [`crate::Outcome`]s.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The bytes are not a valid WebAssembly module.
    #[error("not a valid WebAssembly module: {message}")]
    Compile { message: String },
    /// The engine could not be set up (a configuration the engine rejects).
    #[error("could not set up the {engine} engine: {message}")]
    Setup {
        engine: &'static str,
        message: String,
    },
    /// Native code could not be serialised or loaded.
    #[error("{engine} could not (de)serialise compiled code: {message}")]
    Serialize {
        engine: &'static str,
        message: String,
    },
    /// A module compiled by one engine was given to another.
    #[error("module was compiled by {compiled_by}, not {engine}")]
    WrongEngine {
        engine: &'static str,
        compiled_by: &'static str,
    },
    /// The user asked for an engine no registry entry has.
    #[error("unknown engine `{name}` (this build has: {available})")]
    UnknownEngine { name: String, available: String },
    /// The user asked for an engine the registry knows but cannot make.
    #[error("engine `{name}` is not in this build ({why}); this build has: {available}")]
    NotBuilt {
        name: String,
        why: String,
        available: String,
    },
    /// The registry is empty: nothing to run on.
    #[error("no engine is registered: a build needs at least one")]
    NoEngines,
    /// An engine's constructor panicked.
    #[error("the {engine} engine panicked while being set up: {message}")]
    Panicked { engine: String, message: String },
    /// A constructor made an engine that calls itself by another name.
    #[error(
        "an engine registered as `{registered}` calls itself `{named}`; Engine::name must return the registered name"
    )]
    Misnamed {
        registered: String,
        named: &'static str,
    },
    /// The engine keeps no native code, so there is nothing to (de)serialise.
    #[error("{engine} keeps no native code to cache")]
    NoNativeCode { engine: &'static str },
    /// The module cache directory could not be used.
    #[error("module cache at {}: {source}; set XHARNESS_CACHE_DIR to a writable directory", path.display())]
    Cache {
        path: PathBuf,
        source: std::io::Error,
    },
}
