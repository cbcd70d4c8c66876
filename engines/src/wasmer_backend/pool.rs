//! Linear memories that hand their address-space reservation on to the
//! next instance instead of unmapping it.
//!
//! wasmer reserves 8 GiB of address space for every 32-bit linear memory
//! (its "static" style: the 4 GiB the guest can index and a 4 GiB guard,
//! so compiled code needs no bounds checks), makes the first pages
//! readable, and unmaps it all when the memory drops. For a small job that
//! map, protect and unmap, and the page tables they build and tear down,
//! were a tenth of a worker's time (profiled on 1,500 small cases).
//!
//! A [`PooledMemory`] is laid out exactly as wasmer lays out its own, so
//! code compiled for the static style runs on it unchanged. When it drops,
//! every byte of it is cleared, so no byte of one guest reaches the next,
//! and the reservation goes back to a pool; the next memory takes it and
//! only changes which pages are readable. A small memory (up to
//! [`RESIDENT_ACCESSIBLE`]) keeps its pages: those the guest touched
//! (`mincore`) are zeroed in place, which costs less than giving them back
//! and faulting them in again, up to [`RESIDENT_BUDGET`] bytes for the
//! whole pool. A larger one gives its pages back (`MADV_DONTNEED`: the
//! next read of a private anonymous page gets a fresh zero page). The
//! pool holds at most [`POOLED`] reservations; any more are unmapped.
//! Memories that are shared between threads, or of another style, are
//! wasmer's own.
//!
//! The unsafe code here is the mapping calls, the writes to the memory's
//! definition inside the instance, and the `Send`/`Sync` of
//! [`PooledMemory`], each with its `// SAFETY:` line.

use std::ptr::NonNull;
use std::sync::{Mutex, PoisonError};

use wasmer::sys::vm::{LinearMemory, MemoryError, MemoryStyle, VMMemoryDefinition, VMOwnedMemory};
use wasmer::{MemoryType, Pages, WASM_PAGE_SIZE};

use super::reuse::RUNS_PER_STORE;

/// How many reservations the pool keeps: half again a kept store's runs,
/// whose memories all drop at once.
const POOLED: usize = RUNS_PER_STORE + RUNS_PER_STORE / 2;

/// A memory that has grown past this many bytes is unmapped, not pooled:
/// discarding its pages costs about what unmapping does.
const POOLED_ACCESSIBLE: usize = 256 << 20;

/// A memory of at most this many bytes keeps its pages when it drops
/// (zeroed); a larger one gives them back.
const RESIDENT_ACCESSIBLE: usize = 1 << 20;

/// The most bytes of zeroed pages the pool keeps in memory; past it, a
/// memory gives its pages back whatever its size.
const RESIDENT_BUDGET: usize = 16 << 20;

fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(size).unwrap_or(4096)
}

/// Bytes of one static-style reservation: the indexable 4 GiB and the
/// offset guard after it.
fn reservation_bytes() -> usize {
    let bound = u64::from(MemoryStyle::static_bound().0) * u64::from(WASM_PAGE_SIZE as u32);
    usize::try_from(bound + MemoryStyle::static_offset_guard_size())
        .expect("a 64-bit host holds a static wasm memory's reservation")
}

/// A mapped reservation: `len` bytes at `base`, of which the first
/// `accessible` are readable and writable and the rest inaccessible.
#[derive(Debug)]
struct Reservation {
    base: NonNull<u8>,
    len: usize,
    accessible: usize,
    /// Bytes of zeroed pages it keeps in memory while pooled.
    resident: usize,
}

// SAFETY: a reservation is an address range owned by exactly one memory or
// by the pool; nothing in it is tied to the thread that mapped it.
unsafe impl Send for Reservation {}

/// Reservations waiting for their next memory, each with no readable
/// byte that is not zero.
#[derive(Debug)]
pub(super) struct Pool(Mutex<Pooled>);

#[derive(Debug)]
struct Pooled {
    free: Vec<Reservation>,
    /// The sum of their `resident` bytes, at most [`RESIDENT_BUDGET`].
    resident: usize,
}

/// The pool of every memory the tunables make.
pub(super) static POOL: Pool = Pool::new();

