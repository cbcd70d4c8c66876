//! The table of names GHC's driver defines for `.T` files, by kind.
//!
//! Anything not here is unknown: reading it yields `Unknown(name)` and is
//! counted (see `host.rs`). Options that take no arguments are values
//! ([`Kind::Option`]); the others are constructors called with arguments.

use super::normalise::Norm;
use super::setup::Setup;

/// What a driver name is.
#[derive(Debug, Clone)]
pub enum Kind {
    /// `test(name, setup, func, args)`.
    Test,
    /// `setTestOpts(opt)`.
    SetTestOpts,
    /// An option used as a value (`skip`, `req_interp`, …).
    Option(Setup),
    /// A function returning an option (`expect_broken(N)`, `when(c, o)`, …).
    Constructor,
    /// A function returning a bool from the config (`arch('wasm32')`, …).
    Predicate,
    /// A normaliser function used as a value (`normalise_errmsg`, …).
    Normaliser(Norm),
    /// A function returning a normaliser (`normalise_version_(pkgs…)`).
    NormaliserFn,
    /// A test function (`compile_and_run`, …).
    TestFunction,
}

/// Test functions whose test is a shell command (no compile of their own).
pub const SHELL_FUNCS: [&str; 2] = ["makefile_test", "run_command"];

/// Test functions that compile and run the program.
pub const RUN_FUNCS: [&str; 5] = [
    "compile_and_run",
    "multimod_compile_and_run",
    "multi_compile_and_run",
    "warn_and_run",
    "backpack_run",
];

/// Test functions that only compile.
pub const COMPILE_FUNCS: [&str; 10] = [
    "compile",
    "compile_fail",
    "compile_artifact",
    "multimod_compile",
    "multimod_compile_fail",
    "multi_compile",
    "multi_compile_fail",
    "multiunit_compile",
    "multiunit_compile_fail",
    "multimod_compile_filter",
];

/// Test functions this harness does not run, with why.
pub const SKIPPED_FUNCS: [(&str, &str); 12] = [
    (
        "ghci_script",
        "needs GHCi, which a wasm cross compiler lacks",
    ),
    (
        "ghci_multiunit_script",
        "needs GHCi, which a wasm cross compiler lacks",
    ),
    ("compile_cmp_asm", "compares assembly output"),
    ("compile_grep_asm", "greps assembly output"),
    ("compile_grep_core", "greps Core output"),
    ("static_stats", "measures the compiler"),
    ("make_depend", "needs ghc -M"),
    ("backpack_typecheck", "needs Backpack"),
    ("backpack_typecheck_fail", "needs Backpack"),
    ("backpack_compile", "needs Backpack"),
    ("backpack_compile_fail", "needs Backpack"),
    ("backpack_run", "needs Backpack"),
];

/// Options with a `config` requirement: (name, config key); the test is
/// skipped when the key is false.
const REQUIRES: [(&str, &str); 18] = [
    ("req_interp", "have_interp"),
    ("req_th", "have_interp"),
    ("req_bco", "have_interp"),
    ("req_plugins", "have_interp"),
    ("req_profiling", "have_profiling"),
    ("req_dynamic_lib_support", "supports_dynamic_libs"),
    ("req_dynamic_hs", "supports_dynamic_hs"),
    ("req_dynamic_ghc", "ghc_dynamic"),
    ("req_rts_linker", "have_RTS_linker"),
    ("req_ghc_smp", "ghc_has_smp"),
    ("req_target_smp", "target_has_smp"),
    ("req_ghc_with_threaded_rts", "ghc_with_threaded_rts"),
    ("req_process", "have_process"),
    ("req_haddock", "haddock"),
    ("req_ls_files", "have_ls_files"),
    ("req_host_target_ghc", "have_host_target_ghc"),
    ("req_ext_interp", "have_ext_interp"),
    ("req_profiled_rts", "have_profiling"),
];

/// Options with no argument and a plain effect.
fn plain_option(name: &str) -> Option<Setup> {
    Some(match name {
        "normal" => Setup::Normal,
        "skip" => Setup::Skip,
        "expect_fail" => Setup::ExpectFail,
        "ignore_stdout" => Setup::IgnoreStdout,
        "ignore_stderr" => Setup::IgnoreStderr,
        "combined_output" => Setup::CombinedOutput,
        "high_memory_usage" => Setup::HighMemory,
        "wasm_skip" => Setup::SkipOn("arch", "wasm32"),
        "js_skip" => Setup::SkipOn("arch", "javascript"),
        "windows_skip" => Setup::SkipOn("os", "mingw32"),
        "literate" => Setup::SourceExt("lhs"),
        "c_src" => Setup::SourceExt("c"),
        "cxx_src" => Setup::SourceExt("cpp"),
        "objc_src" => Setup::SourceExt("m"),
        "objcxx_src" => Setup::SourceExt("mm"),
        "cmm_src" => Setup::SourceExt("cmm"),
        "omit_ghci" => Setup::OmitWays(vec!["ghci".into(), "ghci-opt".into()]),
        "only_ghci" => Setup::OnlyWays(vec!["ghci".into(), "ghci-opt".into()]),
        "normalise_slashes" => Setup::NormaliseStdout(vec![Norm::Slashes]),
        "normalise_exe" => Setup::NormaliseStdout(vec![Norm::Exe]),
        "normalise_drive_letter" => Setup::NormaliseStdout(vec![Norm::DriveLetter]),
        "no_deps"
        | "no_lint"
        | "copy_files"
        | "ignore_extension"
        | "multi_cpu_race"
        | "keep_prof_callstacks"
        | "no_check_hp"
        | "normalise_win32_io_errors"
        | "req_c"
        | "req_cxx"
        | "req_cmm"
        | "req_c_rts"
        | "req_ffi_exports"
        | "req_asm" => Setup::NoEffect,
        _ => {
            let (n, key) = REQUIRES.iter().find(|(n, _)| *n == name)?;
            Setup::Require { name: n, key }
        }
    })
}

