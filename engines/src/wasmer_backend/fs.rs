//! Preopened host directories for wasmer-wasix.
//!
//! wasmer-wasix resolves preopens inside a virtual filesystem, so each host
//! directory is mounted (through `virtual_fs::host_fs`, which confines paths
//! to its root) at a private virtual path and preopened from there under
//! the name the guest asked for.

use std::path::PathBuf;
use std::sync::Arc;

use virtual_fs::{FileSystem, MountFileSystem, TmpFileSystem};
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
    mounts.mount(std::path::Path::new("/"), root).map_err(|e| format!("cannot set up the guest filesystem: {e}"))?;
    for (i, p) in preopens.iter().enumerate() {
        let host = virtual_fs::host_fs::FileSystem::new(handle.clone(), &p.host)
            .map_err(|e| format!("cannot preopen {} as `{}`: {e}", p.host.display(), p.guest))?;
        let at = PathBuf::from(format!("/.xharness-preopen-{i}"));
        mounts
            .mount(&at, Arc::new(host))
            .map_err(|e| format!("cannot preopen {} as `{}`: {e}", p.host.display(), p.guest))?;
        let writable = !p.read_only;
        builder
            .add_preopen_build(|b| {
                b.directory(&at).alias(&p.guest).read(true).write(writable).create(writable)
            })
            .map_err(|e| format!("cannot preopen {} as `{}`: {e}", p.host.display(), p.guest))?;
    }
    builder.set_mount_fs(mounts);
    Ok(builder)
}