impl Pool {
    const fn new() -> Self {
        Pool(Mutex::new(Pooled {
            free: Vec::new(),
            resident: 0,
        }))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Pooled> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn pop(&self) -> Option<Reservation> {
        let mut pool = self.lock();
        let mut r = pool.free.pop()?;
        pool.resident -= r.resident;
        r.resident = 0;
        Some(r)
    }

    /// Keep `r` (cleared), giving its pages back first when the pool
    /// already keeps [`RESIDENT_BUDGET`] bytes in memory; unmap it when
    /// the pool is full.
    fn push(&self, mut r: Reservation) {
        let mut pool = self.lock();
        if pool.free.len() >= POOLED {
            drop(pool);
            return r.unmap();
        }
        if pool.resident + r.resident > RESIDENT_BUDGET {
            if !r.discard_pages() {
                drop(pool);
                return r.unmap();
            }
            r.resident = 0;
        }
        pool.resident += r.resident;
        pool.free.push(r);
    }
}

impl Reservation {
    /// A reservation with `accessible` readable bytes, from `pool` when
    /// one is there.
    fn take(pool: &Pool, accessible: usize) -> Result<Reservation, String> {
        let mut r = match pool.pop() {
            Some(r) => r,
            None => Reservation::map(reservation_bytes())?,
        };
        if let Err(e) = r.set_accessible(accessible) {
            r.unmap();
            return Err(e);
        }
        Ok(r)
    }

    fn map(len: usize) -> Result<Reservation, String> {
        // SAFETY: a fresh anonymous mapping at an address the kernel picks
        // overlaps nothing of ours.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANON | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(format!(
                "cannot reserve address space for a linear memory: {}",
                std::io::Error::last_os_error()
            ));
        }
        let base = NonNull::new(p.cast::<u8>()).ok_or("mmap returned a null address")?;
        Ok(Reservation {
            base,
            len,
            accessible: 0,
            resident: 0,
        })
    }

    /// Make exactly the first `bytes` readable and writable.
    fn set_accessible(&mut self, bytes: usize) -> Result<(), String> {
        if bytes > self.len {
            return Err(format!(
                "{bytes} bytes do not fit a {} byte reservation",
                self.len
            ));
        }
        let (from, to, prot) = match bytes.cmp(&self.accessible) {
            std::cmp::Ordering::Equal => return Ok(()),
            std::cmp::Ordering::Greater => {
                (self.accessible, bytes, libc::PROT_READ | libc::PROT_WRITE)
            }
            std::cmp::Ordering::Less => (bytes, self.accessible, libc::PROT_NONE),
        };
        // SAFETY: the range lies inside this reservation, which this value
        // owns; pages made inaccessible hold nothing anyone still reads.
        let rc = unsafe { libc::mprotect(self.base.as_ptr().add(from).cast(), to - from, prot) };
        if rc != 0 {
            return Err(format!(
                "cannot change a linear memory's protection: {}",
                std::io::Error::last_os_error()
            ));
        }
        self.accessible = bytes;
        Ok(())
    }

    /// Clear every byte and hand the reservation to `pool`, or unmap it
    /// when the pool is full, it has grown large, or clearing fails.
    fn release(mut self, pool: &Pool) {
        let cleared = if self.accessible > POOLED_ACCESSIBLE {
            false
        } else if self.accessible <= RESIDENT_ACCESSIBLE {
            self.zero_resident_pages()
        } else {
            self.discard_pages()
        };
        if cleared {
            pool.push(self);
        } else {
            self.unmap();
        }
    }

    /// Give the readable pages back to the system: the next read of each
    /// gets a fresh zero page.
    fn discard_pages(&self) -> bool {
        // SAFETY: the range is this reservation's readable part; nothing
        // refers to its contents any more (the memory is being dropped).
        let rc = unsafe {
            libc::madvise(
                self.base.as_ptr().cast(),
                self.accessible,
                libc::MADV_DONTNEED,
            )
        };
        rc == 0
    }

    /// Zero the pages the guest wrote and keep them: cheaper than giving
    /// them back and faulting them in again for the next small memory.
    /// Pages never touched are not resident and read as zero already.
    fn zero_resident_pages(&mut self) -> bool {
        let page = page_size();
        let pages = self.accessible.div_ceil(page);
        let mut resident = vec![0u8; pages];
        // SAFETY: the range is this reservation's readable part, and
        // `resident` has a byte per page of it.
        let rc = unsafe {
            libc::mincore(
                self.base.as_ptr().cast(),
                self.accessible,
                resident.as_mut_ptr().cast(),
            )
        };
        if rc != 0 {
            return self.discard_pages();
        }
        let mut kept = 0;
        for (i, _) in resident.iter().enumerate().filter(|(_, r)| **r & 1 == 1) {
            // SAFETY: page `i` lies in the readable part, resident, and no
            // longer used by any guest.
            let bytes =
                unsafe { std::slice::from_raw_parts_mut(self.base.as_ptr().add(i * page), page) };
            // Reading first leaves pages the guest only read (the shared
            // zero page) unwritten, so unshared.
            if bytes.iter().any(|&b| b != 0) {
                bytes.fill(0);
            }
            kept += page;
        }
        self.resident = kept;
        true
    }

    fn unmap(self) {
        // SAFETY: the whole mapping, owned by this value, which is consumed.
        unsafe { libc::munmap(self.base.as_ptr().cast(), self.len) };
    }
}

