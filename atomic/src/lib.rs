//! The one atomic file writer of xharness: goldens, reports, cached
//! modules and run state all go through [`write`].
//!
//! The bytes go to a temporary file in the target's own directory (so the
//! rename never crosses file systems), are synced, and the temporary file
//! is renamed over the target. A reader sees the old or the new file, never
//! half of one; a file that is memory-mapped by a reader is never changed
//! in place; an interrupted write leaves no temporary file behind. An
//! existing file keeps its permissions, a new one is made 0644 (temporary
//! files are created 0600, but goldens and reports are meant to be read).

use std::fs;
use std::io::Write;
use std::path::Path;

/// Write `bytes` to `path` atomically and durably, creating parent
/// directories: goldens, reports, run state.
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_with(path, bytes, true)
}

/// Write `bytes` to `path` atomically but without waiting for the disk:
/// for cache entries, whose readers verify what they read and rebuild
/// what is lost, where two syncs per entry would cost more than the entry.
pub fn write_cache(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_with(path, bytes, false)
}

fn write_with(path: &Path, bytes: &[u8], durable: bool) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    match fs::metadata(path) {
        Ok(meta) => tmp.as_file().set_permissions(meta.permissions())?,
        Err(_) => default_permissions(tmp.as_file())?,
    }
    if durable {
        tmp.as_file().sync_all()?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    // Make the rename durable where the platform allows it; best effort,
    // since the file is already in place.
    if durable && let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(unix)]
fn default_permissions(file: &fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions(_file: &fs::File) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_creates_dirs_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out/file.txt");
        write(&path, b"one").unwrap();
        write(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(fs::read_dir(dir.path().join("out")).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn keeps_permissions_of_an_existing_file_and_gives_new_ones_0644() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("golden");
        write(&path, b"a").unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o644);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        write(&path, b"b").unwrap();
        assert_eq!(mode(&path), 0o600);
    }

    #[test]
    fn cache_writes_replace_too() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("entry.bin");
        write_cache(&path, b"one").unwrap();
        write_cache(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_file_in_the_way_of_the_directory_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        fs::write(&blocker, b"").unwrap();
        assert!(write(&blocker.join("x"), b"x").is_err());
    }
}
