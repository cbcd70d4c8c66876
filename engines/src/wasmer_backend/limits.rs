//! Time and memory limits for wasmer, built from what wasmer offers.
//!
//! All unsafe code of the wasmer backend lives here:
//! - [`remaining_points`] finds the address of the metering middleware's
//!   "remaining points" global so a watchdog thread can zero it;
//! - [`LimitTunables`] creates linear memories through wasmer-vm and wraps
//!   them in [`LimitedMemory`], which refuses growth past the limit.

use std::cell::RefCell;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use wasmer::sys::vm::{
    LinearMemory, MemoryError, MemoryStyle, TableStyle, VMMemory, VMMemoryDefinition, VMTable,
    VMTableDefinition,
};
use wasmer::sys::{BaseTunables, Tunables};
use wasmer::{AsStoreMut, Instance, MemoryType, Pages, TableType};

/// Address of the metering global holding the remaining points.
pub(super) struct Points(NonNull<u64>);

// SAFETY: the pointer is only used through `AtomicU64::from_ptr`, and
// `Watchdog::guard` guarantees it is not used after the run it belongs to.
unsafe impl Send for Points {}
// SAFETY: as above; all access is atomic.
unsafe impl Sync for Points {}

/// Find the metering middleware's remaining-points global of `instance`.
pub(super) fn remaining_points(store: &mut impl AsStoreMut, instance: &Instance) -> Option<Points> {
    let global = instance
        .exports
        .get_extern("wasmer_metering_remaining_points")?;
    let wasmer_vm::VMExtern::Global(handle) = global.to_vm_extern().unwrap_sys() else {
        return None;
    };
    let objects = store.objects_mut().as_sys_mut();
    let definition = handle.get(objects).vmglobal();
    // The global's value is the first field of its definition; metering
    // stores it as an i64.
    Some(Points(definition.cast::<u64>()))
}

/// Runs a closure while a watchdog thread exhausts the metering points once
/// the deadline has passed.
pub(super) struct Watchdog;

impl Watchdog {
    /// Run `f`; returns its result and whether the deadline fired.
    pub(super) fn guard<R>(points: Points, deadline: Instant, f: impl FnOnce() -> R) -> (R, bool) {
        let done = (Mutex::new(false), Condvar::new());
        let fired = AtomicBool::new(false);
        let result = std::thread::scope(|s| {
            s.spawn(|| watch(&points, deadline, &done, &fired));
            let r = f();
            *done.0.lock().unwrap_or_else(PoisonError::into_inner) = true;
            done.1.notify_all();
            r
        });
        (result, fired.load(Ordering::Relaxed))
    }
}

