//! Command-line arguments (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use xharness_golden::ColorChoice;
use xharness_reports::Output;

/// A test harness for cross-compiled (WebAssembly) test suites.
///
/// Discovers the cases of a suite, compiles each to wasm with the suite's
/// toolchain, runs them in-process on wasmtime and/or wasmer, and compares
/// their stdout and stderr with golden files.
#[derive(Debug, Parser)]
#[command(name = "xharness", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub suite: SuiteArgs,
}

/// Subcommands besides running a suite.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run one module like a native program (stdio is the terminal's).
    Run(RunArgs),
    /// Reports of saved runs: merge shards, draw the HTML page, compare two runs.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Run an unmodified program (a test driver) with `.wasm` files, and
    /// files matching binfmt_misc rules, executable for it and every
    /// process it starts; no root needed.
    Exec(ExecArgs),
    /// Write a self-contained folder that reproduces one failing case on one
    /// engine, for a bug report (module, inputs, goldens, output, run.sh).
    Repro(ReproArgs),
    /// Discover and compile a suite once and write one archive that
    /// `xharness --archive FILE` runs on a machine with neither the
    /// toolchain nor the source tree.
    Archive(Box<ArchiveArgs>),
}

/// `xharness archive`.
#[derive(Debug, Args)]
pub struct ArchiveArgs {
    /// The archive to write (`.tar.zst`).
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: PathBuf,
    /// Also store native code of the modules for the engines of --engine
    /// (this xharness's engine versions; others compile it again).
    #[arg(long)]
    pub precompile: bool,
    /// The suite and the cases to archive, as for a run.
    #[command(flatten)]
    pub suite: SuiteArgs,
}

/// `xharness repro`.
#[derive(Debug, Args)]
pub struct ReproArgs {
    /// The case's name, exactly as the run reported it.
    #[arg(value_name = "NAME")]
    pub case: String,
    /// The engine it failed on (default: the first registered).
    #[arg(long)]
    pub engine: Option<String>,
    /// The folder to write.
    #[arg(short = 'o', long = "out", value_name = "DIR")]
    pub out: PathBuf,
    /// The suite, as for a run.
    #[arg(long, value_name = "NAME|PATH")]
    pub suite: Option<String>,
    /// Override the suite's root directory.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Test binaries of a libtest suite, as for a run.
    #[arg(long, value_name = "GLOB", value_delimiter = ',')]
    pub binaries: Vec<String>,
    /// Cache directory (default: $XHARNESS_CACHE_DIR or ~/.cache/xharness).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

/// `xharness exec`.
#[derive(Debug, Args)]
pub struct ExecArgs {
    /// Engine that runs wasm files (default: the first registered, wasmtime).
    #[arg(long)]
    pub engine: Option<String>,
    /// A binfmt_misc rule `:name:type:offset:magic:mask:interpreter:flags`
    /// (types M and E, flags P and F); tried before the built-in wasm rule.
    #[arg(long = "binfmt", value_name = "RULE")]
    pub rules: Vec<String>,
    /// A file of rules, one per line (`#` comments).
    #[arg(long = "binfmt-file", value_name = "FILE")]
    pub rule_files: Vec<PathBuf>,
    /// The command and its arguments.
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    pub command: Vec<String>,
}

/// `xharness report …`.
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Merge the --json files of several runs or shards into one report.
    Merge(MergeArgs),
    /// Draw the HTML report of a saved run (a --json file).
    Html(HtmlArgs),
    /// Compare two saved runs: instruction counts past a threshold, changed
    /// verdicts and outputs; exits 1 when a count grew or a case newly fails.
    Compare(CompareArgs),
}

/// `xharness report compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The --json file of the earlier run.
    #[arg(value_name = "BEFORE.json")]
    pub before: PathBuf,
    /// The --json file of the later run.
    #[arg(value_name = "AFTER.json")]
    pub after: PathBuf,
    /// List instruction counts that changed by more than this (5% or 0.5).
    #[arg(
        long,
        value_name = "PERCENT",
        default_value = "5%",
        value_parser = xharness_reports::compare::parse_threshold
    )]
    pub threshold: f64,
}

/// `xharness report merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The --json files to merge; a later result for the same case and engine wins.
    #[arg(required = true, value_name = "RUN.json")]
    pub runs: Vec<PathBuf>,
    /// Write the merged HTML report to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Write the merged JSON results to FILE.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write the merged JUnit XML to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write the merged results in FORMAT (json, junit, html) to FILE (repeatable).
    #[arg(long = "output", value_name = "FORMAT:FILE", value_parser = Output::parse)]
    pub outputs: Vec<Output>,
}

