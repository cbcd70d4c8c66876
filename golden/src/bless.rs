//! Blessing: replace a golden file with the actual output, atomically.
//!
//! The bytes go to a temporary file in the golden's own directory (so the final rename
//! never crosses file systems), are synced to disk, and the temporary file is then
//! renamed over the golden. A reader sees the old or the new file, never half of one,
//! and an interrupted bless leaves no temporary file behind.

use std::fs;
use std::io::Write;
use std::path::Path;

use tempfile::NamedTempFile;

use crate::GoldenError;

/// Writes `bytes` to the golden file at `path` atomically, creating parent directories.
///
/// An existing golden file keeps its permissions.
pub fn bless(path: &Path, bytes: &[u8]) -> Result<(), GoldenError> {
    let err = |source| GoldenError::Bless {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    fs::create_dir_all(dir).map_err(err)?;
    let mut tmp = NamedTempFile::new_in(dir).map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    set_permissions(tmp.as_file(), path).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    sync_dir(dir);
    Ok(())
}

/// Gives the temporary file the golden's current permissions, or 0644 for a new golden
/// (temporary files are created 0600).
fn set_permissions(tmp: &fs::File, golden: &Path) -> std::io::Result<()> {
    match fs::metadata(golden) {
        Ok(meta) => tmp.set_permissions(meta.permissions()),
        Err(_) => default_permissions(tmp),
    }
}

#[cfg(unix)]
fn default_permissions(tmp: &fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    tmp.set_permissions(fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions(_tmp: &fs::File) -> std::io::Result<()> {
    Ok(())
}

/// Makes the rename durable where the platform allows it; best effort, since the
/// golden is already in place when this runs.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

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
