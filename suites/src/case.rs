//! One test as the harness receives it: [`Case`], grouped into what every
//! case has (its source, how it runs, what is expected of it) and what
//! belongs to one suite kind ([`CaseKind`]).
//!
//! This is plain data: discovery fills it, the harness reads it. Nothing
//! here reads files or the environment. Adding a suite kind adds a
//! [`CaseKind`] variant and, if its verdict differs, one arm where the
//! harness judges by kind.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::template::Vars;

/// The key of [`CaseExpect::engines`] that applies to every engine (an
/// expectation a `.T` file, `#[ignore]` or a WASI spec gives, not one engine's).
pub const ANY_ENGINE: &str = "*";

/// Normalisation applied to both actual and expected output before comparing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
pub struct StreamNormalize {
    /// For stdout.
    pub stdout: Normalize,
    /// For stderr (and a compile-only case's compiler output).
    pub stderr: Normalize,
}

/// How a case is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Mode {
    /// Compile, run on the engine, compare the exit code and the outputs.
    #[default]
    CompileAndRun,
    /// Compile only: the compiler must succeed; its output (stdout then
    /// stderr) is compared with the stderr golden.
    Compile,
    /// The compiler must fail; its output is compared with the stderr golden.
    CompileFail,
    /// No compile: the case's shell command ([`ShellSteps::command`]) is
    /// the test, judged by its exit code and outputs as a run is (GHC's
    /// `makefile_test`, `run_command`).
    Shell,
}

impl Mode {
    /// Whether the case stops after the compile.
    pub fn compile_only(self) -> bool {
        matches!(self, Mode::Compile | Mode::CompileFail)
    }
}

/// The shell commands of a test that drives a shell (GHC's `pre_cmd`,
/// `makefile_test`, `run_command`, `cmd_prefix`, `cmd_wrapper`). Each runs
/// with `sh -c` in the case's private directory, under `xharness exec`
/// on the case's engine, so a `.wasm` program the commands build runs
/// as `./prog`.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct ShellSteps {
    /// Runs first, before the compile; a non-zero exit fails the case
    /// (the driver's framework failure) unless the case is expected to fail.
    pub pre_cmd: Option<String>,
    /// The test itself ([`Mode::Shell`]), or, for a compiled case, the
    /// command that runs its program (`./STEM.wasm ARGS` as a wrapper made
    /// it). `None`: the program runs on the engine directly.
    pub command: Option<String>,
    /// Variables set for every command (`TEST_HC`, `TEST_HC_OPTS`, …).
    pub env: Vec<(String, String)>,
    /// The names among [`env`](Self::env) also given to `make` as
    /// command-line variables (through `MAKEFLAGS`), as `make test
    /// TEST_HC=…` gives them to GHC's test Makefiles.
    pub make_vars: Vec<String>,
}

/// A file (or directory) copied into a case's private work directory
/// before it is compiled and run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Input {
    /// Absolute host path.
    pub host: PathBuf,
    /// Relative path inside the work directory.
    pub dest: String,
}

/// One test: its name, where its module comes from, how it runs, what is
/// expected of it, and the data only its suite kind has.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Case {
    /// Path under the suite root without extension, '/'-separated, e.g. `stdout/hello`.
    pub name: String,
    /// The source the module is built from.
    pub source: CaseSource,
    /// How the module is run.
    pub run: CaseRun,
    /// What the run must give.
    pub expect: CaseExpect,
    /// Facts about the case for listings, e.g. `("func", "compile_and_run")`.
    pub info: Vec<(String, String)>,
    /// What only this case's suite kind has.
    pub kind: CaseKind,
}

/// Where a case's module comes from.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CaseSource {
    /// Absolute path of the source file.
    pub src: PathBuf,
    /// Absolute directory holding the source file.
    pub dir: PathBuf,
    /// File name without extension.
    pub stem: String,
}

/// How a case's module is run.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CaseRun {
    /// Arguments after argv\[0\]: the suite's `run.args`, then the lines of `STEM.args`.
    pub args: Vec<String>,
    /// Environment variables, sorted by key.
    pub env: Vec<(String, String)>,
    /// Host directories to pre-open in the guest.
    pub dirs: Vec<DirMapping>,
    /// File to feed as stdin; a missing file means empty stdin. `None` means no stdin file.
    pub stdin: Option<PathBuf>,
    /// Wall-clock limit for one run.
    pub timeout: Duration,
    /// Linear-memory limit in bytes.
    pub max_memory: u64,
    /// Cap on captured bytes per output stream.
    pub max_output: usize,
    /// Preopen the case's private scratch directory as `.` (every kind but
    /// the WASI testsuite, whose tests see only the directories their spec
    /// names, as with its official runner).
    pub scratch: bool,
    /// Capture stderr into stdout, interleaved in write order (GHC's
    /// `combined_output`): stdout's golden is compared with both, and
    /// stderr is empty.
    pub combine_output: bool,
}

/// What a case's run must give, and how its output is compared.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CaseExpect {
    /// Expected exit code (`STEM.exit` overrides `run.exit_code`).
    pub exit_code: i32,
    /// Expected stdout; a missing file means "expected empty".
    pub golden_stdout: PathBuf,
    /// Expected stderr; a missing file means "expected empty".
    pub golden_stderr: PathBuf,
    /// Per-engine expectations; [`ANY_ENGINE`] applies to every engine an
    /// entry of its own does not name, and an engine absent from the map is
    /// expected to pass. Read it with [`Case::expectation`].
    pub engines: BTreeMap<String, Expectation>,
    /// How the case is judged.
    pub mode: Mode,
    /// Normalisation for this case; `None` means the suite's. Shared:
    /// most cases of a suite normalise alike.
    pub normalize: Option<std::sync::Arc<StreamNormalize>>,
    /// Do not compare stdout.
    pub ignore_stdout: bool,
    /// Do not compare stderr.
    pub ignore_stderr: bool,
}

