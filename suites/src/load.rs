//! Entry points: find a suite file ([`resolve`]), read its `kind`, and hand it to the
//! module for that kind ([`load`], [`load_with_root`]).

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::Suite;
use crate::error::SuiteError;
use crate::source::SourceFile;

/// The file name of a generic suite definition.
pub const SUITE_FILE: &str = "suite.toml";

/// Folders under the working directory where suites are looked up by name.
pub const SUITE_DIRS: [&str; 2] = ["suites", "examples"];

/// The kinds this crate reads, as the `kind` key spells them.
const KINDS: &str = "\"generic\", \"ghc-testsuite\", \"wasi-testsuite\", \"libtest\"";

/// Just the `kind` key, read before choosing which module parses the rest.
#[derive(Debug, Deserialize)]
struct KindProbe {
    kind: Option<Spanned<String>>,
}

/// A loaded definition: a suite ready to run, or a `libtest` plan whose
/// cases the harness gets by listing its binaries first.
#[derive(Debug, Clone)]
pub enum Definition {
    /// Every kind whose cases are known from files.
    Suite(Suite),
    /// A `libtest` suite; see [`crate::libtest`].
    Libtest(crate::libtest::Plan),
}

/// Load a suite from a `suite.toml` file or a directory containing one.
pub fn load(path: &Path) -> Result<Suite, SuiteError> {
    load_with_root(path, None)
}

/// Like [`load`], but `root` (e.g. the CLI's `--root DIR`) replaces the file's `root` key.
///
/// A relative `root` is taken relative to the current working directory.
/// A `libtest` suite is an error here: its cases need its binaries run
/// (see [`load_definition`]).
pub fn load_with_root(path: &Path, root: Option<&Path>) -> Result<Suite, SuiteError> {
    match load_definition(path, root)? {
        Definition::Suite(suite) => Ok(suite),
        Definition::Libtest(plan) => Err(needs_listing(&plan)),
    }
}

fn needs_listing(plan: &crate::libtest::Plan) -> SuiteError {
    SuiteError::Libtest {
        file: plan.file.clone(),
        message: "a libtest suite's cases come from running its binaries' --list; run it with \
                  the xharness CLI or `xharness::libtest::main`"
            .into(),
    }
}

/// What the command line changes in a suite as it is loaded.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions<'a> {
    /// `--root DIR`: replaces the file's `root`.
    pub root: Option<&'a Path>,
    /// `--ways a,b` (GHC's testsuite): only these ways run, each added to
    /// the configured ones where missing. Empty: the configured ways.
    pub ways: &'a [String],
}

/// Load any kind of suite file (or a directory containing `suite.toml`).
pub fn load_definition(path: &Path, root: Option<&Path>) -> Result<Definition, SuiteError> {
    load_definition_with(path, &LoadOptions { root, ways: &[] })
}

/// As [`load_definition`], with the command line's [`LoadOptions`].
pub fn load_definition_with(path: &Path, opts: &LoadOptions) -> Result<Definition, SuiteError> {
    let root = opts.root;
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
        return crate::generic::load(&file, root).map(Definition::Suite);
    };
    let other = kind.get_ref();
    if other == crate::ghc::BUILTIN_NAME {
        return crate::ghc::load(&file, root, opts.ways).map(Definition::Suite);
    }
    if other == crate::wasi::BUILTIN_NAME {
        return crate::wasi::load(&file, root).map(Definition::Suite);
    }
    if other == crate::libtest::BUILTIN_NAME {
        return crate::libtest::load(&file, root).map(Definition::Libtest);
    }
    let message = format!("unknown suite kind {other:?}; supported kinds: {KINDS}");
    Err(file.invalid(kind, "kind", message))
}

/// The built-in suite `--suite NAME` means when no file of that name is
/// found: `ghc-testsuite` (see [`crate::ghc::load_builtin`]) or
/// `wasi-testsuite` (see [`crate::wasi::load_builtin`]), each of which needs
/// `--root`. `None` when `name` is not a built-in.
pub fn load_builtin(name: &str, root: Option<&Path>) -> Option<Result<Suite, SuiteError>> {
    builtin_definition(name, root).map(|d| match d? {
        Definition::Suite(suite) => Ok(suite),
        Definition::Libtest(plan) => Err(needs_listing(&plan)),
    })
}

/// As [`load_builtin`], for every built-in kind: `libtest` (see
/// [`crate::libtest::load_builtin`]) takes the working directory when no
/// root is given.
pub fn builtin_definition(
    name: &str,
    root: Option<&Path>,
) -> Option<Result<Definition, SuiteError>> {
    builtin_definition_with(name, &LoadOptions { root, ways: &[] })
}

/// As [`builtin_definition`], with the command line's [`LoadOptions`].
pub fn builtin_definition_with(
    name: &str,
    opts: &LoadOptions,
) -> Option<Result<Definition, SuiteError>> {
    let root = opts.root;
    if name == crate::libtest::BUILTIN_NAME {
        let root = root.unwrap_or(Path::new("."));
        return Some(crate::libtest::load_builtin(root).map(Definition::Libtest));
    }
    let ways = opts.ways;
    let loader = |root: &Path| match name {
        crate::ghc::BUILTIN_NAME => crate::ghc::load_builtin_with(root, ways),
        _ => crate::wasi::load_builtin(root),
    };
    if name != crate::ghc::BUILTIN_NAME && name != crate::wasi::BUILTIN_NAME {
        return None;
    }
    Some(match root {
        Some(root) => loader(root).map(Definition::Suite),
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

    /// A folder with `examples/c-basic/suite.toml` and `mine/other.toml`.
    fn workspace() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("a temporary folder for the workspace");
        let make = |rel: &str| {
            let path = dir.path().join(rel);
            fs::create_dir_all(path.parent().expect("parent"))
                .and_then(|()| fs::write(&path, ""))
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        };
        make("examples/c-basic/suite.toml");
        make("mine/other.toml");
        dir
    }

    #[test]
    fn resolves_names_folders_and_files() {
        let ws = workspace();
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
        let ws = workspace();
        let err = resolve("nope", ws.path())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("suites/nope/suite.toml"), "{err}");
        assert!(err.contains("examples/nope/suite.toml"), "{err}");
    }

    #[test]
    fn unknown_kinds_list_the_known_ones() {
        let ws = workspace();
        let path = ws.path().join("k.toml");
        fs::write(&path, "name = \"x\"\nkind = \"wasi\"\n").expect("write k.toml");
        let err = load(&path).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.ends_with("k.toml:2: `kind`: unknown suite kind \"wasi\"; supported kinds: \"generic\", \"ghc-testsuite\", \"wasi-testsuite\", \"libtest\""), "{err}");
    }

    #[test]
    fn missing_file_names_it() {
        let err = load(Path::new("/no/such/suite.toml"))
            .err()
            .map(|e| e.to_string());
        assert!(err.unwrap_or_default().contains("/no/such/suite.toml"));
    }
}
