//! Turning a `test(...)` declaration into a [`Case`], the way GHC's driver
//! would run it: which source, which goldens (word-size and platform
//! variants), which files go into the test's private directory, what is
//! expected, and why a test is skipped.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::config::Config;
use super::discover::FileTests;
use super::host::{Arg, Declared};
use super::names::{COMPILE_FUNCS, RUN_FUNCS, SHELL_FUNCS, SKIPPED_FUNCS};
use super::normalise;
use super::setup::{Expect, TestOpts};
use crate::{
    ANY_ENGINE, Case, CaseExpect, CaseKind, CaseRun, CaseSource, Expectation, Input, Mode,
    StreamNormalize,
};

/// Suite-wide settings every case starts from.
#[derive(Debug, Clone)]
pub struct Defaults {
    /// The target description.
    pub config: Config,
    /// Extension of a test's main source when no option picks one (`hs`).
    pub source_ext: String,
    /// Run time limit before `run_timeout_multiplier`.
    pub timeout: Duration,
    /// Linear-memory limit.
    pub max_memory: u64,
    /// Output cap per stream.
    pub max_output: usize,
    /// What every shell step sees: GHC's make variables, and the names
    /// among them given to `make` ([`super::shell::make_env`]).
    pub shell_env: (Vec<(String, String)>, Vec<String>),
    /// The driver's normalisers for a test that adds none of its own,
    /// shared by all such cases.
    pub plain_norms: Arc<StreamNormalize>,
}

/// Files the driver never copies into a test's directory (build products).
const DO_NOT_COPY: [&str; 7] = [
    ".hi", ".o", ".dyn_hi", ".dyn_o", ".out", ".hi-boot", ".o-boot",
];

/// One case per way test `t` of file `f` is declared for, named
/// `NAME(WAY)` as GHC's driver names them. A way the test may not run in
/// is a skipped case saying why; a test with no way at all (a GHCi script
/// without an interpreter) is one skipped case named `NAME`.
pub fn cases(f: &FileTests, t: &Declared, d: &Defaults) -> Vec<Case> {
    let (mode, func_skip) = mode_of(&t.func);
    let plan = WayPlan::of(t, &d.config);
    if plan.all.is_empty() {
        let why =
            t.opts.skip.clone().or(func_skip).unwrap_or_else(|| {
                format!("{}: no way to run it in (no interpreter here)", t.func)
            });
        return vec![case_in(f, t, d, None, mode, Some(Expectation::Skip(why)))];
    }
    plan.all
        .iter()
        .map(|way| {
            let expectation = expectation(t, way, plan.skip_reason(t, way), func_skip.clone());
            case_in(f, t, d, Some(way), mode, expectation)
        })
        .collect()
}

/// The first case of test `t` (its first way): for tests and fuzzing.
pub fn case(f: &FileTests, t: &Declared, d: &Defaults) -> Case {
    cases(f, t, d).swap_remove(0)
}

/// Which ways a test is declared for and which of them it runs in, as
/// GHC's driver (`test_common_work`) works them out.
struct WayPlan {
    /// `all_ways`: by test function, then the test's `extra_ways`.
    all: Vec<String>,
    /// `cmdline_ways` (`--ways`); empty: no restriction.
    cmdline: Vec<String>,
    /// The ways the test runs in (`do_ways`).
    run: Vec<String>,
}

