//! The engine registry: every engine a build can run, by name, and how to
//! make one.
//!
//! Entry points are given a [`Registry`] and ask it for everything about
//! engines: which names `--engine` accepts, what `--engine all` means,
//! which engine runs when none is named (the first registered), and the
//! engines themselves. No list of engine names stands anywhere else, so
//! plugging in an engine is one [`Registry::register`] call in a `main`.
//!
//! A registry also *knows* engines it cannot make ([`Registry::know`]):
//! backends of other builds (a cargo feature turned off). A suite file may
//! name them, which is a warning rather than the error a misspelt name is.

use std::sync::Arc;

use crate::{Engine, EngineError};

/// Makes an engine; called once per process that runs it.
pub type Constructor = Arc<dyn Fn() -> Result<Arc<dyn Engine>, EngineError> + Send + Sync>;

/// Engines by name, in the order they were registered.
#[derive(Clone, Default)]
pub struct Registry {
    entries: Vec<Entry>,
}

#[derive(Clone)]
struct Entry {
    name: String,
    /// The constructor, or why this build cannot make the engine.
    make: Result<Constructor, String>,
}

/// What a registry says of a name a suite file uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Known {
    /// This build can run it.
    Built,
    /// Another build can: why this one cannot.
    NotBuilt(String),
    /// No build knows it (most likely a typo).
    Unknown,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("built", &self.names())
            .field("known", &self.known())
            .finish()
    }
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Registry::default()
    }

    /// The backends of this crate: `wasmtime` and `wasmer`, each made when
    /// its cargo feature is on and known (not built) otherwise.
    pub fn builtin() -> Self {
        let mut r = Registry::new();
        #[cfg(feature = "wasmtime")]
        r.register("wasmtime", || {
            Ok(Arc::new(crate::wasmtime_backend::Wasmtime::new()?) as Arc<dyn Engine>)
        });
        #[cfg(not(feature = "wasmtime"))]
        r.know(
            "wasmtime",
            "xharness-engines was built without its `wasmtime` feature",
        );
        #[cfg(feature = "wasmer")]
        r.register("wasmer", || {
            Ok(Arc::new(crate::wasmer_backend::Wasmer::new()?) as Arc<dyn Engine>)
        });
        #[cfg(not(feature = "wasmer"))]
        r.know(
            "wasmer",
            "xharness-engines was built without its `wasmer` feature",
        );
        r
    }

    /// Register `make` under `name`, replacing an entry of that name. The
    /// engine it makes must call itself `name` ([`Engine::name`]).
    pub fn register(
        &mut self,
        name: impl Into<String>,
        make: impl Fn() -> Result<Arc<dyn Engine>, EngineError> + Send + Sync + 'static,
    ) -> &mut Self {
        self.put(name.into(), Ok(Arc::new(make)))
    }

    /// As [`Registry::register`], by value.
    pub fn with(
        mut self,
        name: impl Into<String>,
        make: impl Fn() -> Result<Arc<dyn Engine>, EngineError> + Send + Sync + 'static,
    ) -> Self {
        self.register(name, make);
        self
    }

    /// Know `name` as an engine this build cannot make, saying why; an
    /// entry that can make it is left alone.
    pub fn know(&mut self, name: impl Into<String>, why: impl Into<String>) -> &mut Self {
        let name = name.into();
        if self.is_built(&name) {
            return self;
        }
        self.put(name, Err(why.into()))
    }

    fn put(&mut self, name: String, make: Result<Constructor, String>) -> &mut Self {
        match self.entries.iter_mut().find(|e| e.name == name) {
            Some(e) => e.make = make,
            None => self.entries.push(Entry { name, make }),
        }
        self
    }

    /// The engines this build can run, in registration order.
    pub fn names(&self) -> Vec<&str> {
        self.entries
            .iter()
            .filter(|e| e.make.is_ok())
            .map(|e| e.name.as_str())
            .collect()
    }

    /// Every engine name the registry knows, built or not.
    pub fn known(&self) -> Vec<&str> {
        self.entries.iter().map(|e| e.name.as_str()).collect()
    }

    /// The engine used when none is named: the first one registered.
    pub fn default_engine(&self) -> Option<&str> {
        self.names().first().copied()
    }

    /// Whether this build can run `name`.
    pub fn is_built(&self, name: &str) -> bool {
        self.entries
            .iter()
            .any(|e| e.name == name && e.make.is_ok())
    }

    /// What the registry knows of `name`.
    pub fn lookup(&self, name: &str) -> Known {
        match self.entries.iter().find(|e| e.name == name) {
            Some(Entry { make: Ok(_), .. }) => Known::Built,
            Some(Entry { make: Err(why), .. }) => Known::NotBuilt(why.clone()),
            None => Known::Unknown,
        }
    }

    /// The error for a name this build cannot run.
    pub fn unknown(&self, name: &str) -> EngineError {
        let available = self.names().join(", ");
        match self.lookup(name) {
            Known::NotBuilt(why) => EngineError::NotBuilt {
                name: name.to_string(),
                why,
                available,
            },
            _ => EngineError::UnknownEngine {
                name: name.to_string(),
                available,
            },
        }
    }

    /// The engines a command line asks for: each name checked, `all` for
    /// every engine built, nothing for the default one. Duplicates are
    /// dropped, the order kept.
    pub fn select(&self, asked: &[String]) -> Result<Vec<String>, EngineError> {
        let mut out: Vec<String> = Vec::new();
        for name in asked.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            let names: Vec<String> = if name == "all" {
                self.names().into_iter().map(String::from).collect()
            } else if self.is_built(name) {
                vec![name.to_string()]
            } else {
                return Err(self.unknown(name));
            };
            for n in names {
                if !out.contains(&n) {
                    out.push(n);
                }
            }
        }
        if out.is_empty() {
            let default = self.default_engine().ok_or(EngineError::NoEngines)?;
            out.push(default.to_string());
        }
        Ok(out)
    }

    /// Make the engine `name`. A constructor that panics is an error with
    /// the panic's message, so one broken engine fails only its own jobs.
    pub fn create(&self, name: &str) -> Result<Arc<dyn Engine>, EngineError> {
        let Some(Entry { make: Ok(make), .. }) = self.entries.iter().find(|e| e.name == name)
        else {
            return Err(self.unknown(name));
        };
        let engine = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| make())).map_err(
            |panic| EngineError::Panicked {
                engine: name.to_string(),
                message: panic_message(&panic),
            },
        )??;
        if engine.name() != name {
            return Err(EngineError::Misnamed {
                registered: name.to_string(),
                named: engine.name(),
            });
        }
        Ok(engine)
    }
}

