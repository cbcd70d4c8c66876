//! Test options ("setup functions" in the driver): what they are as data
//! and what applying them does to a test's [`TestOpts`].
//!
//! In the driver an option is a Python function `f(name, opts)` that
//! mutates the options. Here the driver's own options are [`Setup`] values
//! built by the host when a `.T` file calls `expect_broken(N)`,
//! `when(c, opt)` and so on; a file's own Python functions used as options
//! run in the evaluator with an options object (see `host.rs`). Conditions
//! (`when(arch('wasm32'), ...)`) are decided when the file is evaluated, as
//! the driver decides them.

use super::config::Config;
use super::normalise::Norm;

/// What a test is expected to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// Expected to pass.
    Pass,
    /// `expect_fail`: expected to fail, no ticket.
    Fail,
    /// `expect_broken(N)`: expected to fail because of ticket N.
    Broken(i64),
}

impl Expect {
    /// `pass`, `fail` or `broken`, as listings show it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Expect::Pass => "pass",
            Expect::Fail => "fail",
            Expect::Broken(_) => "broken",
        }
    }
}

/// A test's options after every setup function ran.
#[derive(Debug, Clone, PartialEq)]
pub struct TestOpts {
    /// Why the test is not run, if it is not.
    pub skip: Option<String>,
    /// What the test is expected to do (in every way).
    pub expect: Expect,
    /// Ways in which the test is expected to fail.
    pub expect_fail_for: Vec<String>,
    /// Ticket of a `fragile(N)` / `fragile_for(N, ways)` marker, with its ways (empty = all).
    pub fragile: Option<(i64, Vec<String>)>,
    /// `omit_ways`.
    pub omit_ways: Vec<String>,
    /// `only_ways`.
    pub only_ways: Option<Vec<String>>,
    /// `extra_ways`.
    pub extra_ways: Vec<String>,
    /// `exit_code(N)`.
    pub exit_code: i64,
    /// `extra_run_opts`: arguments for the program.
    pub extra_run_opts: String,
    /// `extra_hc_opts`: flags for the compiler.
    pub extra_hc_opts: String,
    /// `extra_files`, relative to the test's directory.
    pub extra_files: Vec<String>,
    /// `set_stdin(file)`.
    pub stdin: Option<String>,
    /// `ignore_stdout`.
    pub ignore_stdout: bool,
    /// `ignore_stderr`.
    pub ignore_stderr: bool,
    /// `combined_output`: stderr goes to stdout.
    pub combined_output: bool,
    /// `run_timeout_multiplier(k)`.
    pub run_timeout_multiplier: f64,
    /// Source file extension chosen by `c_src`, `literate`, `cmm_src`, ….
    pub source_ext: Option<&'static str>,
    /// Extra normalisers for stdout (`normalise_fun`, …), in the driver's order.
    pub stdout_norms: Vec<Norm>,
    /// Extra normalisers for stderr (`normalise_errmsg_fun`, …).
    pub stderr_norms: Vec<Norm>,
    /// `normalise_whitespace_fun`: how stderr is compared.
    pub whitespace: Option<Norm>,
    /// `use_specs({'stdout': 'other.stdout'})`: golden file overrides.
    pub use_specs: Vec<(String, String)>,
    /// `high_memory_usage`: the driver runs these alone.
    pub high_memory: bool,
    /// `pre_cmd(cmd)`: a shell command run before the test.
    pub pre_cmd: Option<String>,
    /// `cmd_prefix(p)` / `cmd_wrapper(f)` (the last one wins, as in the
    /// driver): the text put before and after the run command.
    pub cmd_wrapper: Option<(String, String)>,
    /// Every option applied, as written (for listings).
    pub applied: Vec<String>,
    /// Options and driver names used that are not known here.
    pub unknown: Vec<String>,
}