impl WayPlan {
    fn of(t: &Declared, config: &Config) -> Self {
        let o = &t.opts;
        let mut all = match t.func.as_str() {
            "compile" | "multimod_compile" => config.ways(false),
            "compile_and_run" | "multi_compile_and_run" | "multimod_compile_and_run" => {
                config.ways(true)
            }
            "ghci_script" if config.flag("have_interp") => vec!["ghci".into(), "ghci-opt".into()],
            "ghci_script" => Vec::new(),
            "makefile_test" | "run_command" => {
                let mut w = config.ways(false);
                w.extend(config.ways(true));
                w
            }
            _ => vec!["normal".to_owned()],
        };
        all.extend(o.extra_ways.iter().cloned());
        let mut seen = std::collections::HashSet::new();
        all.retain(|w| seen.insert(w.clone()));
        let cmdline = config.strings("cmdline_ways");
        let mut run: Vec<String> = all
            .iter()
            .filter(|w| o.only_ways.as_ref().is_none_or(|only| only.contains(w)))
            .filter(|w| cmdline.is_empty() || cmdline.contains(w))
            .filter(|w| !o.omit_ways.contains(w))
            .cloned()
            .collect();
        // At a speed above 0 (`[config] speed`), the driver runs one way
        // and the test's explicit extra ways; at 0 (slow), every way.
        if matches!(config.get("speed"), Some(super::ConfigValue::Int(n)) if *n > 0) {
            let (explicit, other): (Vec<String>, Vec<String>) =
                run.into_iter().partition(|w| o.extra_ways.contains(w));
            run = other.into_iter().take(1).chain(explicit).collect();
        }
        WayPlan { all, cmdline, run }
    }

    /// Why the test does not run in `way`, when it does not.
    fn skip_reason(&self, t: &Declared, way: &str) -> Option<String> {
        if self.run.iter().any(|w| w == way) {
            return None;
        }
        let o = &t.opts;
        let w = way.to_owned();
        Some(match &o.only_ways {
            Some(only) if !only.contains(&w) => {
                format!("way {way}: only_ways {}", only.join(", "))
            }
            _ if o.omit_ways.contains(&w) => {
                format!("way {way}: omit_ways {}", o.omit_ways.join(", "))
            }
            _ if !self.cmdline.is_empty() && !self.cmdline.contains(&w) => {
                format!("way {way}: not in --ways {}", self.cmdline.join(","))
            }
            _ => format!("way {way}: the driver runs one way at this speed"),
        })
    }
}

