//! Turning a `test(...)` declaration into a [`Case`], the way GHC's driver
//! would run it: which source, which goldens (word-size and platform
//! variants), which files go into the test's private directory, what is
//! expected, and why a test is skipped.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use super::config::Config;
use super::discover::FileTests;
use super::host::{Arg, Declared};
use super::names::{COMPILE_FUNCS, RUN_FUNCS, SKIPPED_FUNCS};
use super::normalise;
use super::setup::{Expect, TestOpts};
use crate::{
    ANY_ENGINE, Case, CaseExpect, CaseKind, CaseRun, CaseSource, Expectation, Input, Mode,
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
}

/// Files the driver never copies into a test's directory (build products).
const DO_NOT_COPY: [&str; 7] = [
    ".hi", ".o", ".dyn_hi", ".dyn_o", ".out", ".hi-boot", ".o-boot",
];

/// The case for test `t` of file `f`.
pub fn case(f: &FileTests, t: &Declared, d: &Defaults) -> Case {
    let o = &t.opts;
    let (mode, func_skip) = mode_of(&t.func);
    let (top_mod, extra_mods, hc_opts) = split_args(&t.func, &t.args);
    let ext = o.source_ext.unwrap_or(d.source_ext.as_str());
    let src_name = match &top_mod {
        Some(m) if Path::new(m).extension().is_some() => m.clone(),
        Some(m) => format!("{m}.{ext}"),
        None => format!("{}.{ext}", t.name),
    };
    let mut flags: Vec<&str> = extra_mods.iter().map(String::as_str).collect();
    flags.push(hc_opts.trim());
    flags.push(o.extra_hc_opts.trim());
    let flags = flags
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let expectation = expectation(t, mode, func_skip, &d.config);
    let expect: BTreeMap<String, Expectation> = match expectation {
        Some(e) => BTreeMap::from([(ANY_ENGINE.to_owned(), e)]),
        None => BTreeMap::new(),
    };
    let mut inputs = inputs(f, &t.name, o);
    for extra in std::iter::once(&src_name).chain(&extra_mods) {
        if !inputs.iter().any(|i| &i.dest == extra) {
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
    let args = shell_words::split(o.extra_run_opts.trim()).unwrap_or_else(|_| {
        o.extra_run_opts
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    });
    let mut info = vec![
        ("file".to_owned(), f.file.clone()),
        ("line".to_owned(), t.line.to_string()),
        ("func".to_owned(), t.func.clone()),
        ("options".to_owned(), o.applied.join(", ")),
        ("expect".to_owned(), o.expect.as_str().to_owned()),
    ];
    if !o.unknown.is_empty() {
        info.push(("unknown".to_owned(), o.unknown.join(", ")));
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
    };
    let expect = CaseExpect {
        exit_code: i32::try_from(o.exit_code).unwrap_or(i32::MAX),
        golden_stdout: golden("stdout"),
        golden_stderr: golden("stderr"),
        engines: expect,
        mode,
        normalize: Some(normalise::for_test(
            &o.stdout_norms,
            &o.stderr_norms,
            o.whitespace.as_ref(),
        )),
        ignore_stdout: o.ignore_stdout,
        ignore_stderr: o.ignore_stderr || o.combined_output,
    };
    Case {
        name: t.name.clone(),
        source: CaseSource {
            src: f.dir.join(&src_name),
            dir: f.dir.clone(),
            stem: t.name.clone(),
        },
        run,
        expect,
        info,
        kind: CaseKind::Ghc { flags, inputs },
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

/// Skip, expected failure or fragility, as the driver decides it for the
/// first way the test runs in.
fn expectation(
    t: &Declared,
    mode: Mode,
    func_skip: Option<String>,
    config: &Config,
) -> Option<Expectation> {
    let o: &TestOpts = &t.opts;
    if let Some(why) = o.skip.clone().or(func_skip) {
        return Some(Expectation::Skip(why));
    }
    let mut ways = config.ways(mode == Mode::CompileAndRun);
    ways.extend(
        o.extra_ways
            .iter()
            .filter(|w| !ways.contains(w))
            .cloned()
            .collect::<Vec<_>>(),
    );
    let runnable: Vec<&String> = ways
        .iter()
        .filter(|w| o.only_ways.as_ref().is_none_or(|only| only.contains(w)))
        .filter(|w| !o.omit_ways.contains(w))
        .collect();
    let Some(way) = runnable.first() else {
        let mut why = format!("no way to run it in (configured: {})", ways.join(", "));
        if let Some(only) = &o.only_ways {
            why.push_str(&format!("; only_ways {}", only.join(", ")));
        }
        if !o.omit_ways.is_empty() {
            why.push_str(&format!("; omit_ways {}", o.omit_ways.join(", ")));
        }
        return Some(Expectation::Skip(why));
    };
    match &o.expect {
        Expect::Fail => return Some(Expectation::XFail("expect_fail".into())),
        Expect::Broken(n) => return Some(Expectation::XFail(format!("expect_broken(#{n})"))),
        Expect::Pass => {}
    }
    if o.expect_fail_for.contains(way) {
        return Some(Expectation::XFail(format!("expected to fail in way {way}")));
    }
    match &o.fragile {
        Some((n, fways)) if fways.is_empty() || fways.contains(way) => {
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
    let ws = format!("-ws-{}", config.text("wordsize"));
    let plats = [
        format!("-{}", config.text("platform")),
        format!("-{}", config.text("os")),
        String::new(),
    ];
    for plat in &plats {
        for w in [ws.as_str(), ""] {
            let candidate = format!("{base}{w}{plat}");
            if f.listing.binary_search(&candidate).is_ok() {
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
