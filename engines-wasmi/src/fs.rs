//! Preopened directories for wasi-common, read-only ones included
//! (wasi-common has no permission switch, so a read-only directory is a
//! wrapper that refuses every change).

use std::any::Any;
use std::path::PathBuf;

use wasmi_wasi::wasi_common::dir::{OpenResult, ReaddirCursor, ReaddirEntity};
use wasmi_wasi::wasi_common::file::{FdFlags, Filestat, OFlags};
use wasmi_wasi::wasi_common::sync::{Dir, ambient_authority};
use wasmi_wasi::wasi_common::{ErrorExt, SystemTimeSpec};
use wasmi_wasi::{Error, WasiCtx, WasiDir};
use xharness_engines::Preopen;

/// Preopen every directory, in order (the guest's fd 3, 4, ...).
pub(crate) fn preopen(ctx: &WasiCtx, preopens: &[Preopen]) -> Result<(), String> {
    for p in preopens {
        let cant = |e: &dyn std::fmt::Display| {
            format!("cannot preopen {} as `{}`: {e}", p.host.display(), p.guest)
        };
        let dir = Dir::open_ambient_dir(&p.host, ambient_authority()).map_err(|e| cant(&e))?;
        let dir: Box<dyn WasiDir> =
            Box::new(wasmi_wasi::wasi_common::sync::dir::Dir::from_cap_std(dir));
        let dir = if p.read_only {
            Box::new(ReadOnly(dir))
        } else {
            dir
        };
        ctx.push_preopened_dir(dir, &p.guest)
            .map_err(|e| cant(&e))?;
    }
    Ok(())
}

/// A directory the guest can read but not change.
struct ReadOnly(Box<dyn WasiDir>);

#[async_trait::async_trait]
impl WasiDir for ReadOnly {
    fn as_any(&self) -> &dyn Any {
        self
    }

    async fn open_file(
        &self,
        symlink_follow: bool,
        path: &str,
        oflags: OFlags,
        read: bool,
        write: bool,
        fdflags: FdFlags,
    ) -> Result<OpenResult, Error> {
        let changes = OFlags::CREATE | OFlags::TRUNCATE | OFlags::EXCLUSIVE;
        if write || oflags.intersects(changes) || fdflags.contains(FdFlags::APPEND) {
            return Err(Error::perm());
        }
        match self
            .0
            .open_file(symlink_follow, path, oflags, read, false, fdflags)
            .await?
        {
            OpenResult::Dir(d) => Ok(OpenResult::Dir(Box::new(ReadOnly(d)))),
            file => Ok(file),
        }
    }

    async fn create_dir(&self, _path: &str) -> Result<(), Error> {
        Err(Error::perm())
    }

    async fn readdir(
        &self,
        cursor: ReaddirCursor,
    ) -> Result<Box<dyn Iterator<Item = Result<ReaddirEntity, Error>> + Send>, Error> {
        self.0.readdir(cursor).await
    }

    async fn symlink(&self, _old_path: &str, _new_path: &str) -> Result<(), Error> {
        Err(Error::perm())
    }

    async fn remove_dir(&self, _path: &str) -> Result<(), Error> {
        Err(Error::perm())
    }

    async fn unlink_file(&self, _path: &str) -> Result<(), Error> {
        Err(Error::perm())
    }

    async fn read_link(&self, path: &str) -> Result<PathBuf, Error> {
        self.0.read_link(path).await
    }

    async fn get_filestat(&self) -> Result<Filestat, Error> {
        self.0.get_filestat().await
    }

    async fn get_path_filestat(
        &self,
        path: &str,
        follow_symlinks: bool,
    ) -> Result<Filestat, Error> {
        self.0.get_path_filestat(path, follow_symlinks).await
    }

    async fn rename(
        &self,
        _path: &str,
        _dest_dir: &dyn WasiDir,
        _dest_path: &str,
    ) -> Result<(), Error> {
        Err(Error::perm())
    }

    async fn hard_link(
        &self,
        _path: &str,
        _target_dir: &dyn WasiDir,
        _target_path: &str,
    ) -> Result<(), Error> {
        Err(Error::perm())
    }

    async fn set_times(
        &self,
        _path: &str,
        _atime: Option<SystemTimeSpec>,
        _mtime: Option<SystemTimeSpec>,
        _follow_symlinks: bool,
    ) -> Result<(), Error> {
        Err(Error::perm())
    }
}