/// A 32-bit, unshared, static-style linear memory on a pooled reservation.
#[derive(Debug)]
pub(super) struct PooledMemory {
    /// `None` only while dropping.
    reservation: Option<Reservation>,
    /// Where the reservation goes back to.
    pool: &'static Pool,
    ty: MemoryType,
    /// The memory's definition inside its instance, which compiled code
    /// reads its base and length from.
    definition: NonNull<VMMemoryDefinition>,
}

// SAFETY: as for wasmer's own `VMOwnedMemory`: the memory is used by one
// store at a time, and the definition it points to lives in that store's
// instance for as long as the memory does.
unsafe impl Send for PooledMemory {}
// SAFETY: see `Send`; shared memories are never pooled.
unsafe impl Sync for PooledMemory {}

impl PooledMemory {
    /// Whether a memory of this type and style may come from the pool.
    pub(super) fn fits(ty: &MemoryType, style: &MemoryStyle) -> bool {
        cfg!(target_pointer_width = "64") && !ty.shared && *style == MemoryStyle::Static
    }

    /// A memory of type `ty` from `pool`, whose definition lives at
    /// `definition`.
    ///
    /// # Safety
    /// `definition` points to a valid memory definition in VM memory that
    /// outlives the memory (what wasmer passes to `create_vm_memory`).
    pub(super) unsafe fn from_definition(
        pool: &'static Pool,
        ty: &MemoryType,
        definition: NonNull<VMMemoryDefinition>,
    ) -> Result<Self, MemoryError> {
        if ty.minimum > Pages::max_value() {
            return Err(MemoryError::MinimumMemoryTooLarge {
                min_requested: ty.minimum,
                max_allowed: Pages::max_value(),
            });
        }
        if let Some(max) = ty.maximum {
            if max > Pages::max_value() {
                return Err(MemoryError::MaximumMemoryTooLarge {
                    max_requested: max,
                    max_allowed: Pages::max_value(),
                });
            }
            if max < ty.minimum {
                return Err(MemoryError::InvalidMemory {
                    reason: format!(
                        "the maximum ({} pages) is less than the minimum ({} pages)",
                        max.0, ty.minimum.0
                    ),
                });
            }
        }
        let bytes = ty.minimum.bytes().0;
        let reservation = Reservation::take(pool, bytes).map_err(MemoryError::Region)?;
        let memory = PooledMemory {
            reservation: Some(reservation),
            pool,
            ty: *ty,
            definition,
        };
        memory.publish(bytes);
        Ok(memory)
    }

    fn reservation(&self) -> &Reservation {
        self.reservation.as_ref().expect("present until drop")
    }

    /// Write base and length to the definition that compiled code reads.
    fn publish(&self, length: usize) {
        let base = self.reservation().base.as_ptr();
        // SAFETY: `from_definition`'s caller guarantees the definition is
        // valid for the memory's lifetime, and only this memory writes it.
        unsafe {
            let d = self.definition.as_ptr();
            (*d).base = base;
            (*d).current_length = length;
        }
    }

