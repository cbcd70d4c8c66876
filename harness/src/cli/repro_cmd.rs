//! `xharness repro NAME --engine E -o DIR`: a self-contained folder for a
//! bug report about one (case, engine).
//!
//! The folder holds the module (named as the guest's argv[0]), its stdin,
//! copies of its directories, the goldens, what the guest printed, a
//! `README.txt` (verdict, diff, both repro lines) and `run.sh`, which runs
//! the case with `xharness run` from the folder alone (no suite, no
//! toolchain, no cache) and exits with the guest's status; `run.sh --cli`
//! uses the engine's own CLI, `run.sh --check` says `reproduced` (exit 0) or
//! what differs from the recorded run (exit 1). The record is the last
//! run's when it kept one (it did not pass), else the case is run now.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use clap::Parser as _;
use xharness_reports::{CaseResult, OutcomeKind};
use xharness_suites::Case;

use super::args::{Cli, ReproArgs};
use crate::repro::Dir;
use crate::session::{Options, Session};
use crate::worker::{Pool, WorkerCommand};

pub(super) fn main(
    args: &ReproArgs,
    registry: &xharness_engines::Registry,
    env: &crate::config::Env,
) -> ExitCode {
    match run(args, registry, env) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => crate::error::report("xharness repro", &message),
    }
}

/// The suite options of a normal run that selects the same suite.
fn suite_args(args: &ReproArgs, engine: &str) -> crate::Result<super::SuiteArgs> {
    let mut argv: Vec<String> = vec!["xharness".into()];
    if let Some(s) = &args.suite {
        argv.extend(["--suite".into(), s.clone()]);
    }
    if let Some(r) = &args.root {
        argv.extend(["--root".into(), r.display().to_string()]);
    }
    if !args.binaries.is_empty() {
        argv.extend(["--binaries".into(), args.binaries.join(",")]);
    }
    if let Some(d) = &args.cache_dir {
        argv.extend(["--cache-dir".into(), d.display().to_string()]);
    }
    argv.extend(["--engine".into(), engine.into()]);
    Cli::try_parse_from(&argv)
        .map(|cli| cli.suite)
        .map_err(|e| crate::Error::usage(e.to_string()))
}

fn run(
    args: &ReproArgs,
    registry: &xharness_engines::Registry,
    env: &crate::config::Env,
) -> crate::Result<()> {
    let engine = crate::registry::one_engine(registry, args.engine.as_deref())?;
    let sargs = suite_args(args, &engine)?;
    let engines = vec![engine.clone()];
    let cache_dir = sargs
        .cache_dir
        .clone()
        .unwrap_or_else(|| env.cache_dir.clone());
    let pool = Pool::new(WorkerCommand::current_exe()?, &engines);
    let ready = super::run_suite::load_suite(&sargs, &engines, &pool, &cache_dir, 1, env)?;
    let suite = ready.suite;
    let Some(index) = suite.cases.iter().position(|c| c.name == args.case) else {
        let near: Vec<&str> = suite
            .cases
            .iter()
            .map(|c| c.name.as_str())
            .filter(|n| n.contains(args.case.as_str()))
            .take(5)
            .collect();
        let hint = if near.is_empty() {
            "see --list".to_string()
        } else {
            format!("did you mean {}?", near.join(", "))
        };
        return Err(format!(
            "suite {} has no case named {:?}; {hint}",
            suite.name, args.case
        )
        .into());
    };
    let kept = crate::state::load_kept(&cache_dir, &suite.file, &args.case, &engine)?;
    let mut opts = Options::new(cache_dir, WorkerCommand::current_exe()?).with_env(env);
    opts.exe = std::env::current_exe().ok();
    opts.jobs = 1;
    opts.known_modules = ready.module_hashes;
    opts.origin = Some(sargs.origin());
    let session = Session::with_pool(suite, engines, opts, pool, registry)?;
    let (kept, origin) = match kept {
        Some(k) => (k, "the last run's record"),
        None => {
            let mut record = session.run_one(index, &engine);
            session.finish_one(index, &mut record);
            let kept = crate::state::Kept {
                stdout: record.raw_stdout,
                stderr: record.raw_stderr,
                result: record.result,
            };
            (kept, "a run made now (the last run kept no record of it)")
        }
    };
    let module = session.module_of(index)?;
    let case = &session.suite().cases[index];
    write_folder(&args.out, case, &engine, &module, &kept, origin)?;
    println!(
        "wrote {} ({} on {engine}: {}, from {origin}); run it with sh {}/run.sh [--cli|--check]",
        args.out.display(),
        case.name,
        kept.result.status.label(),
        args.out.display()
    );
    Ok(())
}

