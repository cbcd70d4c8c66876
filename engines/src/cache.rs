//! The on-disk cache of compiled (native) modules, shared by all runs.
//!
//! Key: engine name, engine version, engine configuration fingerprint and
//! the SHA-256 of the module bytes. A hit skips native compilation.
//!
//! An entry is two files: `KEY.bin`, the engine's serialised module as it
//! is, so engines that can memory-map native code load it straight from
//! the file (wasmtime's `deserialize_file`), and `KEY.sum`, an 8-byte
//! magic, the payload's length and its CRC-32. The checksum guards against
//! torn or damaged files, not against someone who can write to the cache
//! directory (who could as well replace the toolchain). Both files are
//! written to temporary files in the same directory and renamed into
//! place, payload first, so a mapped entry is never changed in place and
//! concurrent writers never leave a torn file. A missing, truncated,
//! corrupt or incompatible entry fails the checksum or the engine's own
//! check and is recompiled and replaced, never trusted.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use sha2::{Digest, Sha256};

use crate::{Engine, EngineError, Module};

const MAGIC: &[u8; 8] = b"XHMOD\x00\x03\n";

/// What a cache lookup found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// Loaded from disk; no native compilation.
    Hit,
    /// Not cached: compiled and stored.
    Miss,
    /// An entry existed but was corrupt or incompatible: recompiled and replaced.
    Replaced(String),
    /// The engine keeps no native code ([`Engine::caches_native_code`]):
    /// compiled in memory, nothing stored.
    Uncached,
}

/// A directory of compiled modules.
#[derive(Debug, Clone)]
pub struct ModuleCache {
    dir: PathBuf,
    /// Engine name → the key's hasher after the engine's name, version
    /// and configuration fingerprint, computed once.
    engine_keys: Arc<Mutex<HashMap<&'static str, Sha256>>>,
}

impl ModuleCache {
    /// A cache rooted at `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        ModuleCache {
            dir: dir.into(),
            engine_keys: Arc::default(),
        }
    }

    /// A hasher fed with what identifies `engine`'s compiled code.
    fn engine_key(&self, engine: &dyn Engine) -> Sha256 {
        let mut known = self
            .engine_keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        known
            .entry(engine.name())
            .or_insert_with(|| {
                let mut h = Sha256::new();
                for part in [
                    engine.name(),
                    engine.version(),
                    &engine.config_fingerprint(),
                ] {
                    h.update(part.as_bytes());
                    h.update([0]);
                }
                h
            })
            .clone()
    }

    /// The cache's root directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the entry for these bytes on this engine lives (`.bin`; its
    /// checksum is beside it as `.sum`).
    pub fn entry_path(&self, engine: &dyn Engine, wasm: &[u8]) -> PathBuf {
        self.entry_path_for_hash(engine, &Sha256::digest(wasm).into())
    }

    fn entry_path_for_hash(&self, engine: &dyn Engine, wasm_sha256: &[u8; 32]) -> PathBuf {
        let mut h = self.engine_key(engine);
        h.update(wasm_sha256);
        let key = hex::encode(h.finalize());
        self.dir
            .join("modules")
            .join(engine.name())
            .join(&key[..2])
            .join(format!("{}.bin", &key[2..]))
    }

    /// Load the compiled module from the cache, or compile and store it.
    ///
    /// Compile errors are returned as errors; a cache that cannot be written
    /// only costs the next run a recompile.
    pub fn load_or_compile(
        &self,
        engine: &dyn Engine,
        wasm: &[u8],
    ) -> Result<(Module, Lookup), EngineError> {
        let sha = Sha256::digest(wasm).into();
        self.load_or_compile_hashed(engine, &sha, || Ok(wasm.to_vec()))
    }

    /// As [`ModuleCache::load_or_compile`] for a module known by the
    /// SHA-256 of its bytes; `wasm` is called for the bytes only on a miss.
    pub fn load_or_compile_hashed(
        &self,
        engine: &dyn Engine,
        wasm_sha256: &[u8; 32],
        wasm: impl FnOnce() -> Result<Vec<u8>, EngineError>,
    ) -> Result<(Module, Lookup), EngineError> {
        if !engine.caches_native_code() {
            // Nothing on disk to reuse: compiling is the whole lookup.
            return Ok((engine.compile(&wasm()?)?, Lookup::Uncached));
        }
        let path = self.entry_path_for_hash(engine, wasm_sha256);
        let lookup = match load(engine, &path) {
            Ok(module) => return Ok((module, Lookup::Hit)),
            Err(None) => Lookup::Miss,
            Err(Some(why)) => Lookup::Replaced(why),
        };
        let module = engine.compile(&wasm()?)?;
        if let Ok(payload) = engine.serialize(&module) {
            let _ = store(&path, &payload);
        }
        Ok((module, lookup))
    }
}

