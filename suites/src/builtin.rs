//! What the built-in suite kinds (`ghc-testsuite`, `wasi-testsuite`)
//! share: the `[run]` table of their suite files, and finding that
//! (optional) file from `--root` alone.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::SuiteError;
use crate::source::SourceFile;
use crate::units::{ByteSize, Seconds};

/// `[run]` of a built-in kind's suite file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRun {
    pub timeout: Option<Seconds>,
    pub max_memory: Option<ByteSize>,
    pub max_output: Option<ByteSize>,
    pub retries: Option<u32>,
}

/// Just the `kind` key.
#[derive(Debug, Deserialize)]
struct Kind {
    kind: Option<String>,
}

/// The canonical `--root` and, if `root` or its parent holds a
/// `suite.toml` whose `kind` is `kind`, that file.
pub(crate) fn locate(root: &Path, kind: &str) -> Result<(PathBuf, Option<SourceFile>), SuiteError> {
    let bad = |root: PathBuf, source| SuiteError::BadRoot {
        root,
        origin: "the root given with --root".into(),
        source,
    };
    let canonical = std::fs::canonicalize(root).map_err(|e| bad(root.to_path_buf(), e))?;
    if !canonical.is_dir() {
        return Err(bad(canonical, std::io::Error::other("not a directory")));
    }
    let dirs: Vec<PathBuf> = [Some(canonical.as_path()), canonical.parent()]
        .into_iter()
        .flatten()
        .map(Path::to_path_buf)
        .collect();
    for dir in dirs {
        let candidate = dir.join(crate::SUITE_FILE);
        if candidate.is_file() {
            let file = SourceFile::read(candidate)?;
            let probe: Kind = file.parse()?;
            if probe.kind.as_deref() == Some(kind) {
                return Ok((canonical, Some(file)));
            }
        }
    }
    Ok((canonical, None))
}

/// `expectations = [...]` of a suite file: each entry a folder or `ENGINE=FILE`,
/// its path made absolute against the file's folder.
pub(crate) fn expectation_paths(file: &Path, entries: &[String]) -> Vec<String> {
    let dir = file.parent().unwrap_or(Path::new("."));
    entries
        .iter()
        .map(|e| match e.split_once('=') {
            Some((engine, path)) if !engine.contains('/') => {
                format!("{engine}={}", dir.join(path).display())
            }
            _ => dir.join(e).display().to_string(),
        })
        .collect()
}