/// The data only one suite kind's cases have.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum CaseKind {
    /// A `suite.toml` case.
    Generic {
        /// Native-import description files (`[run] native`); see
        /// `xharness_engines::native`.
        native: Vec<PathBuf>,
    },
    /// A test of a GHC `.T` file.
    Ghc {
        /// The `{flags}` placeholder: extra compiler flags from the test's
        /// arguments and `extra_hc_opts`.
        flags: String,
        /// Files copied into the case's work directory before compiling
        /// and running. When not empty, the compile runs in a private
        /// directory holding these copies (`{src}` is the copy of the
        /// source), and the compile's cache key covers every one of them.
        inputs: Vec<Input>,
        /// Shell steps, for a test that drives a shell.
        shell: Option<Box<ShellSteps>>,
        /// Normalisers written in Python in the `.T` file, run on the
        /// output by the evaluator (see [`crate::ghc::PythonNorms`]).
        python: Option<Box<crate::ghc::PythonNorms>>,
    },
    /// A module of the WASI testsuite.
    Wasi,
    /// A test inside a Rust libtest binary.
    Libtest {
        /// Its name there: the run is judged by libtest's own report first
        /// (a test libtest ignored is a skip, a run in which the test did
        /// not run is a failure, a panic's message is the reason), then by
        /// exit code.
        test: String,
    },
}

impl Case {
    /// The `info` value for `key`, if the case has one.
    pub fn info_value(&self, key: &str) -> Option<&str> {
        self.info
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The expectation for `engine`: its own entry, else the one for every
    /// engine ([`ANY_ENGINE`]).
    pub fn expectation(&self, engine: &str) -> Option<&Expectation> {
        let engines = &self.expect.engines;
        engines.get(engine).or_else(|| engines.get(ANY_ENGINE))
    }

    /// Placeholder values for this case, with `{out}` unset; see [`Vars::with_out`].
    pub fn vars<'a>(&'a self, root: &'a Path) -> Vars<'a> {
        Vars {
            src: &self.source.src,
            dir: &self.source.dir,
            stem: &self.source.stem,
            name: &self.name,
            root,
            flags: self.flags(),
            out: None,
        }
    }

    /// The `{flags}` placeholder's value (empty but for GHC tests).
    pub fn flags(&self) -> &str {
        match &self.kind {
            CaseKind::Ghc { flags, .. } => flags,
            _ => "",
        }
    }

    /// Files copied into the work directory before the compile (GHC tests).
    pub fn inputs(&self) -> &[Input] {
        match &self.kind {
            CaseKind::Ghc { inputs, .. } => inputs,
            _ => &[],
        }
    }

    /// Every host path the case names besides its source: its folder,
    /// goldens, stdin, directories, inputs, native-import files, the `.T`
    /// file of its Python normalisers. For moving a case elsewhere (a
    /// suite archive).
    pub fn paths_mut(&mut self) -> Vec<&mut PathBuf> {
        let mut out: Vec<&mut PathBuf> = vec![
            &mut self.source.dir,
            &mut self.expect.golden_stdout,
            &mut self.expect.golden_stderr,
        ];
        if let Some(stdin) = &mut self.run.stdin {
            out.push(stdin);
        }
        out.extend(self.run.dirs.iter_mut().map(|d| &mut d.host));
        match &mut self.kind {
            CaseKind::Generic { native } => out.extend(native.iter_mut()),
            CaseKind::Ghc { inputs, python, .. } => {
                out.extend(inputs.iter_mut().map(|i| &mut i.host));
                if let Some(p) = python {
                    out.push(&mut p.file);
                }
            }
            CaseKind::Wasi | CaseKind::Libtest { .. } => {}
        }
        out
    }

    /// The shell steps of a test that drives a shell (GHC tests).
    pub fn shell(&self) -> Option<&ShellSteps> {
        match &self.kind {
            CaseKind::Ghc { shell, .. } => shell.as_deref(),
            _ => None,
        }
    }

    /// Normalisers the `.T` file wrote in Python (GHC tests).
    pub fn python_norms(&self) -> Option<&crate::ghc::PythonNorms> {
        match &self.kind {
            CaseKind::Ghc { python, .. } => python.as_deref(),
            _ => None,
        }
    }

    /// Native-import description files (generic suites' `[run] native`).
    pub fn native(&self) -> &[PathBuf] {
        match &self.kind {
            CaseKind::Generic { native } => native,
            _ => &[],
        }
    }

    /// The test's name inside its libtest binary, for a libtest case.
    pub fn libtest_test(&self) -> Option<&str> {
        match &self.kind {
            CaseKind::Libtest { test } => Some(test),
            _ => None,
        }
    }
}

/// A host directory made visible to the guest.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Expectation {
    /// Expected to fail, for the given reason; passing is reported as unexpected.
    XFail(String),
    /// Not run at all, for the given reason.
    Skip(String),
    /// Known to fail now and then: a failure is reported as expected, a
    /// pass as a pass.
    Fragile(String),
}