/// The case for test `t` in `way` (`None`: the test has no way).
fn case_in(
    f: &FileTests,
    t: &Declared,
    d: &Defaults,
    way: Option<&String>,
    mode: Mode,
    expectation: Option<Expectation>,
) -> Case {
    let o = &t.opts;
    let (top_mod, extra_mods, hc_opts) = split_args(&t.func, &t.args);
    let ext = o.source_ext.unwrap_or(d.source_ext.as_str());
    let src_name = match &top_mod {
        Some(m) if Path::new(m).extension().is_some() => m.clone(),
        Some(m) => format!("{m}.{ext}"),
        None => format!("{}.{ext}", t.name),
    };
    // As the driver's compile command (`simple_build`): the options'
    // `extra_hc_opts`, the way's flags, then the modules and the test's
    // own arguments (so a test can override its way). A shell test's
    // argument is its target or command, not flags.
    let way_flags = way.map_or_else(Vec::new, |w| d.config.way_flags("way_flags", w));
    let always = d.config.strings("compiler_always_flags");
    let mut flags: Vec<&str> = always.iter().map(String::as_str).collect();
    flags.push(o.extra_hc_opts.trim());
    flags.extend(way_flags.iter().map(String::as_str));
    flags.extend(extra_mods.iter().map(String::as_str));
    flags.push(hc_opts.trim());
    let flags = match mode {
        Mode::Shell => String::new(),
        _ => flags
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
    };
    let expect: BTreeMap<String, Expectation> = match expectation {
        Some(e) => BTreeMap::from([(ANY_ENGINE.to_owned(), e)]),
        None => BTreeMap::new(),
    };
    let mut inputs = inputs(f, &t.name, o);
    for extra in std::iter::once(&src_name).chain(&extra_mods) {
        // A pre_cmd may write a source the folder does not have yet.
        // A shell test compiles nothing of its own.
        let made_later = o.pre_cmd.is_some() && !f.dir.join(extra).exists();
        if mode != Mode::Shell && !made_later && !inputs.iter().any(|i| &i.dest == extra) {
            inputs.push(Input {
                host: f.dir.join(extra),
                dest: extra.clone(),
            });
        }
    }
    let golden = |suffix: &str| f.dir.join(expected_file(f, &t.name, suffix, o, &d.config));
    let stdin = f.dir.join(match &o.stdin {
        Some(s) => s.clone(),
        None => format!("{}.stdin", t.name),
    });
    let k = o.run_timeout_multiplier;
    let k = if k.is_finite() {
        k.clamp(0.01, 1000.0)
    } else {
        1.0
    };
    let timeout =
        std::time::Duration::try_from_secs_f64(d.timeout.as_secs_f64() * k).unwrap_or(d.timeout);
    // The program's arguments, as the driver builds them: the way's RTS
    // flags as `+RTS … -RTS`, then `extra_run_opts`.
    let rts = way.map_or_else(Vec::new, |w| d.config.way_flags("way_rts_flags", w));
    let mut args = Vec::new();
    if !rts.is_empty() {
        args.push("+RTS".to_owned());
        args.extend(rts);
        args.push("-RTS".to_owned());
    }
    args.extend(
        shell_words::split(o.extra_run_opts.trim()).unwrap_or_else(|_| {
            o.extra_run_opts
                .split_whitespace()
                .map(str::to_owned)
                .collect()
        }),
    );
    // `makefile_test` and `run_command` ignore the way: no way flags, no
    // RTS flags, no `extra_run_opts` (the driver runs them in way '').
    if mode == Mode::Shell {
        args.clear();
    }
    let mut program = vec![format!("./{}.wasm", t.name)];
    program.extend(args.iter().cloned());
    let shell = super::shell::steps(
        t,
        &d.config,
        &d.shell_env,
        mode,
        &hc_opts,
        &shell_words::join(&program),
    );
    // The driver copies the folder's Makefile for a test that drives a shell.
    if shell.is_some() && f.listing.binary_search(&"Makefile".to_owned()).is_ok() {
        inputs.push(Input {
            host: f.dir.join("Makefile"),
            dest: "Makefile".into(),
        });
    }
    let python = super::pynorm::PythonNorms::of(
        f.dir
            .join(Path::new(&f.file).file_name().unwrap_or_default()),
        t.line,
        &t.name,
        &d.config,
        &o.stdout_norms,
        &o.stderr_norms,
    );
    let mut info = vec![
        ("file".to_owned(), f.file.clone()),
        ("line".to_owned(), t.line.to_string()),
        ("func".to_owned(), t.func.clone()),
        ("options".to_owned(), o.applied.join(", ")),
        ("expect".to_owned(), o.expect.as_str().to_owned()),
        ("test".to_owned(), t.name.clone()),
    ];
    if let Some(way) = way {
        info.push(("way".to_owned(), way.clone()));
    }
    if !o.unknown.is_empty() {
        info.push(("unknown".to_owned(), o.unknown.join(", ")));
    }
    if let Some(steps) = &shell {
        for (key, cmd) in [("pre_cmd", &steps.pre_cmd), ("command", &steps.command)] {
            if let Some(cmd) = cmd {
                info.push((key.to_owned(), cmd.clone()));
            }
        }
    }
    let python_norms: Vec<String> = o
        .stdout_norms
        .iter()
        .chain(&o.stderr_norms)
        .filter(|n| matches!(n, normalise::Norm::Python(_)))
        .map(normalise::Norm::label)
        .collect();
    if !python_norms.is_empty() {
        info.push(("python_normalisers".to_owned(), python_norms.join(", ")));
    }
    let unknown_norms: Vec<String> = o
        .stdout_norms
        .iter()
        .chain(&o.stderr_norms)
        .filter(|n| matches!(n, normalise::Norm::Unknown(_)))
        .map(normalise::Norm::label)
        .collect();
    if !unknown_norms.is_empty() {
        info.push(("unapplied_normalisers".to_owned(), unknown_norms.join(", ")));
    }
    let run = CaseRun {
        args,
        env: Vec::new(),
        dirs: Vec::new(),
        stdin: Some(stdin),
        timeout,
        max_memory: d.max_memory,
        max_output: d.max_output,
        scratch: true,
        combine_output: o.combined_output,
    };
    let expect = CaseExpect {
        exit_code: i32::try_from(o.exit_code).unwrap_or(i32::MAX),
        golden_stdout: golden("stdout"),
        golden_stderr: golden("stderr"),
        engines: expect,
        mode,
        normalize: Some(
            if o.stdout_norms.is_empty() && o.stderr_norms.is_empty() && o.whitespace.is_none() {
                d.plain_norms.clone()
            } else {
                Arc::new(normalise::for_test(
                    &o.stdout_norms,
                    &o.stderr_norms,
                    o.whitespace.as_ref(),
                ))
            },
        ),
        ignore_stdout: o.ignore_stdout,
        ignore_stderr: o.ignore_stderr,
    };
    Case {
        name: match way {
            Some(w) => format!("{}({w})", t.name),
            None => t.name.clone(),
        },
        source: CaseSource {
            src: f.dir.join(&src_name),
            dir: f.dir.clone(),
            stem: t.name.clone(),
        },
        run,
        expect,
        info,
        kind: CaseKind::Ghc {
            flags,
            inputs,
            shell: shell.map(Box::new),
            python: python.map(Box::new),
        },
    }
}