/// The status `xharness run` exits with for this record's outcome.
fn exit_status(r: &CaseResult) -> i32 {
    match r.outcome.as_ref().map(|o| o.kind) {
        Some(OutcomeKind::Exited) => r.exit_code.unwrap_or(0),
        Some(OutcomeKind::Trapped | OutcomeKind::Memory) => 134,
        Some(OutcomeKind::Timeout) => 124,
        _ => 2,
    }
}

fn write_folder(
    out: &Path,
    case: &Case,
    engine: &str,
    module: &Path,
    kept: &crate::state::Kept,
    origin: &str,
) -> crate::Result<()> {
    let io = |p: &Path, e: std::io::Error| crate::Error::io("write", p, e);
    std::fs::create_dir_all(out).map_err(|e| io(out, e))?;
    let put = |name: &str, bytes: &[u8]| {
        let p = out.join(name);
        std::fs::write(&p, bytes).map_err(|e| io(&p, e))
    };
    let wasm = format!("{}.wasm", case.source.stem);
    std::fs::copy(module, out.join(&wasm)).map_err(|e| io(&out.join(&wasm), e))?;
    if let Some(stdin) = case.run.stdin.as_ref().filter(|p| p.is_file()) {
        std::fs::copy(stdin, out.join("stdin")).map_err(|e| io(&out.join("stdin"), e))?;
    }
    for (i, d) in case.run.dirs.iter().enumerate() {
        let dest = out.join("dirs").join(i.to_string());
        copy_tree(&d.host, &dest).map_err(|e| io(&dest, e))?;
    }
    if case.run.scratch {
        crate::scratch::copy_inputs(case.inputs(), &out.join("scratch"))?;
    }
    for (golden, name) in [
        (&case.expect.golden_stdout, "expected.stdout"),
        (&case.expect.golden_stderr, "expected.stderr"),
    ] {
        if golden.is_file() {
            std::fs::copy(golden, out.join(name)).map_err(|e| io(&out.join(name), e))?;
        }
    }
    put("observed.stdout", &kept.stdout)?;
    put("observed.stderr", &kept.stderr)?;
    put(
        "exit-status",
        format!("{}\n", exit_status(&kept.result)).as_bytes(),
    )?;
    put("README.txt", readme(case, engine, kept, origin).as_bytes())?;
    let script = run_sh(case, engine, &wasm);
    put("run.sh", script.as_bytes())?;
    set_executable(&out.join("run.sh")).map_err(|e| io(&out.join("run.sh"), e))
}

fn set_executable(p: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755))
}

/// Copy a directory tree, leaving out Cargo build folders (a libtest
/// package's `target/`, marked by `CACHEDIR.TAG`).
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            if path.join("CACHEDIR.TAG").is_file() {
                continue;
            }
            copy_tree(&path, &dest)?;
        } else {
            std::fs::copy(&path, &dest)?;
        }
    }
    Ok(())
}

fn readme(case: &Case, engine: &str, kept: &crate::state::Kept, origin: &str) -> String {
    let r = &kept.result;
    let mut t = String::new();
    let _ = writeln!(t, "{} on {engine}: {}", case.name, r.status.label());
    if let Some(reason) = r.reason {
        let _ = writeln!(t, "reason: {reason}");
    }
    if let Some(sig) = &r.signature {
        let _ = writeln!(t, "signature: {sig}");
    }
    let _ = writeln!(
        t,
        "recorded from {origin}; the guest's exit status: {}\n",
        exit_status(r)
    );
    t.push_str(&xharness_reports::render::failure_text(
        &r.detail,
        &r.mismatches,
        false,
    ));
    if let Some(repro) = &r.repro {
        let _ = writeln!(t, "\nFrom the suite (where the run was started):");
        t.push_str(&xharness_reports::render::repro_text(repro));
    }
    t.push_str(
        "\nFrom this folder alone:\n  sh run.sh           run it with `xharness run` (XHARNESS, else xharness on PATH, else the binary that wrote this folder)\n  sh run.sh --cli     run it with the engine's own command-line tool\n  sh run.sh --check   run it and compare with the recorded outcome: prints `reproduced` or what differs\n\nFiles: the module, stdin, dirs/N (copies of the preopened directories), scratch/ (the case's\nworking directory), expected.* (goldens), observed.* (what the guest printed), exit-status.\n",
    );
    t
}

