//! The on-disk cache of compiled (native) modules, shared by all runs.
//!
//! Key: engine name, engine version, engine configuration fingerprint and
//! the SHA-256 of the module bytes. A hit skips native compilation.
//!
//! Entry format: an 8-byte magic, the CRC-32 of the payload (little
//! endian), the payload (the engine's serialised module). The checksum
//! guards against torn or damaged files, not against someone who can write
//! to the cache directory (who could as well replace the toolchain). Entries are written to a temporary
//! file in the same directory and renamed into place, so concurrent
//! writers never leave a torn file. A truncated, corrupt or incompatible
//! entry fails the checksum or the engine's own check and is recompiled
//! and replaced, never trusted.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::{Engine, EngineError, Module};

const MAGIC: &[u8; 8] = b"XHMOD\x00\x02\n";

/// What a cache lookup found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// Loaded from disk; no native compilation.
    Hit,
    /// Not cached: compiled and stored.
    Miss,
    /// An entry existed but was corrupt or incompatible: recompiled and replaced.
    Replaced(String),
}

/// A directory of compiled modules.
#[derive(Debug, Clone)]
pub struct ModuleCache {
    dir: PathBuf,
}

impl ModuleCache {
    /// A cache rooted at `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        ModuleCache { dir: dir.into() }
    }

    /// `$XHARNESS_CACHE_DIR`, else `$XDG_CACHE_HOME/xharness`, else
    /// `$HOME/.cache/xharness`, else a folder in the system temp dir.
    pub fn default_dir() -> PathBuf {
        let env = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        if let Some(dir) = env("XHARNESS_CACHE_DIR") {
            return dir;
        }
        if let Some(dir) = env("XDG_CACHE_HOME") {
            return dir.join("xharness");
        }
        if let Some(home) = env("HOME") {
            return home.join(".cache").join("xharness");
        }
        std::env::temp_dir().join("xharness-cache")
    }

    /// The cache at [`ModuleCache::default_dir`].
    pub fn at_default() -> Self {
        ModuleCache::new(Self::default_dir())
    }

    /// The cache's root directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the entry for these bytes on this engine lives.
    pub fn entry_path(&self, engine: &dyn Engine, wasm: &[u8]) -> PathBuf {
        let mut h = Sha256::new();
        for part in [
            engine.name(),
            engine.version(),
            &engine.config_fingerprint(),
        ] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        h.update(Sha256::digest(wasm));
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
        let path = self.entry_path(engine, wasm);
        let mut lookup = Lookup::Miss;
        match fs::read(&path) {
            Ok(bytes) => match verify(&bytes) {
                // SAFETY: the path encodes engine name, version and config
                // fingerprint, and the checksum proves the payload is what
                // `serialize` wrote.
                Ok(payload) => match unsafe { engine.deserialize(payload) } {
                    Ok(module) => return Ok((module, Lookup::Hit)),
                    Err(e) => lookup = Lookup::Replaced(e.to_string()),
                },
                Err(why) => lookup = Lookup::Replaced(why.to_string()),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => lookup = Lookup::Replaced(format!("unreadable: {e}")),
        }
        let module = engine.compile(wasm)?;
        if let Ok(payload) = engine.serialize(&module) {
            let _ = store(&path, &payload);
        }
        Ok((module, lookup))
    }
}

fn verify(bytes: &[u8]) -> Result<&[u8], &'static str> {
    if bytes.len() < MAGIC.len() + 4 || &bytes[..MAGIC.len()] != MAGIC {
        return Err("not a cache entry (bad header)");
    }
    let (sum, payload) = bytes[MAGIC.len()..].split_at(4);
    if crc32fast::hash(payload).to_le_bytes() != sum {
        return Err("checksum mismatch (corrupt entry)");
    }
    Ok(payload)
}

fn store(path: &Path, payload: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(MAGIC)?;
    tmp.write_all(&crc32fast::hash(payload).to_le_bytes())?;
    tmp.write_all(payload)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_rejects_truncated_and_flipped_entries() {
        let payload = b"native code";
        let mut entry = MAGIC.to_vec();
        entry.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
        entry.extend_from_slice(payload);
        assert_eq!(verify(&entry).ok(), Some(&payload[..]));
        assert!(verify(&entry[..entry.len() - 1]).is_err());
        let mut flipped = entry.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert!(verify(&flipped).is_err());
        assert!(verify(b"short").is_err());
    }
}
