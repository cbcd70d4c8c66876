//! Entry points: find a suite file ([`resolve`]), read its `kind`, and hand it to the
//! module for that kind ([`load`], [`load_with_root`]).

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::error::SuiteError;
use crate::model::Suite;
use crate::source::SourceFile;

/// The file name of a generic suite definition.
pub const SUITE_FILE: &str = "suite.toml";

/// Folders under the working directory where suites are looked up by name.
pub const SUITE_DIRS: [&str; 2] = ["suites", "examples"];

/// The kinds this crate reads, as the `kind` key spells them.
const KINDS: &str = "\"generic\", \"ghc-testsuite\", \"wasi-testsuite\"";

/// Just the `kind` key, read before choosing which module parses the rest.
#[derive(Debug, Deserialize)]
struct KindProbe {
    kind: Option<Spanned<String>>,
}

/// Load a suite from a `suite.toml` file or a directory containing one.
pub fn load(path: &Path) -> Result<Suite, SuiteError> {
    load_with_root(path, None)
}

/// Like [`load`], but `root` (e.g. the CLI's `--root DIR`) replaces the file's `root` key.
///
/// A relative `root` is taken relative to the current working directory.
pub fn load_with_root(path: &Path, root: Option<&Path>) -> Result<Suite, SuiteError> {
    let path = if path.is_dir() {
        path.join(SUITE_FILE)
    } else {
        path.to_path_buf()
    };
    let absolute =
        std::fs::canonicalize(&path).map_err(|source| SuiteError::Io { path, source })?;
    let file = SourceFile::read(absolute)?;
    let probe: KindProbe = file.parse()?;
    let Some(kind) = probe.kind.as_ref().filter(|k| k.get_ref() != "generic") else {
        return crate::generic::load(&file, root);
    };
    let other = kind.get_ref();
    if other == crate::ghc::BUILTIN_NAME {
        return crate::ghc::load(&file, root);
    }
    if other == crate::wasi::BUILTIN_NAME {
        return crate::wasi::load(&file, root);
    }
    let message = format!("unknown suite kind {other:?}; supported kinds: {KINDS}");
    Err(file.invalid(kind, "kind", message))
}

/// The built-in suite `--suite NAME` means when no file of that name is
/// found: `ghc-testsuite` (see [`crate::ghc::load_builtin`]) or
/// `wasi-testsuite` (see [`crate::wasi::load_builtin`]), each of which needs
/// `--root`. `None` when `name` is not a built-in.
pub fn load_builtin(name: &str, root: Option<&Path>) -> Option<Result<Suite, SuiteError>> {
    let loader: fn(&Path) -> Result<Suite, SuiteError> = match name {
        crate::ghc::BUILTIN_NAME => crate::ghc::load_builtin,
        crate::wasi::BUILTIN_NAME => crate::wasi::load_builtin,
        _ => return None,
    };
    Some(match root {
        Some(root) => loader(root),
        None => Err(SuiteError::NeedsRoot {
            name: name.to_owned(),
        }),
    })
}

/// Find the suite file meant by `--suite NAME|PATH`.
///
/// Tried in order: `ARG` (relative to `cwd`) as a file; `ARG/suite.toml`; then
/// `cwd/suites/ARG/suite.toml` and `cwd/examples/ARG/suite.toml`. The error lists
/// every path tried.
pub fn resolve(arg: &str, cwd: &Path) -> Result<PathBuf, SuiteError> {
    let direct = cwd.join(arg);
    let mut tried = vec![direct.clone(), direct.join(SUITE_FILE)];
    tried.extend(
        SUITE_DIRS
            .iter()
            .map(|d| cwd.join(d).join(arg).join(SUITE_FILE)),
    );
    match tried.iter().find(|p| p.is_file()) {
        Some(found) => Ok(found.clone()),
        None => Err(SuiteError::NotFound {
            arg: arg.to_owned(),
            tried,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn workspace() -> Option<tempfile::TempDir> {
        let dir = tempfile::tempdir().ok()?;
        fs::create_dir_all(dir.path().join("examples/c-basic")).ok()?;
        fs::write(dir.path().join("examples/c-basic/suite.toml"), "").ok()?;
        fs::create_dir_all(dir.path().join("mine")).ok()?;
        fs::write(dir.path().join("mine/other.toml"), "").ok()?;
        Some(dir)
    }

    #[test]
    fn resolves_names_folders_and_files() {
        let Some(ws) = workspace() else { return };
        let cwd = ws.path();
        let by_name = cwd.join("examples/c-basic/suite.toml");
        assert_eq!(resolve("c-basic", cwd).ok(), Some(by_name.clone()));
        assert_eq!(resolve("examples/c-basic", cwd).ok(), Some(by_name.clone()));
        let abs = by_name.to_string_lossy().into_owned();
        assert_eq!(resolve(&abs, Path::new("/elsewhere")).ok(), Some(by_name));
        assert_eq!(
            resolve("mine/other.toml", cwd).ok(),
            Some(cwd.join("mine/other.toml"))
        );
    }

    #[test]
    fn resolve_error_lists_tries() {
        let Some(ws) = workspace() else { return };
        let err = resolve("nope", ws.path())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("suites/nope/suite.toml"), "{err}");
        assert!(err.contains("examples/nope/suite.toml"), "{err}");
    }

    #[test]
    fn unknown_kinds_list_the_known_ones() {
        let Some(ws) = workspace() else { return };
        let path = ws.path().join("k.toml");
        assert!(fs::write(&path, "name = \"x\"\nkind = \"wasi\"\n").is_ok());
        let err = load(&path).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.ends_with("k.toml:2: `kind`: unknown suite kind \"wasi\"; supported kinds: \"generic\", \"ghc-testsuite\", \"wasi-testsuite\""), "{err}");
    }

    #[test]
    fn missing_file_names_it() {
        let err = load(Path::new("/no/such/suite.toml"))
            .err()
            .map(|e| e.to_string());
        assert!(err.unwrap_or_default().contains("/no/such/suite.toml"));
    }
}
