//! Preopened host directories for wasmer-wasix.
//!
//! wasmer-wasix resolves preopens inside a virtual filesystem, so each host
//! directory is mounted (through `virtual_fs::host_fs`, which confines paths
//! to its root) at a private virtual path and preopened from there under
//! the name the guest asked for. Every run gets a filesystem of its own;
//! only the host directories' handles ([`HostDirs`]) are kept between runs.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use futures_util::future::BoxFuture;
use virtual_fs::{
    FileOpener, FileSystem, FsError, Metadata, MountFileSystem, OpenOptions, OpenOptionsConfig,
    TmpFileSystem,
};
use wasmer_wasix::WasiEnvBuilder;

use crate::Preopen;

type HostFs = Arc<virtual_fs::host_fs::FileSystem>;

/// How many host directories [`HostDirs`] remembers before it starts over.
const HOST_DIRS: usize = 64;

/// The host filesystems of directories preopened before, by path.
///
/// A `host_fs::FileSystem` is only its root, made canonical when it is
/// created (a `stat` and a `readlink` per path component), and holds no
/// state of a run. The harness lends the same few scratch directories to
/// case after case, so a worker makes each once. (A preopened path that
/// is a symlink, re-pointed while a worker lives, keeps its first target
/// in that worker.)
pub(super) struct HostDirs {
    handle: tokio::runtime::Handle,
    known: Mutex<HashMap<PathBuf, HostFs>>,
}

impl HostDirs {
    pub(super) fn new(handle: tokio::runtime::Handle) -> Self {
        HostDirs {
            handle,
            known: Mutex::default(),
        }
    }

