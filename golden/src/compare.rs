//! Golden lookup and comparison: read the expected bytes, normalise both sides, compare.
//!
//! A golden file that does not exist means "expected empty output", so only cases that
//! print something need a golden file per stream.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::{GoldenError, Normalizer};

/// Which output stream a golden file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

impl fmt::Display for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        })
    }
}

/// A stream whose normalised output differs from its normalised golden file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The stream that differs.
    pub stream: Stream,
    /// The golden file it was compared with (which may not exist).
    pub golden: PathBuf,
    /// The golden file's content, normalised (empty if the file is missing).
    pub expected: Vec<u8>,
    /// The actual output, normalised.
    pub actual: Vec<u8>,
    /// The actual output as the program wrote it: what [`crate::bless()`] writes.
    pub actual_raw: Vec<u8>,
}

/// Reads a golden file; a missing file is `Ok(empty)`: missing golden means expected empty.
pub fn read_golden(path: &Path) -> Result<Vec<u8>, GoldenError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(bytes),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(source) => Err(GoldenError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Compares `actual` with the golden file at `golden`, byte for byte after normalising
/// both with `norm`. Returns `Ok(None)` when they match.
pub fn compare(
    stream: Stream,
    golden: &Path,
    actual: &[u8],
    norm: &Normalizer,
) -> Result<Option<Mismatch>, GoldenError> {
    let expected = norm.apply(&read_golden(golden)?);
    let normalised = norm.apply(actual);
    if expected == normalised {
        return Ok(None);
    }
    Ok(Some(Mismatch {
        stream,
        golden: golden.to_path_buf(),
        expected,
        actual: normalised,
        actual_raw: actual.to_vec(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_display() {
        assert_eq!(Stream::Stdout.to_string(), "stdout");
        assert_eq!(Stream::Stderr.to_string(), "stderr");
    }

    #[test]
    fn missing_golden_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read_golden(&dir.path().join("nope.stdout")).unwrap(), b"");
    }

    #[test]
    fn unreadable_golden_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        // A directory cannot be read as a file.
        let err = read_golden(dir.path()).unwrap_err();
        assert!(
            err.to_string().contains(&dir.path().display().to_string()),
            "{err}"
        );
    }

    #[test]
    fn missing_golden_matches_empty_output_only() {
        let dir = tempfile::tempdir().unwrap();
        let golden = dir.path().join("case.stderr");
        let norm = Normalizer::identity();
        assert_eq!(compare(Stream::Stderr, &golden, b"", &norm).unwrap(), None);
        let m = compare(Stream::Stderr, &golden, b"oops\n", &norm)
            .unwrap()
            .unwrap();
        assert_eq!(m.expected, b"");
        assert_eq!(m.actual, b"oops\n");
    }

    #[test]
    fn compare_normalises_both_sides() {
        let dir = tempfile::tempdir().unwrap();
        let golden = dir.path().join("case.stdout");
        std::fs::write(&golden, b"hello  \r\nworld\r\n").unwrap();
        let norm = Normalizer::new(&[], true, true).unwrap();
        assert_eq!(
            compare(Stream::Stdout, &golden, b"hello\nworld \n", &norm).unwrap(),
            None
        );
    }

    #[test]
    fn mismatch_keeps_raw_actual() {
        let dir = tempfile::tempdir().unwrap();
        let golden = dir.path().join("case.stdout");
        std::fs::write(&golden, b"a\n").unwrap();
        let norm = Normalizer::new(&[], true, true).unwrap();
        let m = compare(Stream::Stdout, &golden, b"b \r\n", &norm)
            .unwrap()
            .unwrap();
        assert_eq!(m.stream, Stream::Stdout);
        assert_eq!(m.golden, golden);
        assert_eq!(m.expected, b"a\n");
        assert_eq!(m.actual, b"b\n");
        assert_eq!(m.actual_raw, b"b \r\n");
    }
}