    fn length(&self) -> usize {
        // SAFETY: as in `publish`.
        unsafe { (*self.definition.as_ptr()).current_length }
    }
}

impl LinearMemory for PooledMemory {
    fn ty(&self) -> MemoryType {
        MemoryType {
            minimum: self.size(),
            ..self.ty
        }
    }

    fn size(&self) -> Pages {
        Pages((self.length() / WASM_PAGE_SIZE) as u32)
    }

    fn style(&self) -> MemoryStyle {
        MemoryStyle::Static
    }

    fn grow(&mut self, delta: Pages) -> Result<Pages, MemoryError> {
        let current = self.size();
        if delta.0 == 0 {
            return Ok(current);
        }
        let refused = MemoryError::CouldNotGrow {
            current,
            attempted_delta: delta,
        };
        let Some(pages) = current.0.checked_add(delta.0).map(Pages) else {
            return Err(refused);
        };
        if pages > Pages::max_value() || self.ty.maximum.is_some_and(|max| pages > max) {
            return Err(refused);
        }
        let bytes = pages.bytes().0;
        let reservation = self.reservation.as_mut().expect("present until drop");
        reservation
            .set_accessible(bytes)
            .map_err(MemoryError::Region)?;
        self.publish(bytes);
        Ok(current)
    }

    fn grow_at_least(&mut self, min_size: u64) -> Result<(), MemoryError> {
        let current = self.length() as u64;
        if current < min_size {
            let page = WASM_PAGE_SIZE as u64;
            let pages = (min_size - current).div_ceil(page);
            let delta = u32::try_from(pages).map_err(|_| MemoryError::CouldNotGrow {
                current: self.size(),
                attempted_delta: Pages::max_value(),
            })?;
            self.grow(Pages(delta))?;
        }
        Ok(())
    }

    fn reset(&mut self) -> Result<(), MemoryError> {
        // As wasmer's own: the length drops to zero, the pages stay.
        // SAFETY: as in `publish`.
        unsafe { (*self.definition.as_ptr()).current_length = 0 };
        Ok(())
    }

    fn vmmemory(&self) -> NonNull<VMMemoryDefinition> {
        self.definition
    }

    fn try_clone(&self) -> Result<Box<dyn LinearMemory + Send + Sync + 'static>, MemoryError> {
        Err(MemoryError::MemoryNotShared)
    }

    fn copy(&self) -> Result<Box<dyn LinearMemory + Send + Sync + 'static>, MemoryError> {
        // A copy owns its definition, as wasmer's copies do: wasmer's own
        // memory of the same type and style, with these bytes.
        let copy = VMOwnedMemory::new(&self.ty(), &MemoryStyle::Static)?;
        let length = self.length();
        // SAFETY: both memories have at least `length` readable bytes (the
        // copy was made with this memory's size as its minimum), and they
        // are distinct mappings.
        unsafe {
            let to = copy.vmmemory().as_ref().base;
            std::ptr::copy_nonoverlapping(self.reservation().base.as_ptr(), to, length);
        }
        Ok(Box::new(copy))
    }
}

