//! The plain data this crate hands to the harness: [`Suite`], [`Case`] and their parts.
//!
//! Nothing here refers back to the suite file or to any other crate's state; every path
//! is absolute and every placeholder except `{out}` is already expanded.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::case::{Case, Normalize};
use crate::template::Vars;

/// A loaded suite: where it came from, how to compile its cases, and the cases themselves.
#[derive(Debug, Clone)]
pub struct Suite {
    /// The suite's `name` key.
    pub name: String,
    /// Which kind of definition it was read from.
    pub kind: SuiteKind,
    /// The definition file (e.g. the absolute path of `suite.toml`).
    pub file: PathBuf,
    /// Absolute directory the include/exclude globs are matched under.
    pub root: PathBuf,
    /// How each case's source becomes a wasm module.
    pub toolchain: Toolchain,
    /// How outputs are normalised before they are compared with the goldens.
    pub normalize: Normalize,
    /// Every case, sorted by name.
    pub cases: Vec<Case>,
    /// How many more times a failing job is run (`[run] retries`); a job
    /// that then passes is flaky.
    pub retries: u32,
    /// Problems found while discovering that did not stop it (e.g. a `.T`
    /// statement that could not be evaluated), each naming file and line.
    pub warnings: Vec<String>,
    /// Baseline files from the suite file's `expectations = [...]`, resolved
    /// against its folder: a folder of `ENGINE.toml` files, or `ENGINE=FILE`
    /// (in the WASI testsuite's expectation format; read by the harness).
    pub expectations: Vec<String>,
    /// Every engine name the suite file itself uses (`[expect.ENGINE]`),
    /// with its place, for the harness to check against its registry.
    pub engine_keys: Vec<EngineKey>,
    /// Files the cases need that exist nowhere yet (a WASI spec's expected
    /// output, given inline in its JSON). Discovery only reads: their
    /// paths are relative until [`Suite::place_derived`] puts them in a
    /// folder the harness owns, and the harness writes them.
    pub derived: Vec<DerivedFile>,
}

/// A file made from a suite's data rather than found in its tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DerivedFile {
    /// Where it goes: relative (named by its content) until placed.
    pub path: PathBuf,
    /// Its text.
    pub text: String,
}

/// An engine name written in a suite file, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineKey {
    /// The engine's name as written.
    pub engine: String,
    /// The TOML key it appears in (`expect.wasmer`).
    pub key: String,
    /// File and line.
    pub loc: crate::error::Loc,
}

/// The kinds of suite definition this crate can read; one module each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuiteKind {
    /// `suite.toml` with include globs; see [`crate::generic`].
    Generic,
    /// GHC's testsuite layout: `*.T` files; see [`crate::ghc`].
    GhcTestsuite,
    /// The WASI testsuite layout: `*.wasm` with `NAME.json` specs; see [`crate::wasi`].
    WasiTestsuite,
    /// The tests inside Rust test binaries; see [`crate::libtest`].
    Libtest,
}

impl SuiteKind {
    /// The spelling used in the `kind` key.
    pub fn as_str(self) -> &'static str {
        match self {
            SuiteKind::Generic => "generic",
            SuiteKind::GhcTestsuite => "ghc-testsuite",
            SuiteKind::WasiTestsuite => "wasi-testsuite",
            SuiteKind::Libtest => "libtest",
        }
    }
}

/// How a case's source file becomes a wasm module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Toolchain {
    /// Run an external command; expand `template` with [`crate::expand`] and `out` set.
    Command {
        /// The command line, with placeholders (always contains `{out}`).
        template: String,
        /// How long one compile may take.
        timeout: Duration,
        /// Run through `sh -c` instead of splitting on whitespace.
        shell: bool,
    },
    /// The source is WAT text, compiled in-process.
    BuiltinWat,
    /// The source is already a binary module and is used as is.
    BuiltinWasm,
    /// Built ahead of time (a suite archive): a case's source is its
    /// module (`.wasm`), or a JSON record of how its compile ended.
    Archived,
}

impl Suite {
    /// Cases whose name contains any filter (or equals one, if `exact`); no filters = all.
    pub fn filter(&self, filters: &[String], exact: bool) -> Vec<&Case> {
        self.cases
            .iter()
            .filter(|case| {
                filters.is_empty()
                    || filters.iter().any(|f| {
                        if exact {
                            case.name == *f
                        } else {
                            case.name.contains(f.as_str())
                        }
                    })
            })
            .collect()
    }