/// The text of a caught panic's payload.
pub fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selects_checks_and_defaults_from_the_registry() {
        let mut r = Registry::builtin();
        r.know("wasm3", "not a backend here");
        let built = r.names();
        assert_eq!(
            r.select(&[]).unwrap(),
            vec![built[0].to_string()],
            "default"
        );
        assert_eq!(
            r.select(&["all".into(), built[0].into()]).unwrap(),
            built.iter().map(|s| s.to_string()).collect::<Vec<_>>()
        );
        let err = r.select(&["wasmtme".into()]).unwrap_err().to_string();
        assert!(err.contains("unknown engine `wasmtme`"), "{err}");
        assert!(err.contains(&built.join(", ")), "{err}");
        let err = r.select(&["wasm3".into()]).unwrap_err().to_string();
        assert!(err.contains("not a backend here"), "{err}");
        assert_eq!(
            r.lookup("wasm3"),
            Known::NotBuilt("not a backend here".into())
        );
        assert_eq!(r.lookup("wasm4"), Known::Unknown);
    }

    #[test]
    fn a_panicking_constructor_is_an_error_with_its_message() {
        let r = Registry::new().with("boom", || panic!("no engine today"));
        let err = r.create("boom").err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("the boom engine panicked while being set up: no engine today")
        );
    }

    #[test]
    fn an_empty_registry_has_no_default() {
        assert!(matches!(
            Registry::new().select(&[]),
            Err(EngineError::NoEngines)
        ));
    }
}