fn q(s: &str) -> String {
    shell_words::quote(s).into_owned()
}

/// `run.sh`: fresh copies of the directories in a temporary folder, then
/// the case with `xharness run` or the engine's CLI.
fn run_sh(case: &Case, engine: &str, wasm: &str) -> String {
    let mut s = String::from(
        "#!/bin/sh\n# Generated by xharness repro: re-runs one case from this folder alone.\nset -u\nhere=$(cd \"$(dirname \"$0\")\" && pwd)\nwork=$(mktemp -d)\ntrap 'rm -rf \"$work\"' EXIT\n",
    );
    let mut xh_dirs = Vec::new();
    let mut cli_dirs = Vec::new();
    if case.run.scratch {
        s.push_str("mkdir -p \"$work/scratch\" && cp -R \"$here/scratch/.\" \"$work/scratch\"\n");
        xh_dirs.push("--dir \"$work/scratch::.\"".to_string());
        cli_dirs.push(Dir {
            host: "\"$work/scratch\"".into(),
            guest: ".".into(),
        });
    }
    for (i, d) in case.run.dirs.iter().enumerate() {
        let _ = writeln!(
            s,
            "mkdir -p \"$work/d{i}\" && cp -R \"$here/dirs/{i}/.\" \"$work/d{i}\""
        );
        let ro = if d.read_only { ":ro" } else { "" };
        xh_dirs.push(format!("--dir \"$work/d{i}::\"{}{ro}", q(&d.guest)));
        cli_dirs.push(Dir {
            host: format!("\"$work/d{i}\""),
            guest: d.guest.clone(),
        });
    }
    let stdin = if case.run.stdin.as_ref().is_some_and(|p| p.is_file()) {
        "\"$here/stdin\""
    } else {
        "/dev/null"
    };
    let envs: Vec<String> = case
        .run
        .env
        .iter()
        .map(|(k, v)| format!("--env {}", q(&format!("{k}={v}"))))
        .collect();
    let args: Vec<String> = case.run.args.iter().map(|a| q(a)).collect();
    let _ = writeln!(
        s,
        "xh=${{XHARNESS:-$(command -v xharness || echo {})}}\nrun_xharness() {{\n  \"$xh\" run --engine {engine} --timeout {} --max-memory {} --cache-dir \"$work/cache\" {} {} -- \"$here/{wasm}\" {} < {stdin}\n}}",
        q(
            &std::env::current_exe()
                .map_or_else(|_| "xharness".into(), |p| p.display().to_string())
        ),
        case.run.timeout.as_secs_f64(),
        case.run.max_memory,
        envs.join(" "),
        xh_dirs.join(" "),
        args.join(" ")
    );
    let module = format!("\"$here/{wasm}\"");
    let cli = match crate::repro::cli_command(engine, case, &module, &cli_dirs, stdin) {
        Ok(line) => line,
        Err(why) => format!("echo {} >&2; return 2", q(&why.to_string())),
    };
    let _ = writeln!(s, "run_cli() {{\n  {cli}\n}}");
    s.push_str(
        "case \"${1:-}\" in\n  --cli) run_cli; exit $? ;;\n  --check)\n    run_xharness > \"$work/out\" 2> \"$work/err\"\n    code=$?\n    want=$(cat \"$here/exit-status\")\n    diffs=\"\"\n    [ \"$code\" = \"$want\" ] || diffs=\"${diffs}exit status $code, recorded $want\n\"\n    cmp -s \"$work/out\" \"$here/observed.stdout\" || diffs=\"${diffs}stdout differs from observed.stdout\n\"\n    grep -v '^xharness' \"$work/err\" > \"$work/err.guest\"\n    grep -v '^xharness' \"$here/observed.stderr\" > \"$work/err.kept\"\n    cmp -s \"$work/err.guest\" \"$work/err.kept\" || diffs=\"${diffs}stderr differs from observed.stderr\n\"\n    if [ -z \"$diffs\" ]; then echo reproduced; exit 0; fi\n    printf '%s' \"$diffs\"; exit 1 ;;\n  \"\") run_xharness; exit $? ;;\n  *) echo \"usage: sh run.sh [--cli|--check]\" >&2; exit 2 ;;\nesac\n",
    );
    s
}