    /// Place the derived files under `dir`: each case path (golden or
    /// stdin) that names one becomes the file under `dir`. Returns the
    /// files, with their new paths, for the caller to write; this does no
    /// I/O.
    pub fn place_derived(&mut self, dir: &Path) -> Vec<DerivedFile> {
        let derived = std::mem::take(&mut self.derived);
        let names: std::collections::BTreeSet<PathBuf> =
            derived.iter().map(|f| f.path.clone()).collect();
        let relocate = |p: &mut PathBuf| {
            if names.contains(p) {
                *p = dir.join(&*p);
            }
        };
        for case in &mut self.cases {
            relocate(&mut case.expect.golden_stdout);
            relocate(&mut case.expect.golden_stderr);
            if let Some(stdin) = case.run.stdin.as_mut() {
                relocate(stdin);
            }
        }
        derived
            .into_iter()
            .map(|f| DerivedFile {
                path: dir.join(&f.path),
                text: f.text,
            })
            .collect()
    }

    /// Placeholder values for `case` in this suite, with `{out}` unset.
    pub fn vars<'a>(&'a self, case: &'a Case) -> Vars<'a> {
        case.vars(&self.root)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    use super::*;
    use crate::{CaseExpect, CaseKind, CaseRun, CaseSource, Mode};

    fn case(name: &str) -> Case {
        Case {
            name: name.into(),
            source: CaseSource {
                src: PathBuf::from(format!("/s/{name}.c")),
                dir: PathBuf::from("/s"),
                stem: name.rsplit('/').next().unwrap_or(name).into(),
            },
            run: CaseRun {
                args: vec![],
                env: vec![],
                dirs: vec![],
                stdin: None,
                timeout: Duration::from_secs(10),
                max_memory: 1 << 30,
                max_output: 1 << 20,
                scratch: true,
                combine_output: false,
            },
            expect: CaseExpect {
                exit_code: 0,
                golden_stdout: PathBuf::from("/s/x.stdout"),
                golden_stderr: PathBuf::from("/s/x.stderr"),
                engines: BTreeMap::new(),
                mode: Mode::CompileAndRun,
                normalize: None,
                ignore_stdout: false,
                ignore_stderr: false,
            },
            info: vec![],
            kind: CaseKind::Generic { native: vec![] },
        }
    }

    fn suite(names: &[&str]) -> Suite {
        Suite {
            retries: 0,
            warnings: vec![],
            expectations: vec![],
            engine_keys: vec![],
            derived: vec![],
            name: "t".into(),
            kind: SuiteKind::Generic,
            file: "/s/suite.toml".into(),
            root: "/s".into(),
            toolchain: Toolchain::BuiltinWasm,
            normalize: Normalize {
                normalize_crlf: true,
                ..Normalize::default()
            },
            cases: names.iter().map(|n| case(n)).collect(),
        }
    }

    fn names(cases: Vec<&Case>) -> Vec<&str> {
        cases.into_iter().map(|c| c.name.as_str()).collect()
    }

    #[test]
    fn no_filter_keeps_all() {
        let s = suite(&["a/x", "b/y"]);
        assert_eq!(names(s.filter(&[], false)), ["a/x", "b/y"]);
        assert_eq!(names(s.filter(&[], true)), ["a/x", "b/y"]);
    }

    #[test]
    fn substring_filter_matches_any() {
        let s = suite(&["stdout/hello", "stderr/hello", "exit/code3"]);
        assert_eq!(
            names(s.filter(&["hello".into()], false)),
            ["stdout/hello", "stderr/hello"]
        );
        let both = ["exit".to_string(), "stdout/".to_string()];
        assert_eq!(
            names(s.filter(&both, false)),
            ["stdout/hello", "exit/code3"]
        );
    }

    #[test]
    fn exact_filter_needs_equality() {
        let s = suite(&["stdout/hello", "stdout/hello2"]);
        assert_eq!(
            names(s.filter(&["stdout/hello".into()], true)),
            ["stdout/hello"]
        );
        assert!(s.filter(&["hello".into()], true).is_empty());
    }

    #[test]
    fn vars_come_from_the_case() {
        let s = suite(&["a/x"]);
        let v = s.vars(&s.cases[0]);
        assert_eq!(v.name, "a/x");
        assert_eq!(v.root, Path::new("/s"));
        assert!(v.out.is_none());
    }
}