/// The mode a test function asks for, or why it is not run here.
fn mode_of(func: &str) -> (Mode, Option<String>) {
    if let Some((_, why)) = SKIPPED_FUNCS.iter().find(|(n, _)| *n == func) {
        return (Mode::Compile, Some(format!("{func}: {why}")));
    }
    match func {
        "multiunit_compile" | "multiunit_compile_fail" => (
            Mode::Compile,
            Some(format!("{func}: needs GHC's -unit files")),
        ),
        "multimod_compile_filter" => (
            Mode::Compile,
            Some(format!(
                "{func}: filters the compiler's output through a shell command"
            )),
        ),
        f if f.ends_with("_fail") && COMPILE_FUNCS.contains(&f) => (Mode::CompileFail, None),
        f if COMPILE_FUNCS.contains(&f) => (Mode::Compile, None),
        f if RUN_FUNCS.contains(&f) => (Mode::CompileAndRun, None),
        f if SHELL_FUNCS.contains(&f) => (Mode::Shell, None),
        other => (
            Mode::Compile,
            Some(format!("unknown test function `{other}`")),
        ),
    }
}

/// `(top module, extra modules, compiler flags)` from a test function's arguments.
fn split_args(func: &str, args: &[Arg]) -> (Option<String>, Vec<String>, String) {
    let text = |i: usize| match args.get(i) {
        Some(Arg::Text(s)) => s.clone(),
        Some(Arg::List(l)) => l.join(" "),
        None => String::new(),
    };
    let list = |i: usize| match args.get(i) {
        Some(Arg::List(l)) => l.clone(),
        Some(Arg::Text(s)) if !s.is_empty() => vec![s.clone()],
        _ => Vec::new(),
    };
    if func.starts_with("multimod_") {
        (Some(text(0)).filter(|s| !s.is_empty()), Vec::new(), text(1))
    } else if func.starts_with("multi_") {
        (Some(text(0)).filter(|s| !s.is_empty()), list(1), text(2))
    } else {
        (None, Vec::new(), text(0))
    }
}

/// Skip, expected failure or fragility of test `t` in `way`, as the
/// driver decides it: a skip first (the test's, its function's, or the
/// way's), then an expected failure, then fragility.
fn expectation(
    t: &Declared,
    way: &str,
    way_skip: Option<String>,
    func_skip: Option<String>,
) -> Option<Expectation> {
    let o: &TestOpts = &t.opts;
    if let Some(why) = o.skip.clone().or(func_skip).or(way_skip) {
        return Some(Expectation::Skip(why));
    }
    match &o.expect {
        Expect::Fail => return Some(Expectation::XFail("expect_fail".into())),
        Expect::Broken(n) => return Some(Expectation::XFail(format!("expect_broken(#{n})"))),
        Expect::Pass => {}
    }
    if o.expect_fail_for.iter().any(|w| w == way) {
        return Some(Expectation::XFail(format!("expected to fail in way {way}")));
    }
    match &o.fragile {
        Some((n, fways)) if fways.is_empty() || fways.iter().any(|w| w == way) => {
            Some(Expectation::Fragile(format!("fragile(#{n})")))
        }
        _ => None,
    }
}

