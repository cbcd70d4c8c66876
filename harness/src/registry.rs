//! The engines this binary runs: the registry every entry point is given.
//!
//! [`default_registry`] is what the `xharness` binary and
//! [`crate::libtest::main`] use: the backends of `xharness-engines`
//! (wasmtime, wasmer) and wasmi, each behind a cargo feature of this
//! crate. A binary of your own passes its own registry to
//! [`crate::cli::main_with`] or [`crate::libtest::main_with`]; as workers
//! are that binary re-executed, they have the same registry.
//!
//! [`check_engine_keys`] checks the engine names a suite file writes
//! against a registry: an engine this build lacks but another could have
//! is a warning (one suite file serves builds with and without it), a name
//! no build knows is an error at its file and line.

use xharness_engines::{Known, Registry};
use xharness_suites::Suite;

/// wasmtime, wasmer and wasmi, as this build has them.
pub fn default_registry() -> Registry {
    let mut registry = Registry::builtin();
    #[cfg(feature = "wasmi")]
    xharness_engines_wasmi::register(&mut registry);
    #[cfg(not(feature = "wasmi"))]
    registry.know("wasmi", "xharness was built without its `wasmi` feature");
    registry
}

/// Check every engine name in the suite file against `registry`: the
/// warnings for names of engines this build lacks, or the error for a name
/// no build knows.
pub fn check_engine_keys(suite: &Suite, registry: &Registry) -> crate::Result<Vec<String>> {
    let mut warnings = Vec::new();
    for key in &suite.engine_keys {
        match registry.lookup(&key.engine) {
            Known::Built => {}
            Known::NotBuilt(why) => warnings.push(format!(
                "{}: [{}] names `{}`, which this build cannot run ({why}); its entries are not used",
                key.loc, key.key, key.engine
            )),
            Known::Unknown => {
                return Err(format!(
                    "{}: [{}]: unknown engine `{}`; engines are {}",
                    key.loc,
                    key.key,
                    key.engine,
                    registry.known().join(", ")
                ).into());
            }
        }
    }
    Ok(warnings)
}

/// The engine a single-engine command (`run`, `repro`, `exec`) uses:
/// the one named, checked, or the registry's default.
pub fn one_engine(registry: &Registry, asked: Option<&str>) -> crate::Result<String> {
    let asked: Vec<String> = asked.map(String::from).into_iter().collect();
    let mut names = registry.select(&asked)?;
    if names.len() != 1 {
        return Err(crate::Error::usage(format!(
            "this command runs one engine, not {} ({}); name one with --engine",
            names.len(),
            names.join(", ")
        )));
    }
    Ok(names.remove(0))
}