impl MergeArgs {
    /// Every file output asked for: `--html`, `--json`, `--junit`, then `--output`.
    pub fn file_outputs(&self) -> Vec<Output> {
        file_outputs(
            [
                ("html", &self.html),
                ("json", &self.json),
                ("junit", &self.junit),
            ],
            &self.outputs,
        )
    }
}

/// The outputs the named flags ask for, then `extra`.
fn file_outputs(named: [(&str, &Option<PathBuf>); 3], extra: &[Output]) -> Vec<Output> {
    let mut all: Vec<Output> = named
        .into_iter()
        .filter_map(|(format, path)| Output::new(format, path.clone()?))
        .collect();
    all.extend(extra.iter().cloned());
    all
}

/// `xharness report html`.
#[derive(Debug, Args)]
pub struct HtmlArgs {
    /// The --json file of a run.
    #[arg(value_name = "RUN.json")]
    pub run: PathBuf,
    /// Where to write the page.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
}

/// Running a suite (the default mode).
#[derive(Debug, Args)]
pub struct SuiteArgs {
    /// A suite.toml, its folder, or the name of a folder under ./suites/ or ./examples/.
    #[arg(long, value_name = "NAME|PATH")]
    pub suite: Option<String>,
    /// Override the suite's root directory.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Engine(s) to run on, comma-separated, or `all` for every registered engine
    /// (default: the first registered, wasmtime).
    #[arg(long, value_name = "ENGINES", value_delimiter = ',')]
    pub engine: Vec<String>,
    /// Run only cases whose name contains one of these (see --exact).
    #[arg(value_name = "FILTER")]
    pub filters: Vec<String>,
    /// Filters must equal the case name.
    #[arg(long)]
    pub exact: bool,
    /// GHC's testsuite: run these ways only, comma-separated (GHC's `--way`);
    /// each is added to `run_ways` / `compile_ways` where missing.
    #[arg(long, value_name = "WAYS", value_delimiter = ',')]
    pub ways: Vec<String>,
    /// Jobs run at once, each in a worker process (default: number of cores).
    #[arg(short = 'j', long = "jobs", value_name = "N")]
    pub jobs: Option<usize>,
    /// Write actual output as the new golden where it differs and every engine agrees.
    #[arg(long)]
    pub bless: bool,
    /// Run a failing job up to N more times; one that then passes is flaky
    /// (default: `[run] retries` of the suite, else 0).
    #[arg(long, value_name = "N")]
    pub retries: Option<u32>,
    /// Run only the (case, engine) pairs that failed or did not run last time.
    #[arg(long)]
    pub failed: bool,
    /// Count the wasm instructions each case executes (engines instrument the
    /// code, so runs are slower); the counts go to every report.
    #[arg(long)]
    pub count_instructions: bool,
    /// Known results to hold the run to: a folder of ENGINE.toml files or ENGINE=FILE,
    /// in the WASI testsuite's expectations format (repeatable).
    #[arg(long = "expectations", value_name = "DIR|ENGINE=FILE")]
    pub expectations: Vec<String>,
    /// Write DIR/ENGINE.toml listing every case that did not pass, per engine (a baseline).
    #[arg(long = "write-expectations", value_name = "DIR")]
    pub write_expectations: Option<PathBuf>,
    /// Write results as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write results as JUnit XML to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write a self-contained HTML report (engines compared case by case) to FILE.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Write results in FORMAT (json, junit, html) to FILE (repeatable).
    #[arg(long = "output", value_name = "FORMAT:FILE", value_parser = Output::parse)]
    pub outputs: Vec<Output>,
    /// Stop starting new cases after the first failure.
    #[arg(long)]
    pub fail_fast: bool,
    /// List the cases instead of running them.
    #[arg(long)]
    pub list: bool,
    /// Run one shard of the cases: hash:K/N, count:K/N or duration:K/N (K of N, from 1).
    #[arg(long, value_name = "KIND:K/N")]
    pub partition: Option<crate::partition::Partition>,
    /// For --partition duration:K/N: an earlier run's --json file (or a merged
    /// one) whose case durations balance the shards.
    #[arg(long, value_name = "RUN.json", requires = "partition")]
    pub timings: Option<PathBuf>,
    /// Keep each case's scratch directory.
    #[arg(long)]
    pub keep_scratch: bool,
    /// Colour output: auto, always or never (auto honours NO_COLOR).
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,
    /// On a terminal, also print a line for every passing case.
    #[arg(short, long)]
    pub verbose: bool,
    /// Cache directory (default: $XHARNESS_CACHE_DIR or ~/.cache/xharness).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Run the tests of Rust test binaries built by `cargo test --target
    /// wasm32-wasip1 --no-run` in --root (default: here), each test its own
    /// case; takes the rest of the command line as extra cargo arguments.
    /// Implies `--suite libtest`.
    #[arg(
        long,
        value_name = "CARGO ARGS",
        num_args = 0..,
        allow_hyphen_values = true,
        conflicts_with = "binaries"
    )]
    pub cargo: Option<Vec<String>>,
    /// Run the tests of these Rust test binaries (globs, relative to --root
    /// or here), each test its own case. Implies `--suite libtest`.
    #[arg(long, value_name = "GLOB", value_delimiter = ',')]
    pub binaries: Vec<String>,
    /// Run from an archive that `xharness archive` wrote, with no toolchain
    /// or source tree here.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["suite", "root", "cargo", "binaries", "ways"]
    )]
    pub archive: Option<PathBuf>,
}