    /// The filesystem of host directory `dir`.
    fn get(&self, dir: &Path) -> virtual_fs::Result<HostFs> {
        if let Some(fs) = self.lock().get(dir) {
            return Ok(fs.clone());
        }
        let host = Arc::new(virtual_fs::host_fs::FileSystem::new(
            self.handle.clone(),
            dir,
        )?);
        let mut known = self.lock();
        if known.len() >= HOST_DIRS {
            known.clear();
        }
        known.insert(dir.to_path_buf(), host.clone());
        Ok(host)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, HostFs>> {
        self.known.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The preopened directories of one run, until its WASI environment is
/// built ([`Preopened::built`]).
pub(super) struct Preopened(Vec<Arc<HostDir>>);

impl Preopened {
    /// The environment is built: from now on every `stat` of a preopened
    /// directory goes to the host.
    pub(super) fn built(self) {
        for dir in self.0 {
            dir.built();
        }
    }
}

/// Mount and preopen every directory of the invocation.
pub(super) fn preopen(
    mut builder: WasiEnvBuilder,
    preopens: &[Preopen],
    dirs: &HostDirs,
) -> Result<(WasiEnvBuilder, Preopened), String> {
    let mounts = MountFileSystem::new();
    let root: Arc<dyn FileSystem + Send + Sync> = Arc::new(TmpFileSystem::new());
    mounts
        .mount(std::path::Path::new("/"), root)
        .map_err(|e| format!("cannot set up the guest filesystem: {e}"))?;
    let mut opened = Vec::with_capacity(preopens.len());
    for (i, p) in preopens.iter().enumerate() {
        let failed = |e: &dyn std::fmt::Display| {
            format!("cannot preopen {} as `{}`: {e}", p.host.display(), p.guest)
        };
        let host = dirs.get(&p.host).map_err(|e| failed(&e))?;
        let dir = Arc::new(HostDir::new(host, p.read_only));
        let at = PathBuf::from(format!("/.xharness-preopen-{i}"));
        mounts.mount(&at, dir.clone()).map_err(|e| failed(&e))?;
        opened.push(dir);
        let writable = !p.read_only;
        builder
            .add_preopen_build(|b| {
                b.directory(&at)
                    .alias(&p.guest)
                    .read(true)
                    .write(writable)
                    .create(writable)
            })
            .map_err(|e| failed(&e))?;
    }
    builder.set_mount_fs(mounts);
    Ok((builder, Preopened(opened)))
}

/// A preopened host directory as one run sees it.
///
/// Read-only: wasmer-wasix does not enforce a preopen's missing write
/// rights on `path_open` with `O_CREAT`, so every change is refused here.
///
/// While the run's environment is built, wasmer-wasix asks the
/// directory's metadata twice in a row (is it a directory; then its stat
/// for the inode), each a path walk and a `statx` on the host: the first
/// answer is kept and given again until [`HostDir::built`], and no longer.
#[derive(Debug)]
struct HostDir {
    host: HostFs,
    read_only: bool,
    /// The directory's own metadata, kept while the environment is built.
    building: Mutex<Option<Option<Metadata>>>,
}

impl HostDir {
    fn new(host: HostFs, read_only: bool) -> Self {
        HostDir {
            host,
            read_only,
            building: Mutex::new(Some(None)),
        }
    }

    fn built(&self) {
        *self.building.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    fn writable(&self) -> virtual_fs::Result<()> {
        if self.read_only {
            Err(FsError::PermissionDenied)
        } else {
            Ok(())
        }
    }
}

/// Whether `path` names the directory itself.
fn is_root(path: &Path) -> bool {
    path.components()
        .all(|c| matches!(c, Component::RootDir | Component::CurDir))
}

impl FileSystem for HostDir {
    fn readlink(&self, path: &Path) -> virtual_fs::Result<PathBuf> {
        self.host.readlink(path)
    }
    fn read_dir(&self, path: &Path) -> virtual_fs::Result<virtual_fs::ReadDir> {
        self.host.read_dir(path)
    }
    fn create_dir(&self, path: &Path) -> virtual_fs::Result<()> {
        self.writable()?;
        self.host.create_dir(path)
    }
    fn create_symlink(&self, source: &Path, target: &Path) -> virtual_fs::Result<()> {
        self.writable()?;
        self.host.create_symlink(source, target)
    }
    fn hard_link(&self, source: &Path, target: &Path) -> virtual_fs::Result<()> {
        self.writable()?;
        self.host.hard_link(source, target)
    }
    fn remove_dir(&self, path: &Path) -> virtual_fs::Result<()> {
        self.writable()?;
        self.host.remove_dir(path)
    }
    fn rename<'a>(&'a self, from: &'a Path, to: &'a Path) -> BoxFuture<'a, virtual_fs::Result<()>> {
        match self.writable() {
            Ok(()) => self.host.rename(from, to),
            Err(e) => Box::pin(async move { Err(e) }),
        }
    }
    fn metadata(&self, path: &Path) -> virtual_fs::Result<Metadata> {
        if !is_root(path) {
            return self.host.metadata(path);
        }
        let mut building = self.building.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(kept) = building.as_mut() else {
            drop(building);
            return self.host.metadata(path);
        };
        if let Some(md) = kept {
            return Ok(md.clone());
        }
        let md = self.host.metadata(path)?;
        *kept = Some(md.clone());
        Ok(md)
    }
    fn symlink_metadata(&self, path: &Path) -> virtual_fs::Result<Metadata> {
        self.host.symlink_metadata(path)
    }
    fn remove_file(&self, path: &Path) -> virtual_fs::Result<()> {
        self.writable()?;
        self.host.remove_file(path)
    }
    fn new_open_options(&self) -> OpenOptions<'_> {
        OpenOptions::new(self)
    }
}

impl FileOpener for HostDir {
    fn open(
        &self,
        path: &Path,
        conf: &OpenOptionsConfig,
    ) -> virtual_fs::Result<Box<dyn virtual_fs::VirtualFile + Send + Sync + 'static>> {
        if conf.write || conf.create || conf.create_new || conf.append || conf.truncate {
            self.writable()?;
        }
        self.host
            .new_open_options()
            .options(conf.clone())
            .open(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host_dir(read_only: bool) -> (tempfile::TempDir, tokio::runtime::Runtime, HostDir) {
        let dir = tempfile::tempdir().expect("temp dir");
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let host =
            virtual_fs::host_fs::FileSystem::new(rt.handle().clone(), dir.path()).expect("host fs");
        (dir, rt, HostDir::new(Arc::new(host), read_only))
    }

    #[test]
    fn the_directory_stat_is_kept_only_while_the_environment_is_built() {
        let (dir, _rt, d) = host_dir(false);
        let first = d.metadata(Path::new("/")).expect("stat");
        std::fs::remove_dir_all(dir.path()).expect("remove");
        // Gone on the host, still answered while building.
        assert_eq!(d.metadata(Path::new("/")).expect("kept"), first);
        // Below the root nothing is kept.
        assert!(d.metadata(Path::new("/sub")).is_err());
        d.built();
        assert!(d.metadata(Path::new("/")).is_err(), "asked the host again");
    }

    #[test]
    fn a_read_only_directory_refuses_every_change() {
        let (dir, _rt, d) = host_dir(true);
        std::fs::write(dir.path().join("f"), "x").expect("write");
        let denied = |r: virtual_fs::Result<()>| assert_eq!(r, Err(FsError::PermissionDenied));
        denied(d.create_dir(Path::new("/sub")));
        denied(d.remove_file(Path::new("/f")));
        denied(d.create_symlink(Path::new("/f"), Path::new("/l")));
        let write = OpenOptionsConfig {
            read: false,
            write: true,
            create_new: false,
            create: true,
            append: false,
            truncate: false,
        };
        assert!(matches!(
            d.open(Path::new("/new"), &write),
            Err(FsError::PermissionDenied)
        ));
        assert!(!dir.path().join("new").exists());
        assert!(dir.path().join("f").exists());
        let (_w, _rt2, writable) = host_dir(false);
        writable
            .create_dir(Path::new("/sub"))
            .expect("a writable one takes changes");
    }
}