impl Drop for PooledMemory {
    fn drop(&mut self) {
        if let Some(r) = self.reservation.take() {
            r.release(self.pool);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn definition() -> Box<VMMemoryDefinition> {
        Box::new(VMMemoryDefinition {
            base: std::ptr::null_mut(),
            current_length: 0,
        })
    }

    fn memory(pool: &'static Pool, ty: MemoryType, def: &mut VMMemoryDefinition) -> PooledMemory {
        // SAFETY: every caller drops the memory before its definition.
        unsafe { PooledMemory::from_definition(pool, &ty, NonNull::from(def)) }.expect("memory")
    }

    /// A memory grown to `pages` and filled, dropped, then a one-page
    /// memory from the same pool: it gets the reservation back, zeroed,
    /// with only its own page readable.
    fn reuse_after(pages: u32) {
        let pool: &'static Pool = Box::leak(Box::new(Pool::new()));
        let mut first_def = definition();
        let ty = MemoryType::new(Pages(3), Some(Pages(pages + 1)), false);
        let mut first = memory(pool, ty, &mut first_def);
        assert_eq!(first_def.current_length, 3 * WASM_PAGE_SIZE);
        assert_eq!(first.grow(Pages(pages - 3)).expect("grow"), Pages(3));
        assert_eq!(first.size(), Pages(pages));
        assert_eq!(first_def.current_length, pages as usize * WASM_PAGE_SIZE);
        assert!(first.grow(Pages(2)).is_err(), "past the maximum");
        let base = first_def.base;
        // SAFETY: `pages` pages are readable; the first is only read, so it
        // stays the shared zero page.
        unsafe {
            assert_eq!(*base, 0);
            let rest = base.add(WASM_PAGE_SIZE);
            std::ptr::write_bytes(rest, 0xAB, (pages as usize - 1) * WASM_PAGE_SIZE);
        }
        drop(first);

        let mut second_def = definition();
        let second = memory(
            pool,
            MemoryType::new(Pages(1), None, false),
            &mut second_def,
        );
        assert_eq!(
            second_def.base, base,
            "the reservation was taken from the pool"
        );
        assert_eq!(second.size(), Pages(1));
        assert_eq!(protection(base), "rw-p");
        assert_eq!(
            protection(base.wrapping_add(WASM_PAGE_SIZE)),
            "---p",
            "the pages past the new memory's size are inaccessible again"
        );
        drop(second);

        let mut third_def = definition();
        let third = memory(
            pool,
            MemoryType::new(Pages(pages), None, false),
            &mut third_def,
        );
        assert_eq!(third_def.base, base);
        // SAFETY: `pages` pages are readable.
        let bytes =
            unsafe { std::slice::from_raw_parts(third_def.base, pages as usize * WASM_PAGE_SIZE) };
        assert!(
            bytes.iter().all(|&b| b == 0),
            "a reused reservation must hold no byte of the last guest"
        );
        drop(third);
    }

    #[test]
    fn a_small_memory_is_zeroed_in_place_for_the_next() {
        reuse_after(5);
    }

    #[test]
    fn a_large_memory_gives_its_pages_back_for_the_next() {
        let pages = (RESIDENT_ACCESSIBLE / WASM_PAGE_SIZE) as u32 + 4;
        reuse_after(pages);
    }

    #[test]
    fn the_pool_keeps_no_more_resident_pages_than_its_budget() {
        let pool: &'static Pool = Box::leak(Box::new(Pool::new()));
        let pages = (RESIDENT_ACCESSIBLE / WASM_PAGE_SIZE) as u32;
        let count = RESIDENT_BUDGET / RESIDENT_ACCESSIBLE + 3;
        let mut defs: Vec<_> = (0..count).map(|_| definition()).collect();
        let memories: Vec<_> = defs
            .iter_mut()
            .map(|d| {
                let m = memory(pool, MemoryType::new(Pages(pages), None, false), d);
                // SAFETY: the memory's pages are readable.
                unsafe { std::ptr::write_bytes(d.base, 0xCD, RESIDENT_ACCESSIBLE) };
                m
            })
            .collect();
        drop(memories);
        let kept = pool.lock().resident;
        assert!(
            kept > 0 && kept <= RESIDENT_BUDGET,
            "{kept} bytes kept, budget {RESIDENT_BUDGET}"
        );
        for d in &mut defs {
            let m = memory(pool, MemoryType::new(Pages(pages), None, false), d);
            // SAFETY: the memory's pages are readable.
            let bytes = unsafe { std::slice::from_raw_parts(d.base, RESIDENT_ACCESSIBLE) };
            assert!(bytes.iter().all(|&b| b == 0));
            drop(m);
        }
    }

    /// The protection of the mapping that holds `at`, from /proc/self/maps.
    fn protection(at: *mut u8) -> String {
        let at = at as usize;
        let maps = std::fs::read_to_string("/proc/self/maps").expect("read /proc/self/maps");
        maps.lines()
            .find_map(|line| {
                let (range, rest) = line.split_once(' ')?;
                let (lo, hi) = range.split_once('-')?;
                let lo = usize::from_str_radix(lo, 16).ok()?;
                let hi = usize::from_str_radix(hi, 16).ok()?;
                (lo <= at && at < hi).then(|| rest[..4].to_string())
            })
            .expect("a mapping holds the address")
    }
}
