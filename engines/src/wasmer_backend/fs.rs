//! Preopened host directories for wasmer-wasix.
//!
//! wasmer-wasix resolves preopens inside a virtual filesystem, so each host
//! directory is mounted (through `virtual_fs::host_fs`, which confines paths
//! to its root) at a private virtual path and preopened from there under
//! the name the guest asked for.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures_util::future::BoxFuture;
use virtual_fs::{
    FileOpener, FileSystem, FsError, MountFileSystem, OpenOptions, OpenOptionsConfig, TmpFileSystem,
};
use wasmer_wasix::WasiEnvBuilder;

use crate::Preopen;

/// Mount and preopen every directory of the invocation.
pub(super) fn preopen(
    mut builder: WasiEnvBuilder,
    preopens: &[Preopen],
    handle: &tokio::runtime::Handle,
) -> Result<WasiEnvBuilder, String> {
    let mounts = MountFileSystem::new();
    let root: Arc<dyn FileSystem + Send + Sync> = Arc::new(TmpFileSystem::new());
    mounts
        .mount(std::path::Path::new("/"), root)
        .map_err(|e| format!("cannot set up the guest filesystem: {e}"))?;
    for (i, p) in preopens.iter().enumerate() {
        let host = virtual_fs::host_fs::FileSystem::new(handle.clone(), &p.host)
            .map_err(|e| format!("cannot preopen {} as `{}`: {e}", p.host.display(), p.guest))?;
        let host: Arc<dyn FileSystem + Send + Sync> = if p.read_only {
            Arc::new(ReadOnly(Arc::new(host)))
        } else {
            Arc::new(host)
        };
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
