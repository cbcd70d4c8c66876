//! Suite archives: build once, run anywhere. `xharness archive` discovers
//! and compiles a suite once and writes one `.tar.zst`; `xharness
//! --archive FILE` runs from it on a machine with neither the toolchain
//! nor the source tree.
//!
//! An archive holds:
//! - `manifest.json`: the format, the xharness version, the suite (name,
//!   kind, normalisation, retries, baselines) and every selected case with
//!   every field a run needs, its paths relative to the archive;
//! - `modules/SHA.wasm`: each compiled module once, by content;
//! - `built/N.json`: how a compile-only case's compile ended (or why a
//!   case did not compile), as the run judges it;
//! - `tree/…`: goldens, sidecars, stdin files, `extra_files`, input
//!   directories, baselines: every file a case names, under `tree/root/`
//!   for the suite's root and `tree/abs/` for the rest;
//! - `native/…`: with `--precompile`, native code for the engines named,
//!   laid out as the module cache lays it out.
//!
//! The archive is deterministic: entries in path order, times, owners and
//! modes fixed, one zstd stream. It is unpacked once per content into the
//! cache ([`open`]), which concurrent runs share.
//!
//! - `write`: discovering's results into an archive.
//! - `open`: an archive back into a `Suite` to run.

mod open;
mod write;

pub use open::open;
pub use write::{Build, Written, write};

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use xharness_suites::{Case, Normalize};

/// The manifest format this xharness writes and reads.
pub const FORMAT: u32 = 1;

/// The archive's table of contents.
#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    /// [`FORMAT`] when written.
    format: u32,
    /// The xharness version that wrote it.
    xharness: String,
    /// The suite, without its cases.
    suite: SuiteInfo,
    /// The selected cases; paths relative to the archive.
    cases: Vec<Case>,
    /// Engines whose native code is in `native/`.
    precompiled: Vec<String>,
}

/// What a run needs of the suite besides its cases.
#[derive(Debug, Serialize, Deserialize)]
struct SuiteInfo {
    name: String,
    kind: String,
    /// The suite file on the machine that wrote the archive (runs key
    /// their `--failed` state on it).
    file: PathBuf,
    normalize: Normalize,
    retries: u32,
    /// Baselines of the suite file, relative to the archive.
    expectations: Vec<String>,
}

/// Where a host path goes in the archive: under `tree/root/` when it is
/// inside the suite's root, else under `tree/abs/`.
fn archived(path: &Path, root: &Path) -> PathBuf {
    match path.strip_prefix(root) {
        Ok(rel) => Path::new("tree/root").join(rel),
        Err(_) => {
            let rel: PathBuf = path
                .components()
                .filter(|c| matches!(c, std::path::Component::Normal(_)))
                .collect();
            Path::new("tree/abs").join(rel)
        }
    }
}