fn watch(points: &Points, deadline: Instant, done: &(Mutex<bool>, Condvar), fired: &AtomicBool) {
    let mut finished = done.0.lock().unwrap_or_else(PoisonError::into_inner);
    loop {
        if *finished {
            return;
        }
        let now = Instant::now();
        let wait = if now >= deadline {
            fired.store(true, Ordering::Relaxed);
            // SAFETY: the global lives in the store, which outlives this
            // scoped thread (the run's closure cannot return before the
            // scope joins us). The address is 8-byte aligned (wasmer-vm
            // aligns global definitions to 16). The guest's own accesses
            // are plain loads and stores; repeating the store below every
            // millisecond makes a lost update harmless.
            unsafe { AtomicU64::from_ptr(points.0.as_ptr()) }.store(0, Ordering::Relaxed);
            Duration::from_millis(1)
        } else {
            deadline - now
        };
        finished = done
            .1
            .wait_timeout(finished, wait)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
}

thread_local! {
    static LIMIT: RefCell<Option<(Pages, Arc<AtomicBool>)>> = const { RefCell::new(None) };
}

/// Sets the memory limit for instances created on this thread until dropped.
pub(super) struct MemoryLimitScope;

impl MemoryLimitScope {
    pub(super) fn enter(max_pages: u64, hit: Arc<AtomicBool>) -> Self {
        let pages = Pages(u32::try_from(max_pages).unwrap_or(u32::MAX));
        LIMIT.with(|l| *l.borrow_mut() = Some((pages, hit)));
        MemoryLimitScope
    }
}

impl Drop for MemoryLimitScope {
    fn drop(&mut self) {
        LIMIT.with(|l| *l.borrow_mut() = None);
    }
}

/// Tunables that wrap every memory in a [`LimitedMemory`] when a limit is
/// set on the instantiating thread.
pub(super) struct LimitTunables;

impl LimitTunables {
    fn limit(memory: VMMemory, ty: &MemoryType) -> Result<VMMemory, MemoryError> {
        let Some((max, hit)) = LIMIT.with(|l| l.borrow().clone()) else {
            return Ok(memory);
        };
        if ty.minimum > max {
            hit.store(true, Ordering::Relaxed);
            return Err(MemoryError::MinimumMemoryTooLarge {
                min_requested: ty.minimum,
                max_allowed: max,
            });
        }
        Ok(VMMemory(Box::new(LimitedMemory {
            inner: memory.0,
            max,
            hit,
        })))
    }
}

impl Tunables for LimitTunables {
    fn memory_style(&self, memory: &MemoryType) -> MemoryStyle {
        BaseTunables::new().memory_style(memory)
    }

    fn table_style(&self, table: &TableType) -> TableStyle {
        BaseTunables::new().table_style(table)
    }

    fn create_host_memory(
        &self,
        ty: &MemoryType,
        style: &MemoryStyle,
    ) -> Result<VMMemory, MemoryError> {
        Self::limit(VMMemory::new(ty, style)?, ty)
    }

    unsafe fn create_vm_memory(
        &self,
        ty: &MemoryType,
        style: &MemoryStyle,
        vm_definition_location: NonNull<VMMemoryDefinition>,
    ) -> Result<VMMemory, MemoryError> {
        // SAFETY: forwarded unchanged from wasmer's own caller, which
        // guarantees the location is valid VM memory.
        let memory = unsafe { VMMemory::from_definition(ty, style, vm_definition_location) }?;
        Self::limit(memory, ty)
    }

    fn create_host_table(&self, ty: &TableType, style: &TableStyle) -> Result<VMTable, String> {
        VMTable::new(ty, style)
    }

    unsafe fn create_vm_table(
        &self,
        ty: &TableType,
        style: &TableStyle,
        vm_definition_location: NonNull<VMTableDefinition>,
    ) -> Result<VMTable, String> {
        // SAFETY: forwarded unchanged from wasmer's own caller.
        unsafe { VMTable::from_definition(ty, style, vm_definition_location) }
    }
}

/// A linear memory that refuses to grow past `max` pages.
#[derive(Debug)]
struct LimitedMemory {
    inner: Box<dyn LinearMemory + Send + Sync + 'static>,
    max: Pages,
    hit: Arc<AtomicBool>,
}

impl LinearMemory for LimitedMemory {
    fn ty(&self) -> MemoryType {
        self.inner.ty()
    }

    fn size(&self) -> Pages {
        self.inner.size()
    }

    fn style(&self) -> MemoryStyle {
        self.inner.style()
    }

    fn grow(&mut self, delta: Pages) -> Result<Pages, MemoryError> {
        let current = self.inner.size();
        if current.0.saturating_add(delta.0) > self.max.0 {
            self.hit.store(true, Ordering::Relaxed);
            return Err(MemoryError::CouldNotGrow {
                current,
                attempted_delta: delta,
            });
        }
        self.inner.grow(delta)
    }

    fn grow_at_least(&mut self, min_size: u64) -> Result<(), MemoryError> {
        if min_size > u64::from(self.max.0) * 65536 {
            self.hit.store(true, Ordering::Relaxed);
            return Err(MemoryError::CouldNotGrow {
                current: self.inner.size(),
                attempted_delta: Pages(0),
            });
        }
        self.inner.grow_at_least(min_size)
    }

    fn reset(&mut self) -> Result<(), MemoryError> {
        self.inner.reset()
    }

    fn vmmemory(&self) -> NonNull<VMMemoryDefinition> {
        self.inner.vmmemory()
    }

    fn try_clone(&self) -> Result<Box<dyn LinearMemory + Send + Sync + 'static>, MemoryError> {
        let inner = self.inner.try_clone()?;
        Ok(Box::new(LimitedMemory {
            inner,
            max: self.max,
            hit: self.hit.clone(),
        }))
    }

    fn copy(&self) -> Result<Box<dyn LinearMemory + Send + Sync + 'static>, MemoryError> {
        let inner = self.inner.copy()?;
        Ok(Box::new(LimitedMemory {
            inner,
            max: self.max,
            hit: self.hit.clone(),
        }))
    }
}
