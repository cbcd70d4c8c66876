//! Expected text from a spec, turned into the golden files the harness compares with.
//!
//! Goldens are files, and a spec's expected `stdout` / `stderr` lives inside
//! its JSON. Each distinct text is written once to `DIR/HASH.txt`, where
//! `HASH` is the start of its SHA-256, so the path depends only on the
//! content: loading the same suite twice, or from two processes at once,
//! names the same file. Writes go through a temporary file and a rename, so
//! a reader never sees half a file.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::SuiteError;

/// The folder the expected-text files are written to:
/// `$XHARNESS_CACHE_DIR/wasi-expected`, else `xharness-wasi-expected` in the
/// system temp folder.
pub fn expected_dir() -> PathBuf {
    match std::env::var_os("XHARNESS_CACHE_DIR").filter(|v| !v.is_empty()) {
        Some(cache) => PathBuf::from(cache).join("wasi-expected"),
        None => std::env::temp_dir().join("xharness-wasi-expected"),
    }
}

/// The file holding `text` under `dir`, written if it is missing or differs.
pub fn write(dir: &Path, text: &str) -> Result<PathBuf, SuiteError> {
    let digest = Sha256::digest(text.as_bytes());
    let hash: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    let path = dir.join(format!("{hash}.txt"));
    if std::fs::read(&path).is_ok_and(|have| have == text.as_bytes()) {
        return Ok(path);
    }
    let io = |source| SuiteError::Io {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    let tmp = dir.join(format!(
        ".{hash}.{}.{:?}.tmp",
        std::process::id(),
        std::thread::current().id()
    ));
    let written = std::fs::write(&tmp, text).and_then(|()| std::fs::rename(&tmp, &path));
    if let Err(source) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(source));
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_text_same_file() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let a = write(dir.path(), "hello").ok();
        let b = write(dir.path(), "hello").ok();
        let c = write(dir.path(), "other").ok();
        assert!(a.is_some());
        assert_eq!(a, b);
        assert_ne!(a, c);
        let text = a.and_then(|p| std::fs::read_to_string(p).ok());
        assert_eq!(text.as_deref(), Some("hello"));
    }
}
