//! The hash of a cached module, noted beside it: a warm run takes a
//! module's SHA-256 from the note instead of reading and hashing the
//! module (90 KB for a C program), which was most of the parent's work per
//! case.

use std::path::{Path, PathBuf};

use super::Artifact;
use super::key::mtime_ns;

impl Artifact {
    /// The module a cache entry holds, when there is one: its hash comes
    /// from the note beside it ([`HashNote`]) while the entry's size and
    /// modification time are still the ones noted, else from its bytes,
    /// and the note is written anew.
    pub(super) fn cached(path: PathBuf) -> Option<Self> {
        let meta = std::fs::metadata(&path).ok()?;
        let note = HashNote::path(&path);
        if let Some(sha256) = HashNote::read(&note, &meta) {
            return Some(Artifact { path, sha256 });
        }
        let bytes = std::fs::read(&path).ok()?;
        let artifact = Artifact::of(path, &bytes);
        artifact.note(&meta);
        Some(artifact)
    }

    /// A new cache entry: its hash, and the note that spares the next run
    /// from hashing it again.
    pub(super) fn stored(path: PathBuf, bytes: &[u8]) -> Self {
        let artifact = Artifact::of(path, bytes);
        if let Ok(meta) = std::fs::metadata(&artifact.path) {
            artifact.note(&meta);
        }
        artifact
    }

    /// Note the hash beside the entry; best effort: without the note the
    /// next run hashes the entry again.
    fn note(&self, meta: &std::fs::Metadata) {
        let text = HashNote::text(&self.sha256, meta);
        let _ = xharness_atomic::write_cache(&HashNote::path(&self.path), text.as_bytes());
    }
}

/// The SHA-256 of a cached module, noted beside it in `KEY.sha256` as
/// `HEX SIZE MTIME_NS`. The note holds only while the module's size and
/// modification time are the noted ones: a module replaced by another
/// compile (a new rename, so a new time) is hashed again.
struct HashNote;

impl HashNote {
    fn path(module: &Path) -> PathBuf {
        module.with_extension("sha256")
    }

    fn text(sha256: &str, meta: &std::fs::Metadata) -> String {
        format!("{sha256} {} {}", meta.len(), mtime_ns(meta))
    }

    fn read(note: &Path, meta: &std::fs::Metadata) -> Option<String> {
        let text = std::fs::read_to_string(note).ok()?;
        let sha256 = text.split(' ').next()?;
        let valid = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit());
        let fresh = text == Self::text(sha256, meta);
        (valid && fresh).then(|| sha256.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};
    use std::time::Duration;

    fn sha(bytes: &[u8]) -> String {
        hex::encode(Sha256::digest(bytes))
    }

    #[test]
    fn a_cached_module_is_hashed_once_and_again_when_it_changes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let module = dir.path().join("key.wasm");
        let note = dir.path().join("key.sha256");
        std::fs::write(&module, b"first module").expect("write");

        let a = Artifact::cached(module.clone()).expect("an entry");
        assert_eq!(a.sha256, sha(b"first module"));
        let noted = std::fs::read_to_string(&note).expect("the hash is noted");
        assert!(noted.starts_with(&a.sha256), "{noted}");

        // While the entry is as noted, the note is the hash, bytes unread.
        let meta = std::fs::metadata(&module).expect("stat");
        let other = "b".repeat(64);
        std::fs::write(&note, HashNote::text(&other, &meta)).expect("write note");
        assert_eq!(
            Artifact::cached(module.clone()).expect("entry").sha256,
            other
        );

        // A replaced entry (another size or time) is hashed again.
        std::fs::write(&module, b"second module!").expect("replace");
        let b = Artifact::cached(module.clone()).expect("an entry");
        assert_eq!(b.sha256, sha(b"second module!"));

        // Same size, another time: hashed again.
        std::fs::write(&module, b"third  module!").expect("replace");
        let later = std::time::SystemTime::now() + Duration::from_secs(5);
        std::fs::File::options()
            .write(true)
            .open(&module)
            .and_then(|f| f.set_modified(later))
            .expect("set mtime");
        assert_eq!(
            Artifact::cached(module.clone()).expect("entry").sha256,
            sha(b"third  module!")
        );

        // A damaged note is not trusted.
        std::fs::write(&note, "not a hash").expect("damage");
        assert_eq!(
            Artifact::cached(module.clone()).expect("entry").sha256,
            sha(b"third  module!")
        );
        assert!(Artifact::cached(dir.path().join("none.wasm")).is_none());
    }
}
