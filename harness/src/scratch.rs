//! Private scratch directories, one per running case.
//!
//! Every case starts in an empty directory of its own, preopened as `.`.
//! Creating and deleting a directory per case is costly on disk
//! filesystems (and contended on a shared parent such as /tmp), so
//! directories are pooled: when a case ends its directory is emptied and
//! handed to the next case. With `--keep-scratch` every case gets a new
//! directory that is left in place.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, PoisonError};

/// A pool of empty directories under one parent, removed on drop.
pub struct ScratchPool {
    parent: tempfile::TempDir,
    free: Mutex<Vec<PathBuf>>,
    keep: bool,
}

/// A directory lent to one case.
pub struct Scratch<'p> {
    pool: &'p ScratchPool,
    path: PathBuf,
}

impl ScratchPool {
    /// A pool under a new directory in the system temp dir.
    pub fn new(keep: bool) -> crate::Result<Self> {
        let parent = tempfile::Builder::new()
            .prefix("xharness-scratch-")
            .tempdir()
            .map_err(|e| {
                crate::Error::io("create a scratch directory in", std::env::temp_dir(), e)
            })?;
        Ok(ScratchPool {
            parent,
            free: Mutex::new(Vec::new()),
            keep,
        })
    }

    /// An empty directory for `stem`'s case.
    pub fn take(&self, stem: &str) -> crate::Result<Scratch<'_>> {
        let reused = self
            .free
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let path = match reused {
            Some(path) => path,
            None => self.fresh(stem)?,
        };
        Ok(Scratch { pool: self, path })
    }

    fn fresh(&self, stem: &str) -> crate::Result<PathBuf> {
        let root = if self.keep {
            std::env::temp_dir()
        } else {
            self.parent.path().to_path_buf()
        };
        let dir = tempfile::Builder::new()
            .prefix(&format!("xharness-{stem}-"))
            .tempdir_in(&root)
            .map_err(|e| crate::Error::io("create a scratch directory in", &root, e))?;
        Ok(dir.keep())
    }

    fn give_back(&self, path: &Path) {
        if self.keep || empty(path).is_err() {
            return;
        }
        self.free
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(path.to_path_buf());
    }
}

/// Remove everything inside `dir`, keeping `dir` itself.
fn empty(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        match std::fs::symlink_metadata(&path)?.is_dir() {
            true => std::fs::remove_dir_all(&path)?,
            false => std::fs::remove_file(&path)?,
        }
    }
    Ok(())
}

impl Scratch<'_> {
    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Scratch<'_> {
    fn drop(&mut self) {
        self.pool.give_back(&self.path);
    }
}

/// Copy a case's input files (and folders, recursively) into `dir`,
/// creating it. A missing input is an error naming it.
pub fn copy_inputs(inputs: &[xharness_suites::Input], dir: &Path) -> crate::Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| crate::Error::io("create", dir, e))?;
    for input in inputs {
        let dest = dir.join(&input.dest);
        copy_tree(&input.host, &dest).map_err(|e| {
            format!(
                "cannot copy input {} into the case's directory: {e}; check the test's extra_files",
                input.host.display()
            )
        })?;
    }
    Ok(())
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    if std::fs::metadata(from)?.is_dir() {
        std::fs::create_dir_all(to)?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            copy_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
        return Ok(());
    }
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::copy(from, to).map(|_| ())
}

/// Where private copies go: `configured` (`XHARNESS_COPY_DIR`), else
/// `/dev/shm` when it is a writable directory (a RAM filesystem: tests
/// that create and delete many files are not slowed by a disk's journal,
/// and the copies never reach the disk), else the temp dir.
pub fn copies_parent(configured: Option<&Path>) -> PathBuf {
    if let Some(dir) = configured {
        return dir.to_path_buf();
    }
    static PROBED: OnceLock<PathBuf> = OnceLock::new();
    PROBED
        .get_or_init(|| {
            let shm = Path::new("/dev/shm");
            let writable = tempfile::Builder::new()
                .prefix("xharness-probe-")
                .tempdir_in(shm)
                .is_ok();
            if writable {
                shm.to_path_buf()
            } else {
                std::env::temp_dir()
            }
        })
        .clone()
}

/// For each of the case's directories marked `copy`, a fresh copy of it
/// under `parent` (see [`copies_parent`]).
pub fn private_copies(
    case: &xharness_suites::Case,
    parent: &Path,
) -> crate::Result<Vec<Option<tempfile::TempDir>>> {
    case.run
        .dirs
        .iter()
        .map(|d| {
            if !d.copy {
                return Ok(None);
            }
            let dir = tempfile::Builder::new()
                .prefix("xharness-dir-")
                .tempdir_in(parent)
                .map_err(|e| format!("cannot create a copy of {}: {e}", d.host.display()))?;
            let input = xharness_suites::Input {
                host: d.host.clone(),
                dest: String::new(),
            };
            crate::scratch::copy_inputs(std::slice::from_ref(&input), dir.path())?;
            Ok(Some(dir))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_returned_directory_comes_back_empty() {
        let pool = ScratchPool::new(false).expect("pool");
        let first = {
            let s = pool.take("a").expect("dir");
            std::fs::create_dir_all(s.path().join("sub/deeper")).expect("mkdir");
            std::fs::write(s.path().join("file"), "x").expect("write");
            s.path().to_path_buf()
        };
        let again = pool.take("b").expect("dir");
        assert_eq!(again.path(), first);
        assert_eq!(std::fs::read_dir(again.path()).expect("read").count(), 0);
    }

    #[test]
    fn kept_directories_are_never_reused_or_removed() {
        let pool = ScratchPool::new(true).expect("pool");
        let first = pool.take("a").expect("dir").path().to_path_buf();
        let second = pool.take("a").expect("dir").path().to_path_buf();
        assert_ne!(first, second);
        drop(pool);
        assert!(first.is_dir() && second.is_dir());
        std::fs::remove_dir_all(first).expect("clean");
        std::fs::remove_dir_all(second).expect("clean");
    }
}
