//! Blessing: replace a golden file with the actual output, atomically.
//!
//! The bytes go to a temporary file in the golden's own directory (so the final rename
//! never crosses file systems), are synced to disk, and the temporary file is then
//! renamed over the golden. A reader sees the old or the new file, never half of one,
//! and an interrupted bless leaves no temporary file behind.

use std::path::Path;

use crate::GoldenError;

/// Writes `bytes` to the golden file at `path` atomically, creating parent directories.
///
/// An existing golden file keeps its permissions.
pub fn bless(path: &Path, bytes: &[u8]) -> Result<(), GoldenError> {
    xharness_atomic::write(path, bytes).map_err(|source| GoldenError::Bless {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn replaces_existing_golden_without_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let golden = dir.path().join("case.stdout");
        fs::write(&golden, b"old contents that are longer\n").unwrap();
        bless(&golden, b"new\n").unwrap();
        assert_eq!(fs::read(&golden).unwrap(), b"new\n");
        assert_eq!(entries(dir.path()), ["case.stdout"]);
    }

    #[test]
    fn creates_parent_directories() {
        let dir = tempfile::tempdir().unwrap();
        let golden = dir.path().join("a/b/case.stderr");
        bless(&golden, b"\xffraw bytes\r\n").unwrap();
        assert_eq!(fs::read(&golden).unwrap(), b"\xffraw bytes\r\n");
        assert_eq!(entries(&dir.path().join("a/b")), ["case.stderr"]);
    }

    #[test]
    fn blessing_empty_output_writes_empty_file() {
        let dir = tempfile::tempdir().unwrap();
        let golden = dir.path().join("case.stdout");
        bless(&golden, b"").unwrap();
        assert_eq!(fs::read(&golden).unwrap(), b"");
    }

    #[cfg(unix)]
    #[test]
    fn new_golden_is_world_readable_and_old_mode_is_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let golden = dir.path().join("case.stdout");
        bless(&golden, b"x").unwrap();
        assert_eq!(
            fs::metadata(&golden).unwrap().permissions().mode() & 0o777,
            0o644
        );
        fs::set_permissions(&golden, fs::Permissions::from_mode(0o664)).unwrap();
        bless(&golden, b"y").unwrap();
        assert_eq!(
            fs::metadata(&golden).unwrap().permissions().mode() & 0o777,
            0o664
        );
    }

    #[test]
    fn error_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        // The golden's "parent directory" is a regular file, so nothing can be created.
        let blocker = dir.path().join("file");
        fs::write(&blocker, b"").unwrap();
        let golden = blocker.join("case.stdout");
        let err = bless(&golden, b"x").unwrap_err();
        assert!(
            err.to_string().contains(&golden.display().to_string()),
            "{err}"
        );
        assert_eq!(entries(dir.path()), ["file"]);
    }
}