const CONSTRUCTORS: [&str; 52] = [
    "when",
    "unless",
    "compose",
    "expect_broken",
    "expect_broken_for",
    "expect_fail_for",
    "fragile",
    "fragile_for",
    "js_broken",
    "wasm_broken",
    "js_fragile",
    "omit_ways",
    "only_ways",
    "extra_ways",
    "exit_code",
    "signal_exit_code",
    "run_timeout_multiplier",
    "compile_timeout_multiplier",
    "pre_cmd_timeout_multiplier",
    "extra_run_opts",
    "extra_hc_opts",
    "extra_files",
    "extra_clean",
    "set_stdin",
    "use_specs",
    "pre_cmd",
    "cmd_prefix",
    "cmd_wrapper",
    "compile_cmd_prefix",
    "check_stdout",
    "outputdir",
    "normalise_fun",
    "normalise_errmsg_fun",
    "normalise_version",
    "normalise_whitespace_fun",
    "filter_stdout_lines",
    "limit_stdout_lines",
    "grep_errmsg",
    "multiline_grep_errmsg",
    "check_errmsg",
    "grep_prof",
    "normalise_prof_fun",
    "req_hadrian_deps",
    "collect_compiler_stats",
    "collect_stats",
    "collect_runtime_residency",
    "collect_compiler_residency",
    "collect_compiler_runtime",
    "collect_size",
    "collect_size_dir",
    "collect_object_size",
    "collect_compiler_perf",
];

const PREDICATES: [&str; 36] = [
    "arch",
    "platform",
    "opsys",
    "wordsize",
    "js_arch",
    "wasm_arch",
    "on_windows",
    "msys",
    "cygwin",
    "have_vanilla",
    "have_ncg",
    "have_llvm",
    "have_dynamic",
    "have_dynamic_prof",
    "have_profiling",
    "have_threaded",
    "in_tree_compiler",
    "unregisterised",
    "compiler_profiled",
    "compiler_debugged",
    "debug_rts",
    "have_gdb",
    "have_readelf",
    "have_fast_bignum",
    "have_slow_bignum",
    "llvm_build",
    "have_thread_sanitizer",
    "gcc_as_cmmp",
    "doing_ghci",
    "ghc_dynamic",
    "leading_underscore",
    "tables_next_to_code",
    "fast",
    "slow",
    "needsTargetWrapper",
    "exe_extension",
];

/// Look a name up: its `'static` spelling and kind.
pub fn lookup(name: &str) -> Option<(&'static str, Kind)> {
    let find = |list: &[&'static str]| list.iter().copied().find(|n| *n == name);
    if name == "test" {
        return Some(("test", Kind::Test));
    }
    if name == "setTestOpts" {
        return Some(("setTestOpts", Kind::SetTestOpts));
    }
    if let Some(setup) = plain_option(name) {
        let n = REQUIRES
            .iter()
            .map(|(n, _)| *n)
            .chain(PLAIN_NAMES)
            .find(|n| *n == name)
            .unwrap_or("option");
        return Some((n, Kind::Option(setup)));
    }
    if let Some(n) = find(&CONSTRUCTORS) {
        return Some((n, Kind::Constructor));
    }
    if let Some(n) = find(&PREDICATES) {
        return Some((n, Kind::Predicate));
    }
    let norm = match name {
        "normalise_errmsg" => Some(Norm::Errmsg),
        "normalise_output" => Some(Norm::Output),
        "normalise_slashes_" => Some(Norm::Slashes),
        "normalise_exe_" => Some(Norm::Exe),
        "normalise_whitespace" => Some(Norm::Whitespace),
        "normalise_callstacks" => Some(Norm::Callstacks),
        "normalise_type_reps" => Some(Norm::TypeReps),
        _ => None,
    };
    if let Some(n) = norm {
        return Some((n.static_name(), Kind::Normaliser(n)));
    }
    if name == "normalise_version_" {
        return Some(("normalise_version_", Kind::NormaliserFn));
    }
    let funcs = RUN_FUNCS
        .iter()
        .chain(&COMPILE_FUNCS)
        .chain(&SHELL_FUNCS)
        .chain(SKIPPED_FUNCS.iter().map(|(n, _)| n))
        .copied()
        .find(|n| *n == name);
    funcs.map(|n| (n, Kind::TestFunction))
}

/// The kind of a `'static` driver name found by [`lookup`].
pub fn kind(name: &str) -> Option<Kind> {
    lookup(name).map(|(_, k)| k)
}

/// Spellings of the plain options, for [`lookup`]'s `'static` names.
const PLAIN_NAMES: [&str; 37] = [
    "normal",
    "skip",
    "expect_fail",
    "ignore_stdout",
    "ignore_stderr",
    "combined_output",
    "high_memory_usage",
    "wasm_skip",
    "js_skip",
    "windows_skip",
    "literate",
    "c_src",
    "cxx_src",
    "objc_src",
    "objcxx_src",
    "cmm_src",
    "omit_ghci",
    "only_ghci",
    "normalise_slashes",
    "normalise_exe",
    "normalise_drive_letter",
    "no_deps",
    "no_lint",
    "copy_files",
    "ignore_extension",
    "multi_cpu_race",
    "keep_prof_callstacks",
    "no_check_hp",
    "normalise_win32_io_errors",
    "req_c",
    "req_cxx",
    "req_cmm",
    "req_c_rts",
    "req_ffi_exports",
    "req_asm",
    "stage1",
    "req_hadrian_deps",
];
