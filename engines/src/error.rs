//! Errors from compiling modules and managing the module cache.

use std::path::PathBuf;

/// What can go wrong before a module runs. Problems *during* a run are not
/// errors but [`crate::Outcome`]s.
#[derive(Debug, thiserror::Error)]
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
    /// The user asked for an engine this build does not have.
    #[error("unknown engine `{name}` (this build has: {available})")]
    UnknownEngine { name: String, available: String },
    /// The module cache directory could not be used.
    #[error("module cache at {}: {source}; set XHARNESS_CACHE_DIR to a writable directory", path.display())]
    Cache {
        path: PathBuf,
        source: std::io::Error,
    },
}