/// The entry at `path`: `Err(None)` when there is none, `Err(Some(why))`
/// when it is unusable.
fn load(engine: &dyn Engine, path: &Path) -> Result<Module, Option<String>> {
    let unreadable = |e: std::io::Error| Some(format!("unreadable: {e}"));
    let sum = match read_up_to(&path.with_extension("sum"), SUM_LEN) {
        Ok(sum) => sum,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(None),
        Err(e) => return Err(unreadable(e)),
    };
    let len = payload_len(&sum).map_err(|why| Some(why.to_string()))?;
    // Mapped for an engine that maps the file itself (it shares these
    // pages next, and checking them copies nothing), read for the others.
    let (mapped, read);
    let payload: &[u8] = if engine.maps_cache_files() {
        let file = fs::File::open(path).map_err(unreadable)?;
        // SAFETY: entries are only ever replaced by rename, never changed
        // in place, so the mapped file does not change while it is mapped.
        mapped = unsafe { memmap2::Mmap::map(&file) }.map_err(unreadable)?;
        &mapped
    } else {
        read = read_up_to(path, len).map_err(unreadable)?;
        &read
    };
    verify(&sum, payload).map_err(|why| Some(why.to_string()))?;
    // SAFETY: the path encodes engine name, version and config fingerprint,
    // the checksum proves the payload is what `serialize` wrote, and entries
    // are only ever replaced by rename, never changed in place.
    unsafe { engine.deserialize_file(path, payload) }.map_err(|e| Some(e.to_string()))
}

/// The length of a checksum file: magic, payload length, CRC-32.
const SUM_LEN: usize = MAGIC.len() + 8 + 4;

/// The first `most` bytes of the file at `path` (all of it when shorter).
///
/// An entry's two files are read per job, and `fs::read` asks each file's
/// size and reads once more to find its end; the checksum file's length is
/// fixed and it records the payload's, so this opens, reads and closes.
/// A file that is shorter or longer than recorded fails [`verify`].
fn read_up_to(path: &Path, most: usize) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    // Room for all of it up front, so one read fills it (the limit is then
    // reached without another call); a damaged length claiming more than
    // this only grows the buffer as far as the file really goes.
    let mut bytes = Vec::with_capacity(most.min(64 << 20));
    fs::File::open(path)?
        .take(most as u64)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The payload length a checksum file records.
fn payload_len(sum: &[u8]) -> Result<usize, &'static str> {
    if sum.len() != SUM_LEN || &sum[..MAGIC.len()] != MAGIC {
        return Err("not a cache entry (bad header)");
    }
    let len = u64::from_le_bytes(
        sum[MAGIC.len()..MAGIC.len() + 8]
            .try_into()
            .expect("8 bytes"),
    );
    usize::try_from(len).map_err(|_| "checksum mismatch (corrupt entry)")
}

fn checksum(payload: &[u8]) -> Vec<u8> {
    let mut sum = MAGIC.to_vec();
    sum.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    sum.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    sum
}

fn verify(sum: &[u8], payload: &[u8]) -> Result<(), &'static str> {
    if sum.len() < MAGIC.len() || &sum[..MAGIC.len()] != MAGIC {
        return Err("not a cache entry (bad header)");
    }
    if sum != checksum(payload) {
        return Err("checksum mismatch (corrupt entry)");
    }
    Ok(())
}

fn store(path: &Path, payload: &[u8]) -> std::io::Result<()> {
    xharness_atomic::write_cache(path, payload)?;
    xharness_atomic::write_cache(&path.with_extension("sum"), &checksum(payload))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_rejects_truncated_and_flipped_entries() {
        let payload = b"native code";
        let sum = checksum(payload);
        assert_eq!(verify(&sum, payload), Ok(()));
        assert!(verify(&sum, &payload[..payload.len() - 1]).is_err());
        let mut flipped = payload.to_vec();
        flipped[3] ^= 1;
        assert!(verify(&sum, &flipped).is_err());
        assert!(verify(b"short", payload).is_err());
    }

    #[test]
    fn read_up_to_reads_at_most_what_is_asked_and_no_more_than_there_is() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("f");
        std::fs::write(&path, b"0123456789").expect("write");
        assert_eq!(read_up_to(&path, 4).expect("read"), b"0123");
        assert_eq!(read_up_to(&path, 10).expect("read"), b"0123456789");
        assert_eq!(read_up_to(&path, 1 << 40).expect("read"), b"0123456789");
        assert_eq!(
            read_up_to(&dir.path().join("missing"), 4)
                .expect_err("missing")
                .kind(),
            std::io::ErrorKind::NotFound
        );
    }
}
