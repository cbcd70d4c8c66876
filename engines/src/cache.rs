//! The on-disk cache of compiled (native) modules, shared by all runs.
//!
//! Key: engine name, engine version, engine configuration fingerprint and
//! the SHA-256 of the module bytes. A hit skips native compilation.
//!
//! Every entry carries a check block: an 8-byte magic, the payload's
//! length and its CRC-32. Where it goes depends on how the engine loads:
//! - an engine that maps the file itself ([`Engine::maps_cache_files`],
//!   wasmtime's `deserialize_file`) needs `KEY.bin` to be its serialised
//!   module exactly, so the check block is a file of its own beside it,
//!   `KEY.sum`;
//! - an engine that loads bytes gets one file, `KEY.bin`, the payload with
//!   the check block after it: a job opens and reads one file, not two.
//!
//! The checksum guards against torn or damaged files, not against someone
//! who can write to the cache directory (who could as well replace the
//! toolchain). Files are written to temporary files in the same directory
//! and renamed into place, payload first, so a mapped entry is never
//! changed in place and concurrent writers never leave a torn file. A
//! missing, truncated, corrupt or incompatible entry fails the checksum or
//! the engine's own check and is recompiled and replaced, never trusted.

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

    /// Where the entry for these bytes on this engine lives (`.bin`; for an
    /// engine that maps it, its check block is beside it as `.sum`).
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
            let _ = store(engine, &path, payload);
        }
        Ok((module, lookup))
    }
}

/// The entry at `path`: `Err(None)` when there is none, `Err(Some(why))`
/// when it is unusable.
fn load(engine: &dyn Engine, path: &Path) -> Result<Module, Option<String>> {
    if engine.maps_cache_files() {
        load_mapped(engine, path)
    } else {
        load_read(engine, path)
    }
}

fn unreadable(e: std::io::Error) -> Option<String> {
    if e.kind() == std::io::ErrorKind::NotFound {
        None
    } else {
        Some(format!("unreadable: {e}"))
    }
}

/// An entry of two files, for an engine that maps `KEY.bin`: mapped here
/// too (the engine shares these pages next, and checking them copies
/// nothing).
fn load_mapped(engine: &dyn Engine, path: &Path) -> Result<Module, Option<String>> {
    let sum = read_up_to(&path.with_extension("sum"), SUM_LEN as u64).map_err(unreadable)?;
    let file = fs::File::open(path).map_err(unreadable)?;
    // SAFETY: entries are only ever replaced by rename, never changed in
    // place, so the mapped file does not change while it is mapped.
    let mapped = unsafe { memmap2::Mmap::map(&file) }.map_err(unreadable)?;
    verify(&sum, &mapped).map_err(|why| Some(why.to_string()))?;
    // SAFETY: the path encodes engine name, version and config fingerprint,
    // the checksum proves the payload is what `serialize` wrote, and entries
    // are only ever replaced by rename, never changed in place.
    unsafe { engine.deserialize_file(path, &mapped) }.map_err(|e| Some(e.to_string()))
}

/// An entry of one file, the payload and its check block, read at once.
fn load_read(engine: &dyn Engine, path: &Path) -> Result<Module, Option<String>> {
    let file = fs::File::open(path).map_err(unreadable)?;
    let len = file.metadata().map_err(unreadable)?.len();
    let whole = read_at_most(file, len).map_err(unreadable)?;
    let (payload, sum) = whole.split_at(whole.len().saturating_sub(SUM_LEN));
    verify(sum, payload).map_err(|why| Some(why.to_string()))?;
    // SAFETY: as in `load_mapped`.
    unsafe { engine.deserialize_file(path, payload) }.map_err(|e| Some(e.to_string()))
}

/// The length of a check block: magic, payload length, CRC-32.
const SUM_LEN: usize = MAGIC.len() + 8 + 4;

/// The first `most` bytes of the file at `path` (all of it when shorter).
fn read_up_to(path: &Path, most: u64) -> std::io::Result<Vec<u8>> {
    read_at_most(fs::File::open(path)?, most)
}

/// The first `most` bytes of `file`, without the read that `fs::read`
/// makes after the last byte to find the end (once per file per job). A
/// file that is shorter or longer than expected fails [`verify`].
fn read_at_most(file: fs::File, most: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    // Room for all of it up front, so one read fills it (the limit is then
    // reached without another call).
    let mut bytes = Vec::with_capacity(usize::try_from(most.min(64 << 20)).unwrap_or(0));
    file.take(most).read_to_end(&mut bytes)?;
    Ok(bytes)
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

fn store(engine: &dyn Engine, path: &Path, mut payload: Vec<u8>) -> std::io::Result<()> {
    let sum = checksum(&payload);
    if engine.maps_cache_files() {
        xharness_atomic::write_cache(path, &payload)?;
        xharness_atomic::write_cache(&path.with_extension("sum"), &sum)
    } else {
        payload.extend_from_slice(&sum);
        xharness_atomic::write_cache(path, &payload)?;
        // A checksum file beside it is left from a version that wrote
        // entries of two files for every engine.
        let _ = fs::remove_file(path.with_extension("sum"));
        Ok(())
    }
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

    #[cfg(feature = "wasmer")]
    #[test]
    fn an_entry_of_two_files_for_an_engine_that_reads_is_replaced_by_one() {
        let engine = crate::wasmer_backend::Wasmer::new().expect("wasmer");
        let wasm = wat::parse_str(r#"(module (func (export "_start")))"#).expect("wat");
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = ModuleCache::new(dir.path());
        let (module, first) = cache.load_or_compile(&engine, &wasm).expect("compile");
        assert_eq!(first, Lookup::Miss);
        let path = cache.entry_path(&engine, &wasm);
        let sum = path.with_extension("sum");
        assert!(!sum.exists(), "one file per entry");
        // The layout every engine's entries had before: the bare payload
        // and its checksum beside it.
        let payload = engine.serialize(&module).expect("serialize");
        std::fs::write(&path, &payload).expect("write");
        std::fs::write(&sum, checksum(&payload)).expect("write");
        let (_, second) = cache.load_or_compile(&engine, &wasm).expect("recompile");
        assert!(matches!(second, Lookup::Replaced(_)), "{second:?}");
        assert!(!sum.exists(), "the old checksum file is removed");
        let (_, third) = cache.load_or_compile(&engine, &wasm).expect("load");
        assert_eq!(third, Lookup::Hit);
    }
}
