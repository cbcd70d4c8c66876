//! Memory and table limits for wasmer, built from its tunables.
//!
//! [`LimitTunables`] creates linear memories (on a pooled reservation,
//! `pool.rs`, or through wasmer-vm) and wraps them in [`LimitedMemory`],
//! which refuses growth past the limit, and creates tables whose maximum
//! is capped (wasmer's `VMTable::grow` honours a table's maximum), so a
//! `table.grow` loop fails with -1 instead of growing host memory.
//!
//! Its unsafe code is the two tunables hooks that wasmer calls with a
//! location inside VM memory (`create_vm_memory`, `create_vm_table`); the
//! backend's other unsafe code is listed in the backend's module doc.

use std::cell::RefCell;
use std::ptr::NonNull;

use super::pool::{POOL, PooledMemory};
use crate::rules::Limits;

use wasmer::sys::vm::{
    LinearMemory, MemoryError, MemoryStyle, TableStyle, VMMemory, VMMemoryDefinition, VMTable,
    VMTableDefinition,
};
use wasmer::sys::{BaseTunables, Tunables};
use wasmer::{MemoryType, Pages, TableType};

thread_local! {
    /// The limits in force on this thread while it instantiates a module.
    static LIMIT: RefCell<Option<Limits>> = const { RefCell::new(None) };
}

/// Sets the memory and table limits for instances created on this thread
/// until dropped.
pub(super) struct MemoryLimitScope;

impl MemoryLimitScope {
    pub(super) fn enter(limits: Limits) -> Self {
        LIMIT.with(|l| *l.borrow_mut() = Some(limits));
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
        let Some(limits) = LIMIT.with(|l| l.borrow().clone()) else {
            return Ok(memory);
        };
        if !limits.memory_may_grow_to(u64::from(ty.minimum.0) * 65536) {
            return Err(MemoryError::MinimumMemoryTooLarge {
                min_requested: ty.minimum,
                max_allowed: Pages(u32::try_from(limits.max_memory_pages()).unwrap_or(u32::MAX)),
            });
        }
        Ok(VMMemory(Box::new(LimitedMemory {
            inner: memory.0,
            limits,
        })))
    }

    /// The table type with its maximum capped by the thread's limit.
    fn capped_table(ty: &TableType) -> Result<TableType, String> {
        let Some(limits) = LIMIT.with(|l| l.borrow().clone()) else {
            return Ok(*ty);
        };
        let most = u32::try_from(limits.max_table_elements()).unwrap_or(u32::MAX);
        if !limits.table_may_grow_to(u64::from(ty.minimum)) {
            return Err(format!(
                "table minimum of {} elements is over the memory limit ({most} elements)",
                ty.minimum
            ));
        }
        let maximum = ty.maximum.unwrap_or(u32::MAX).min(most);
        Ok(TableType {
            maximum: Some(maximum),
            ..*ty
        })
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
        if PooledMemory::fits(ty, style) {
            // SAFETY: forwarded unchanged from wasmer's own caller, which
            // guarantees the location is valid VM memory for as long as the
            // memory lives.
            let memory =
                unsafe { PooledMemory::from_definition(&POOL, ty, vm_definition_location) }?;
            return Self::limit(VMMemory(Box::new(memory)), ty);
        }
        // SAFETY: as above.
        let memory = unsafe { VMMemory::from_definition(ty, style, vm_definition_location) }?;
        Self::limit(memory, ty)
    }

    fn create_host_table(&self, ty: &TableType, style: &TableStyle) -> Result<VMTable, String> {
        VMTable::new(&Self::capped_table(ty)?, style)
    }

    unsafe fn create_vm_table(
        &self,
        ty: &TableType,
        style: &TableStyle,
        vm_definition_location: NonNull<VMTableDefinition>,
    ) -> Result<VMTable, String> {
        let ty = Self::capped_table(ty)?;
        // SAFETY: forwarded from wasmer's own caller, which guarantees the
        // location is valid VM memory; only the maximum is lowered.
        unsafe { VMTable::from_definition(&ty, style, vm_definition_location) }
    }
}

/// A linear memory that grows only as far as its [`Limits`] allow.
#[derive(Debug)]
struct LimitedMemory {
    inner: Box<dyn LinearMemory + Send + Sync + 'static>,
    limits: Limits,
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
        let pages = u64::from(current.0) + u64::from(delta.0);
        if !self.limits.memory_may_grow_to(pages * 65536) {
            return Err(MemoryError::CouldNotGrow {
                current,
                attempted_delta: delta,
            });
        }
        self.inner.grow(delta)
    }

    fn grow_at_least(&mut self, min_size: u64) -> Result<(), MemoryError> {
        if !self.limits.memory_may_grow_to(min_size) {
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
            limits: self.limits.clone(),
        }))
    }

    fn copy(&self) -> Result<Box<dyn LinearMemory + Send + Sync + 'static>, MemoryError> {
        let inner = self.inner.copy()?;
        Ok(Box::new(LimitedMemory {
            inner,
            limits: self.limits.clone(),
        }))
    }
}