impl SuiteArgs {
    /// Every file output asked for: `--json`, `--junit`, `--report`, then `--output`.
    pub fn file_outputs(&self) -> Vec<Output> {
        file_outputs(
            [
                ("json", &self.json),
                ("junit", &self.junit),
                ("html", &self.report),
            ],
            &self.outputs,
        )
    }

    /// Where `--cargo` or `--binaries` say a libtest suite's binaries come from.
    /// How this run selects its suite, for the repro lines: `--suite`,
    /// `--root`, `--binaries`, `--cache-dir` as given, then `--cargo …`.
    pub fn origin(&self) -> crate::repro::Origin {
        let mut words: Vec<String> = Vec::new();
        if let Some(s) = &self.suite {
            words.extend(["--suite".into(), s.clone()]);
        }
        if let Some(r) = &self.root {
            words.extend(["--root".into(), r.display().to_string()]);
        }
        if !self.binaries.is_empty() {
            words.extend(["--binaries".into(), self.binaries.join(",")]);
        }
        if !self.ways.is_empty() {
            words.extend(["--ways".into(), self.ways.join(",")]);
        }
        if let Some(a) = &self.archive {
            words.extend(["--archive".into(), a.display().to_string()]);
        }
        if let Some(d) = &self.cache_dir {
            words.extend(["--cache-dir".into(), d.display().to_string()]);
        }
        let trailing = match &self.cargo {
            Some(args) => std::iter::once("--cargo".to_string())
                .chain(args.iter().cloned())
                .collect(),
            None => Vec::new(),
        };
        crate::repro::Origin::current(words, trailing)
    }

    pub fn libtest_source(&self) -> Option<xharness_suites::libtest::Source> {
        use xharness_suites::libtest::Source;
        match (&self.cargo, self.binaries.is_empty()) {
            (Some(args), _) => Some(Source::Cargo(args.clone())),
            (None, false) => Some(Source::Binaries(self.binaries.clone())),
            (None, true) => None,
        }
    }
}

/// `xharness run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Engine to run on (default: the first registered, wasmtime).
    #[arg(long)]
    pub engine: Option<String>,
    /// Preopen HOST as GUEST (default: the same path); append :ro for read-only.
    #[arg(long = "dir", value_name = "HOST[::GUEST]")]
    pub dirs: Vec<String>,
    /// Set an environment variable for the guest (nothing else is passed,
    /// unless --inherit-env).
    #[arg(long = "env", value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// Give the guest this process's whole environment (then the --env pairs).
    #[arg(long)]
    pub inherit_env: bool,
    /// Satisfy imports from a native library, as this description file
    /// says (see README, "Native imports"); repeatable.
    #[arg(long = "native", value_name = "FILE.toml")]
    pub native: Vec<PathBuf>,
    /// Wall-clock limit in seconds.
    #[arg(long, value_name = "SECS", default_value = "3600")]
    pub timeout: f64,
    /// Linear-memory limit in bytes (suffixes KiB, MiB, GiB allowed).
    #[arg(long, value_name = "BYTES", default_value = "4GiB")]
    pub max_memory: String,
    /// Cache directory (default: $XHARNESS_CACHE_DIR or ~/.cache/xharness).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// The module (.wasm, or .wat text).
    pub module: PathBuf,
    /// Arguments for the module.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}
