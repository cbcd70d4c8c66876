//! The plain data this crate hands to the harness: [`Suite`], [`Case`] and their parts.
//!
//! Nothing here refers back to the suite file or to any other crate's state; every path
//! is absolute and every placeholder except `{out}` is already expanded.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

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

/// The key of [`Case::expect`] that applies to every engine (an expectation
/// a `.T` file, `#[ignore]` or a WASI spec gives, not one engine's).
pub const ANY_ENGINE: &str = "*";

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
}

/// Normalisation applied to both actual and expected output before comparing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Normalize {
    /// `(regex, replacement)` pairs, applied in order; every regex is known to compile.
    pub rules: Vec<(String, String)>,
    /// Strip spaces and tabs at line ends.
    pub trim_trailing_whitespace: bool,
    /// Turn CRLF into LF.
    pub normalize_crlf: bool,
    /// Compare with every run of whitespace (newlines included) made one
    /// space, as GHC's driver compares stderr.
    pub collapse_whitespace: bool,
}

/// Normalisation chosen for one case, per stream.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct StreamNormalize {
    /// For stdout.
    pub stdout: Normalize,
    /// For stderr (and a compile-only case's compiler output).
    pub stderr: Normalize,
}

/// How a case is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Compile, run on the engine, compare the exit code and the outputs.
    #[default]
    CompileAndRun,
    /// Compile only: the compiler must succeed; its output (stdout then
    /// stderr) is compared with the stderr golden.
    Compile,
    /// The compiler must fail; its output is compared with the stderr golden.
    CompileFail,
}

impl Mode {
    /// Whether the case stops after the compile.
    pub fn compile_only(self) -> bool {
        self != Mode::CompileAndRun
    }
}

/// A file (or directory) copied into a case's private work directory
/// before it is compiled and run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// Absolute host path.
    pub host: PathBuf,
    /// Relative path inside the work directory.
    pub dest: String,
}

/// One test: a source file plus everything needed to run it and judge its output.
#[derive(Debug, Clone)]
pub struct Case {
    /// Path under the suite root without extension, '/'-separated, e.g. `stdout/hello`.
    pub name: String,
    /// Absolute path of the source file.
    pub src: PathBuf,
    /// Absolute directory holding the source file.
    pub dir: PathBuf,
    /// File name without extension.
    pub stem: String,
    /// Arguments after argv\[0\]: the suite's `run.args`, then the lines of `STEM.args`.
    pub args: Vec<String>,
    /// Environment variables, sorted by key.
    pub env: Vec<(String, String)>,
    /// Host directories to pre-open in the guest.
    pub dirs: Vec<DirMapping>,
    /// File to feed as stdin; a missing file means empty stdin. `None` means no stdin file.
    pub stdin: Option<PathBuf>,
    /// Expected exit code (`STEM.exit` overrides `run.exit_code`).
    pub exit_code: i32,
    /// Wall-clock limit for one run.
    pub timeout: Duration,
    /// Linear-memory limit in bytes.
    pub max_memory: u64,
    /// Cap on captured bytes per output stream.
    pub max_output: usize,
    /// Expected stdout; a missing file means "expected empty".
    pub golden_stdout: PathBuf,
    /// Expected stderr; a missing file means "expected empty".
    pub golden_stderr: PathBuf,
    /// Per-engine expectations; [`ANY_ENGINE`] applies to every engine an
    /// entry of its own does not name, and an engine absent from the map is
    /// expected to pass. Read it with [`Case::expectation`].
    pub expect: BTreeMap<String, Expectation>,
    /// How the case is judged.
    pub mode: Mode,
    /// Files copied into the case's work directory before compiling and
    /// running. When not empty, the compile runs in a private directory
    /// holding these copies (`{src}` is the copy of the source), and the
    /// compile's cache key covers every one of them.
    pub inputs: Vec<Input>,
    /// The `{flags}` placeholder: extra toolchain flags for this case.
    pub flags: String,
    /// Normalisation for this case; `None` means the suite's.
    pub normalize: Option<StreamNormalize>,
    /// Preopen the case's private scratch directory as `.` (every kind but
    /// the WASI testsuite, whose tests see only the directories their spec
    /// names, as with its official runner).
    pub scratch: bool,
    /// Do not compare stdout.
    pub ignore_stdout: bool,
    /// Do not compare stderr.
    pub ignore_stderr: bool,
    /// Facts about the case for listings, e.g. `("func", "compile_and_run")`.
    pub info: Vec<(String, String)>,
    /// For a test inside a libtest binary, its name there: the run is then
    /// judged by libtest's own report first (a test libtest ignored is a
    /// skip, a run in which the test did not run is a failure, a panic's
    /// message is the reason), then by exit code.
    pub libtest: Option<String>,
    /// Native-import description files (`[run] native`); see
    /// `xharness_engines::native`.
    pub native: Vec<PathBuf>,
}

impl Case {
    /// The expectation for `engine`: its own entry, else the one for every
    /// engine ([`ANY_ENGINE`]).
    pub fn expectation(&self, engine: &str) -> Option<&Expectation> {
        self.expect
            .get(engine)
            .or_else(|| self.expect.get(ANY_ENGINE))
    }
}

impl Case {
    /// Placeholder values for this case, with `{out}` unset; see [`Vars::with_out`].
    pub fn vars<'a>(&'a self, root: &'a Path) -> Vars<'a> {
        Vars {
            src: &self.src,
            dir: &self.dir,
            stem: &self.stem,
            name: &self.name,
            root,
            flags: &self.flags,
            out: None,
        }
    }
}

/// A host directory made visible to the guest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirMapping {
    /// Absolute host path (not checked for existence here; the harness does that).
    pub host: PathBuf,
    /// Path the guest sees.
    pub guest: String,
    /// Whether the guest may only read it.
    pub read_only: bool,
    /// Preopen a private copy made for each run instead of the directory
    /// itself, so runs that create, rename or delete files can run in
    /// parallel and leave the source tree untouched.
    pub copy: bool,
}

/// What an engine is expected to do with a case when it is not expected to pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expectation {
    /// Expected to fail, for the given reason; passing is reported as unexpected.
    XFail(String),
    /// Not run at all, for the given reason.
    Skip(String),
    /// Known to fail now and then: a failure is reported as expected, a
    /// pass as a pass.
    Fragile(String),
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

    /// Placeholder values for `case` in this suite, with `{out}` unset.
    pub fn vars<'a>(&'a self, case: &'a Case) -> Vars<'a> {
        case.vars(&self.root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(name: &str) -> Case {
        Case {
            name: name.into(),
            src: PathBuf::from(format!("/s/{name}.c")),
            dir: PathBuf::from("/s"),
            stem: name.rsplit('/').next().unwrap_or(name).into(),
            args: vec![],
            env: vec![],
            dirs: vec![],
            stdin: None,
            exit_code: 0,
            timeout: Duration::from_secs(10),
            max_memory: 1 << 30,
            max_output: 1 << 20,
            golden_stdout: PathBuf::from("/s/x.stdout"),
            golden_stderr: PathBuf::from("/s/x.stderr"),
            expect: BTreeMap::new(),
            mode: Mode::CompileAndRun,
            inputs: vec![],
            flags: String::new(),
            normalize: None,
            ignore_stdout: false,
            ignore_stderr: false,
            scratch: true,
            info: vec![],
            libtest: None,
            native: vec![],
        }
    }

    fn suite(names: &[&str]) -> Suite {
        Suite {
            retries: 0,
            warnings: vec![],
            expectations: vec![],
            engine_keys: vec![],
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
