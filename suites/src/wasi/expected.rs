//! Expected text from a spec, turned into the derived golden files the
//! harness compares with.
//!
//! Goldens are files, and a spec's expected `stdout` / `stderr` (and its
//! `stdin`) lives inside its JSON. Each distinct text becomes one
//! [`DerivedFile`] named `wasi-expected/HASH.txt`, where `HASH` is the
//! start of its SHA-256, so the name depends only on the content: two
//! loads, or two processes, name the same file. Discovery writes nothing;
//! the harness places and writes these files in its cache.

use std::path::PathBuf;

use sha2::{Digest, Sha256};

use crate::DerivedFile;

/// The derived file holding `text`.
pub fn derived(text: &str) -> DerivedFile {
    let digest = Sha256::digest(text.as_bytes());
    let hash: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    DerivedFile {
        path: PathBuf::from("wasi-expected").join(format!("{hash}.txt")),
        text: text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_text_same_file() {
        let (a, b, c) = (derived("hello"), derived("hello"), derived("other"));
        assert_eq!(a, b);
        assert_ne!(a.path, c.path);
        assert!(a.path.is_relative());
        assert_eq!(a.text, "hello");
    }
}