impl Default for TestOpts {
    fn default() -> Self {
        TestOpts {
            skip: None,
            expect: Expect::Pass,
            expect_fail_for: Vec::new(),
            fragile: None,
            omit_ways: Vec::new(),
            only_ways: None,
            extra_ways: Vec::new(),
            exit_code: 0,
            extra_run_opts: String::new(),
            extra_hc_opts: String::new(),
            extra_files: Vec::new(),
            stdin: None,
            ignore_stdout: false,
            ignore_stderr: false,
            combined_output: false,
            run_timeout_multiplier: 1.0,
            source_ext: None,
            stdout_norms: Vec::new(),
            stderr_norms: Vec::new(),
            whitespace: None,
            use_specs: Vec::new(),
            high_memory: false,
            pre_cmd: None,
            cmd_wrapper: None,
            applied: Vec::new(),
            unknown: Vec::new(),
        }
    }
}

impl TestOpts {
    /// Skip with `why` unless already skipped (the first reason stays).
    pub fn skip_because(&mut self, why: impl Into<String>) {
        if self.skip.is_none() {
            self.skip = Some(why.into());
        }
    }
}

/// One driver option as data; [`Setup::apply`] is its effect.
#[derive(Debug, Clone, PartialEq)]
pub enum Setup {
    /// `normal`, and a `when(False, …)`.
    Normal,
    /// `skip`.
    Skip,
    /// `expect_fail`.
    ExpectFail,
    /// `expect_broken(N)`.
    ExpectBroken(i64),
    /// `expect_broken_for(N, ways)`.
    ExpectBrokenFor(i64, Vec<String>),
    /// `expect_fail_for(ways)`.
    ExpectFailFor(Vec<String>),
    /// `fragile(N)`.
    Fragile(i64),
    /// `fragile_for(N, ways)`.
    FragileFor(i64, Vec<String>),
    /// `omit_ways(ways)`.
    OmitWays(Vec<String>),
    /// `only_ways(ways)`.
    OnlyWays(Vec<String>),
    /// `extra_ways(ways)`.
    ExtraWays(Vec<String>),
    /// `exit_code(N)`.
    ExitCode(i64),
    /// `extra_run_opts(s)`.
    ExtraRunOpts(String),
    /// `extra_hc_opts(s)`.
    ExtraHcOpts(String),
    /// `extra_files([...])`.
    ExtraFiles(Vec<String>),
    /// `set_stdin(file)`.
    Stdin(String),
    /// `ignore_stdout`.
    IgnoreStdout,
    /// `ignore_stderr`.
    IgnoreStderr,
    /// `combined_output`.
    CombinedOutput,
    /// `run_timeout_multiplier(k)`.
    RunTimeout(f64),
    /// `c_src`, `literate`, `cmm_src`, `cxx_src`, `objc_src`, `objcxx_src`.
    SourceExt(&'static str),
    /// `req_*`: skip when the config value named is false.
    Require {
        /// The option's name, e.g. `req_interp`.
        name: &'static str,
        /// The config key it needs, e.g. `have_interp`.
        key: &'static str,
    },
    /// `wasm_skip`, `js_skip`, `windows_skip`: skip when config key = value.
    SkipOn(&'static str, &'static str),
    /// An option that needs something this harness does not do (a shell
    /// step, a Python checker): the test is skipped with this reason.
    Unsupported(String),
    /// `normalise_fun(...)`, `normalise_slashes`, ….
    NormaliseStdout(Vec<Norm>),
    /// `normalise_errmsg_fun(...)`.
    NormaliseStderr(Vec<Norm>),
    /// Both streams (`normalise_version(...)`).
    NormaliseBoth(Vec<Norm>),
    /// `normalise_whitespace_fun(f)`.
    Whitespace(Norm),
    /// `use_specs({...})`.
    UseSpecs(Vec<(String, String)>),
    /// `high_memory_usage`.
    HighMemory,
    /// `pre_cmd(cmd)`.
    PreCmd(String),
    /// `cmd_prefix(p)`, or `cmd_wrapper(f)` applied to a placeholder:
    /// what goes before and after the run command.
    CmdWrapper(String, String),
    /// A known option with no effect on a wasm run (`no_lint`, stats collection, …).
    NoEffect,
}

impl Setup {
    /// Apply this option to `opts`.
    pub fn apply(&self, opts: &mut TestOpts, config: &Config) {
        match self {
            Setup::Normal | Setup::NoEffect => {}
            Setup::Skip => opts.skip_because("marked skip"),
            Setup::ExpectFail => opts.expect = Expect::Fail,
            Setup::ExpectBroken(n) => opts.expect = Expect::Broken(*n),
            Setup::ExpectBrokenFor(_, ways) | Setup::ExpectFailFor(ways) => {
                opts.expect_fail_for = ways.clone()
            }
            Setup::Fragile(n) => opts.fragile = Some((*n, Vec::new())),
            Setup::FragileFor(n, ways) => opts.fragile = Some((*n, ways.clone())),
            Setup::OmitWays(ways) => opts.omit_ways.extend(ways.iter().cloned()),
            Setup::OnlyWays(ways) => opts.only_ways = Some(ways.clone()),
            Setup::ExtraWays(ways) => opts.extra_ways = ways.clone(),
            Setup::ExitCode(n) => opts.exit_code = *n,
            Setup::ExtraRunOpts(s) => push_words(&mut opts.extra_run_opts, s),
            Setup::ExtraHcOpts(s) => push_words(&mut opts.extra_hc_opts, s),
            Setup::ExtraFiles(files) => opts.extra_files.extend(files.iter().cloned()),
            Setup::Stdin(f) => opts.stdin = Some(f.clone()),
            Setup::IgnoreStdout => opts.ignore_stdout = true,
            Setup::IgnoreStderr => opts.ignore_stderr = true,
            Setup::CombinedOutput => opts.combined_output = true,
            Setup::RunTimeout(k) => opts.run_timeout_multiplier = *k,
            Setup::SourceExt(ext) => opts.source_ext = Some(ext),
            Setup::Require { name, key } => {
                if !config.flag(key) {
                    opts.skip_because(format!("{name}: config.{key} is false"));
                }
            }
            Setup::Unsupported(why) => opts.skip_because(why.clone()),
            Setup::SkipOn(key, value) => {
                if config.text(key) == *value {
                    opts.skip_because(format!("skipped where config.{key} is {value}"));
                }
            }
            Setup::NormaliseStdout(n) => opts.stdout_norms.extend(n.iter().cloned()),
            Setup::NormaliseStderr(n) => opts.stderr_norms.extend(n.iter().cloned()),
            Setup::NormaliseBoth(n) => {
                opts.stdout_norms.extend(n.iter().cloned());
                opts.stderr_norms.extend(n.iter().cloned());
            }
            Setup::Whitespace(n) => opts.whitespace = Some(n.clone()),
            Setup::UseSpecs(specs) => {
                opts.extra_files
                    .extend(specs.iter().map(|(_, file)| file.clone()));
                opts.use_specs = specs.clone();
            }
            Setup::HighMemory => opts.high_memory = true,
            Setup::PreCmd(cmd) => opts.pre_cmd = Some(cmd.clone()),
            Setup::CmdWrapper(before, after) => {
                opts.cmd_wrapper = Some((before.clone(), after.clone()))
            }
        }
    }
}

/// The driver's `opts.x += " " + v`.
fn push_words(field: &mut String, more: &str) {
    field.push(' ');
    field.push_str(more);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_apply_in_order() {
        let config = Config::default();
        let mut opts = TestOpts::default();
        for s in [
            Setup::ExitCode(3),
            Setup::ExtraRunOpts("a b".into()),
            Setup::ExtraRunOpts("c".into()),
            Setup::ExpectBroken(123),
            Setup::Require {
                name: "req_interp",
                key: "have_interp",
            },
            Setup::Skip,
        ] {
            s.apply(&mut opts, &config);
        }
        assert_eq!(opts.exit_code, 3);
        assert_eq!(opts.extra_run_opts, " a b c");
        assert_eq!(opts.expect, Expect::Broken(123));
        assert_eq!(
            opts.skip.as_deref(),
            Some("req_interp: config.have_interp is false")
        );
    }

    #[test]
    fn a_requirement_the_config_meets_does_nothing() {
        let mut config = Config::default();
        config.set("have_interp", super::super::config::ConfigValue::Bool(true));
        let mut opts = TestOpts::default();
        Setup::Require {
            name: "req_interp",
            key: "have_interp",
        }
        .apply(&mut opts, &config);
        assert_eq!(opts.skip, None);
    }
}
