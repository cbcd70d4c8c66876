//! Preopened host directories for wasmer-wasix.
//!
//! wasmer-wasix resolves preopens inside a virtual filesystem, so each host
//! directory is mounted (through `virtual_fs::host_fs`, which confines paths
//! to its root) at a private virtual path and preopened from there under
//! the name the guest asked for. Every run gets a filesystem of its own;
//! only the host directories' handles ([`HostDirs`]) are kept between runs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use futures_util::future::BoxFuture;
use virtual_fs::{
    FileOpener, FileSystem, FsError, MountFileSystem, OpenOptions, OpenOptionsConfig, TmpFileSystem,
};
use wasmer_wasix::WasiEnvBuilder;

use crate::Preopen;

type SharedFs = Arc<dyn FileSystem + Send + Sync>;

/// How many host directories [`HostDirs`] remembers before it starts over.
const HOST_DIRS: usize = 64;

/// The host filesystems of directories preopened before, by path and
/// read-only flag.
///
/// A `host_fs::FileSystem` is only its root, made canonical when it is
/// created (a `stat` and a `readlink` per path component), and holds no
/// state of a run. The harness lends the same few scratch directories to
/// case after case, so a worker makes each once. (A preopened path that
/// is a symlink, re-pointed while a worker lives, keeps its first target
/// in that worker.)
pub(super) struct HostDirs {
    handle: tokio::runtime::Handle,
    known: Mutex<HashMap<(PathBuf, bool), SharedFs>>,
}

impl HostDirs {
    pub(super) fn new(handle: tokio::runtime::Handle) -> Self {
        HostDirs {
            handle,
            known: Mutex::default(),
        }
    }

    /// The filesystem of host directory `dir`, refusing every change when
    /// `read_only`.
    fn get(&self, dir: &Path, read_only: bool) -> virtual_fs::Result<SharedFs> {
        let key = (dir.to_path_buf(), read_only);
        if let Some(fs) = self.lock().get(&key) {
            return Ok(fs.clone());
        }
        let host = virtual_fs::host_fs::FileSystem::new(self.handle.clone(), dir)?;
        let fs: SharedFs = if read_only {
            Arc::new(ReadOnly(Arc::new(host)))
        } else {
            Arc::new(host)
        };
        let mut known = self.lock();
        if known.len() >= HOST_DIRS {
            known.clear();
        }
        known.insert(key, fs.clone());
        Ok(fs)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(PathBuf, bool), SharedFs>> {
        self.known.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Mount and preopen every directory of the invocation.
pub(super) fn preopen(
    mut builder: WasiEnvBuilder,
    preopens: &[Preopen],
    dirs: &HostDirs,
) -> Result<WasiEnvBuilder, String> {
    let mounts = MountFileSystem::new();
    let root: SharedFs = Arc::new(TmpFileSystem::new());
    mounts
        .mount(std::path::Path::new("/"), root)
        .map_err(|e| format!("cannot set up the guest filesystem: {e}"))?;
    for (i, p) in preopens.iter().enumerate() {
        let host = dirs
            .get(&p.host, p.read_only)
            .map_err(|e| format!("cannot preopen {} as `{}`: {e}", p.host.display(), p.guest))?;
        let at = PathBuf::from(format!("/.xharness-preopen-{i}"));
        mounts
            .mount(&at, host)
            .map_err(|e| format!("cannot preopen {} as `{}`: {e}", p.host.display(), p.guest))?;
        let writable = !p.read_only;
        builder
            .add_preopen_build(|b| {
                b.directory(&at)
                    .alias(&p.guest)
                    .read(true)
                    .write(writable)
                    .create(writable)
            })
            .map_err(|e| format!("cannot preopen {} as `{}`: {e}", p.host.display(), p.guest))?;
    }
    builder.set_mount_fs(mounts);
    Ok(builder)
}

/// A host filesystem that refuses every change: wasmer-wasix does not
/// enforce a preopen's missing write rights on `path_open` with `O_CREAT`,
/// so read-only preopens are enforced here.
#[derive(Debug)]
struct ReadOnly(Arc<dyn FileSystem + Send + Sync>);

impl FileSystem for ReadOnly {
    fn readlink(&self, path: &Path) -> virtual_fs::Result<PathBuf> {
        self.0.readlink(path)
    }
    fn read_dir(&self, path: &Path) -> virtual_fs::Result<virtual_fs::ReadDir> {
        self.0.read_dir(path)
    }
    fn create_dir(&self, _: &Path) -> virtual_fs::Result<()> {
        Err(FsError::PermissionDenied)
    }
    fn remove_dir(&self, _: &Path) -> virtual_fs::Result<()> {
        Err(FsError::PermissionDenied)
    }
    fn rename<'a>(&'a self, _: &'a Path, _: &'a Path) -> BoxFuture<'a, virtual_fs::Result<()>> {
        Box::pin(async { Err(FsError::PermissionDenied) })
    }
    fn metadata(&self, path: &Path) -> virtual_fs::Result<virtual_fs::Metadata> {
        self.0.metadata(path)
    }
    fn symlink_metadata(&self, path: &Path) -> virtual_fs::Result<virtual_fs::Metadata> {
        self.0.symlink_metadata(path)
    }
    fn remove_file(&self, _: &Path) -> virtual_fs::Result<()> {
        Err(FsError::PermissionDenied)
    }
    fn new_open_options(&self) -> OpenOptions<'_> {
        OpenOptions::new(self)
    }
}

impl FileOpener for ReadOnly {
    fn open(
        &self,
        path: &Path,
        conf: &OpenOptionsConfig,
    ) -> virtual_fs::Result<Box<dyn virtual_fs::VirtualFile + Send + Sync + 'static>> {
        if conf.write || conf.create || conf.create_new || conf.append || conf.truncate {
            return Err(FsError::PermissionDenied);
        }
        self.0.new_open_options().options(conf.clone()).open(path)
    }
}