/// The driver's `find_expected_file`: `NAME.SUFFIX` with the first of the
/// variants `-ws-WORDSIZE` × (`-PLATFORM`, `-OS`, none) that exists.
pub fn expected_file(
    f: &FileTests,
    name: &str,
    suffix: &str,
    o: &TestOpts,
    config: &Config,
) -> String {
    let base = o
        .use_specs
        .iter()
        .find(|(k, _)| k == suffix)
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| format!("{name}.{suffix}"));
    // Every candidate starts with `base`, and the listing is sorted: look
    // only among the names that start with it (usually none or one).
    let first = f.listing.partition_point(|n| n.as_str() < base.as_str());
    let named: Vec<&str> = f.listing[first..]
        .iter()
        .take_while(|n| n.starts_with(base.as_str()))
        .map(String::as_str)
        .collect();
    if named.is_empty() {
        return base;
    }
    let ws = format!("-ws-{}", config.text("wordsize"));
    let plats = [
        format!("-{}", config.text("platform")),
        format!("-{}", config.text("os")),
        String::new(),
    ];
    for plat in &plats {
        for w in [ws.as_str(), ""] {
            let candidate = format!("{base}{w}{plat}");
            if named.contains(&candidate.as_str()) {
                return candidate;
            }
        }
    }
    base
}

/// The files the driver copies into a test's directory: every file of
/// the folder whose name starts with the test's name (but is not the name
/// itself, a `.run` folder or a build product), and the `extra_files`.
fn inputs(f: &FileTests, name: &str, o: &TestOpts) -> Vec<Input> {
    // The listing is sorted: the names starting with `name` are one run.
    let first = f.listing.partition_point(|n| n.as_str() < name);
    let mut out: Vec<Input> = f.listing[first..]
        .iter()
        .take_while(|n| n.starts_with(name))
        .filter(|n| n.as_str() != name && !n.ends_with(".run"))
        .filter(|n| !DO_NOT_COPY.iter().any(|ext| n.ends_with(ext)))
        .map(|n| Input {
            host: f.dir.join(n),
            dest: n.clone(),
        })
        .collect();
    for extra in &o.extra_files {
        let trimmed = extra.trim_end_matches(['/', '\\']);
        if trimmed.is_empty() || trimmed.starts_with('/') {
            continue;
        }
        if trimmed.contains('*') {
            let pattern = f.dir.join(trimmed);
            if let Ok(paths) = glob_paths(&pattern) {
                for p in paths {
                    push_input(&mut out, p);
                }
            }
            continue;
        }
        push_input(&mut out, f.dir.join(trimmed));
    }
    out
}

fn push_input(out: &mut Vec<Input>, host: std::path::PathBuf) {
    let dest = host
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !dest.is_empty() && !out.iter().any(|i| i.dest == dest) {
        out.push(Input { host, dest });
    }
}

/// Files matching a `*` pattern (in the last component only, as the
/// tree uses it).
fn glob_paths(pattern: &Path) -> Result<Vec<std::path::PathBuf>, ()> {
    let dir = pattern.parent().ok_or(())?;
    let name = pattern
        .file_name()
        .ok_or(())?
        .to_string_lossy()
        .into_owned();
    let glob = globset::Glob::new(&name).map_err(|_| ())?.compile_matcher();
    let mut found: Vec<_> = std::fs::read_dir(dir)
        .map_err(|_| ())?
        .filter_map(Result::ok)
        .filter(|e| glob.is_match(e.file_name()))
        .map(|e| e.path())
        .collect();
    found.sort();
    Ok(found)
}
