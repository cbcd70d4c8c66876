//! The rules every backend follows, written once: what counts as hitting a
//! memory or table limit, what a trap or a failed instantiation becomes,
//! and how a missing import is named.
//!
//! A backend maps its engine's own trap type to a [`TrapKind`] and asks
//! its engine to consult a [`Limits`] whenever a memory or table grows;
//! everything on top ([`trapped`], [`instantiate_failed`],
//! [`unknown_import`]) is here, so the same guest ends with the same
//! [`Status`] on every engine, built in or plugged in.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::{Invocation, Status, TrapKind};

/// One run's memory and table limits, and whether the guest ran into them.
///
/// Clones share the "hit" flag, so an engine hook (a resource limiter,
/// tunables) and the code that classifies the run's end see the same one.
#[derive(Debug, Clone)]
pub struct Limits {
    max_memory: u64,
    max_table_elements: u64,
    hit: Arc<AtomicBool>,
}

impl Limits {
    /// The limits of `inv`: its memory limit, and as many table elements
    /// as that limit pays for at [`crate::TABLE_ELEMENT_BYTES`] each.
    pub fn new(inv: &Invocation) -> Self {
        Limits::with(inv.max_memory, inv.max_table_elements())
    }

    /// Limits of `max_memory` bytes per linear memory and
    /// `max_table_elements` per table.
    pub fn with(max_memory: u64, max_table_elements: u64) -> Self {
        Limits {
            max_memory,
            max_table_elements,
            hit: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Whether a linear memory may grow to `bytes`; a refusal is recorded.
    pub fn memory_may_grow_to(&self, bytes: u64) -> bool {
        self.allow(bytes <= self.max_memory)
    }

    /// Whether a table may grow to `elements`; a refusal is recorded.
    pub fn table_may_grow_to(&self, elements: u64) -> bool {
        self.allow(elements <= self.max_table_elements)
    }

    /// The memory limit in whole 64 KiB pages.
    pub fn max_memory_pages(&self) -> u64 {
        self.max_memory / 65536
    }

    /// The most elements a table may have.
    pub fn max_table_elements(&self) -> u64 {
        self.max_table_elements
    }

    /// Whether any growth was refused during this run.
    pub fn hit(&self) -> bool {
        self.hit.load(Ordering::Relaxed)
    }

    fn allow(&self, ok: bool) -> bool {
        if !ok {
            self.hit.store(true, Ordering::Relaxed);
        }
        ok
    }
}

/// The status of a run that trapped with `kind` (the engine's own words in
/// `engine_message`). A trap after a refused growth is the memory limit,
/// except a stack overflow, which no growth causes.
pub fn trapped(kind: TrapKind, engine_message: &str, limits: &Limits) -> Status {
    if limits.hit() && kind != TrapKind::StackOverflow {
        return Status::MemoryLimit;
    }
    Status::Trapped {
        kind,
        message: trap_message(kind, engine_message),
    }
}

/// The status of a run that a host function ended with an error (not a
/// trap of the guest's own): the error's words, whatever the limits.
pub fn host_error(message: impl Into<String>) -> Status {
    Status::Trapped {
        kind: TrapKind::Other,
        message: message.into(),
    }
}

/// The status of a module that could not be instantiated for `reason`: the
/// memory limit when a growth or an initial size was refused meanwhile.
pub fn instantiate_failed(reason: impl Into<String>, limits: &Limits) -> Status {
    if limits.hit() {
        return Status::MemoryLimit;
    }
    Status::InstantiateError(reason.into())
}

/// The status of a module whose import `module::name` (a `kind`: function,
/// memory, ...) nothing provides.
pub fn unknown_import(module: &str, name: &str, kind: &str) -> Status {
    Status::InstantiateError(format!(
        "unknown import `{module}::{name}` ({kind}): the module needs a host function this engine's WASI does not provide"
    ))
}

/// The status of a module without a callable `_start`.
pub fn no_start(engine_message: impl std::fmt::Display) -> Status {
    Status::InstantiateError(format!("no usable `_start` export: {engine_message}"))
}

/// The trap message every engine reports: `wasm trap: ` and the kind, so
/// outputs compare equal across engines; the engine's own words only for
/// traps without a common kind.
pub fn trap_message(kind: TrapKind, engine_message: &str) -> String {
    match kind {
        TrapKind::Other => engine_message.to_string(),
        kind => format!("wasm trap: {kind}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_growth_turns_traps_into_the_memory_limit_but_not_stack_overflow() {
        let limits = Limits::with(65536, 4);
        assert!(limits.memory_may_grow_to(65536));
        assert!(limits.table_may_grow_to(4));
        assert_eq!(
            trapped(TrapKind::Unreachable, "x", &limits),
            Status::Trapped {
                kind: TrapKind::Unreachable,
                message: "wasm trap: unreachable".into()
            }
        );
        assert!(!limits.clone().table_may_grow_to(5));
        assert!(limits.hit(), "clones share the flag");
        assert_eq!(
            trapped(TrapKind::MemoryOutOfBounds, "x", &limits),
            Status::MemoryLimit
        );
        assert!(matches!(
            trapped(TrapKind::StackOverflow, "x", &limits),
            Status::Trapped {
                kind: TrapKind::StackOverflow,
                ..
            }
        ));
        assert_eq!(instantiate_failed("no", &limits), Status::MemoryLimit);
        assert_eq!(limits.max_memory_pages(), 1);
    }

    #[test]
    fn other_traps_keep_the_engines_words() {
        let limits = Limits::with(0, 0);
        assert_eq!(
            trapped(TrapKind::Other, "host said no", &limits),
            Status::Trapped {
                kind: TrapKind::Other,
                message: "host said no".into()
            }
        );
    }
}
