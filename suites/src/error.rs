//! The crate's one error type, [`SuiteError`], and [`Loc`], the "FILE:LINE" it points at.
//!
//! Every variant that a user can cause names the file (and line or key) at fault and
//! says what to do about it, so the CLI can print it as is.

use std::fmt;
use std::path::PathBuf;

/// A place in a suite definition: a file and, when known, a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loc {
    /// The file, as given to [`crate::load`] (made absolute).
    pub file: PathBuf,
    /// 1-based line number, when the place is known.
    pub line: Option<usize>,
}

impl Loc {
    /// A location with a line number.
    pub fn at(file: impl Into<PathBuf>, line: usize) -> Self {
        Loc {
            file: file.into(),
            line: Some(line),
        }
    }

    /// A location naming only the file.
    pub fn file(file: impl Into<PathBuf>) -> Self {
        Loc {
            file: file.into(),
            line: None,
        }
    }
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.file.display()),
            None => write!(f, "{}", self.file.display()),
        }
    }
}

/// Everything that can go wrong while resolving, reading or discovering a suite.
#[derive(Debug, thiserror::Error)]
pub enum SuiteError {
    /// A file or directory could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// What we tried to read.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },

    /// A `libtest` suite's binaries cannot be found or listed.
    #[error("{}: {message}", file.display())]
    Libtest {
        /// The suite file (or root) the binaries belong to.
        file: PathBuf,
        /// What went wrong and what to do.
        message: String,
    },

    /// `--suite NAME|PATH` matched nothing.
    #[error(
        "no suite `{arg}`: tried {}; pass a path to a suite.toml, its folder, \
         or the name of a folder under suites/ or examples/",
        list_paths(tried)
    )]
    NotFound {
        /// The argument as given.
        arg: String,
        /// Every path that was looked at, in order.
        tried: Vec<PathBuf>,
    },

    /// A built-in suite kind was named without the root it needs.
    #[error(
        "`--suite {name}` needs the tests' root folder: add `--root DIR` \
         (for GHC, the `testsuite/tests` folder of a GHC checkout; for WASI, \
         a folder of `*.wasm` tests such as `tests/c/testsuite/wasm32-wasip1`)"
    )]
    NeedsRoot {
        /// The built-in's name.
        name: String,
    },

    /// The suite file is not valid TOML, or a value has the wrong type or an unknown key.
    #[error("{loc}: {}{message}", key.as_deref().map(|k| format!("`{k}`: ")).unwrap_or_default())]
    Parse {
        /// Where the parser stopped.
        loc: Loc,
        /// Dotted key at that place, e.g. `run.timeout`, when it can be told.
        key: Option<String>,
        /// The parser's message.
        message: String,
    },

    /// A key parsed but its value is not acceptable (bad glob, regex, placeholder, ...).
    #[error("{loc}: `{key}`: {message}")]
    Invalid {
        /// Where the key is.
        loc: Loc,
        /// Dotted key, e.g. `run.args` or `expect.wasmer."io/flaky"`.
        key: String,
        /// What is wrong and what to do.
        message: String,
    },

    /// The suite root is missing or not a directory.
    #[error(
        "suite root {} (from {origin}) is not a readable directory: {source}; \
         point it at the folder holding the test sources",
        root.display()
    )]
    BadRoot {
        /// The root as resolved (absolute).
        root: PathBuf,
        /// Where the root came from, e.g. "`root` at FILE:LINE" or "--root".
        origin: String,
        /// Why it could not be used.
        source: std::io::Error,
    },

    /// The include globs matched no file.
    #[error(
        "{}: suite `{name}` has no cases: no file under {} matches include {include:?} \
         (minus exclude); check `root` and `include`",
        file.display(),
        root.display()
    )]
    NoCases {
        /// The suite file.
        file: PathBuf,
        /// The suite's name.
        name: String,
        /// The absolute root that was walked.
        root: PathBuf,
        /// The include globs as written.
        include: Vec<String>,
    },

    /// Two source files map to the same case name (e.g. `a.c` and `a.wat`).
    #[error(
        "{}: two files give the case name `{name}`: {} and {}; \
         rename one or narrow `include`/`exclude`",
        file.display(),
        first.display(),
        second.display()
    )]
    DuplicateCase {
        /// The suite file.
        file: PathBuf,
        /// The shared case name.
        name: String,
        /// The first source file.
        first: PathBuf,
        /// The second source file.
        second: PathBuf,
    },

    /// A per-case sidecar file (`NAME.exit`, `NAME.args`) has bad content.
    #[error("{}: {message}", file.display())]
    Sidecar {
        /// The sidecar file.
        file: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },

    /// Walking the suite root failed.
    #[error("cannot walk {}: {source}", root.display())]
    Walk {
        /// The root being walked.
        root: PathBuf,
        /// The walker's reason.
        source: walkdir::Error,
    },

    /// A path the suite depends on is not UTF-8, so it cannot name a case or fill a placeholder.
    #[error("{}: path is not valid UTF-8; rename it", path.display())]
    NonUtf8Path {
        /// The offending path.
        path: PathBuf,
    },

    /// A template passed to [`crate::expand`] is malformed or names an unknown placeholder.
    #[error("template {template:?}: {message}")]
    Template {
        /// The template as given.
        template: String,
        /// What is wrong, including the known placeholders.
        message: String,
    },
}

fn list_paths(paths: &[PathBuf]) -> String {
    let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    shown.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loc_displays_line_when_known() {
        assert_eq!(Loc::at("a/suite.toml", 7).to_string(), "a/suite.toml:7");
        assert_eq!(Loc::file("a/suite.toml").to_string(), "a/suite.toml");
    }

    #[test]
    fn not_found_lists_every_try() {
        let err = SuiteError::NotFound {
            arg: "x".into(),
            tried: vec!["/a/x".into(), "/a/suites/x/suite.toml".into()],
        };
        let text = err.to_string();
        assert!(text.contains("/a/x, /a/suites/x/suite.toml"), "{text}");
    }
}
