//! A WASI-testsuite-format suite on both engines in one xharness run,
//! against the usual way: one `wasmtime run` process per test, one engine.
//! Caches are warm on both sides (xharness's module cache; wasmtime's
//! with `-C cache=y`), and both sides run two at a time on this 2-core
//! machine. Prints medians of `REPS` runs, interleaved.
//!
//! `cargo bench -p xharness --bench wasi_speed -- DIR [--wasmtime PATH]`
//!
//! DIR is a folder of WASI-testsuite tests (`*.wasm` + `NAME.json`), e.g.
//! the `tests/*/testsuite/wasm32-wasip1` folders of a checkout of
//! WebAssembly/wasi-testsuite (branch `prod/testsuite-base`) copied into
//! one. The baseline passes each test's args, env and preopened folders
//! to `wasmtime run` as the official runner's wasmtime adapter does, in
//! place, removing the `*.cleanup` entries tests leave after each test as
//! the runner does (xharness gives each run a private copy instead).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use xharness_suites::{Case, Expectation};

mod common;

const EXE: &str = env!("CARGO_BIN_EXE_xharness");
const REPS: usize = 5;

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let mut root: Option<PathBuf> = None;
    let mut wasmtime = String::from("wasmtime");
    while let Some(a) = args.next() {
        match a.as_str() {
            "--wasmtime" => wasmtime = args.next().unwrap_or(wasmtime),
            _ => root = Some(PathBuf::from(a)),
        }
    }
    let Some(root) = root else {
        eprintln!("usage: wasi_speed DIR [--wasmtime PATH]");
        std::process::exit(2);
    };
    let suite = match xharness_suites::load_builtin("wasi-testsuite", Some(&root)) {
        Some(Ok(s)) => s,
        Some(Err(e)) => panic!("{e}"),
        None => panic!("no built-in wasi-testsuite kind"),
    };
    let runnable: Vec<&Case> = suite
        .cases
        .iter()
        .filter(|c| !matches!(c.expectation("wasmtime"), Some(Expectation::Skip(_))))
        .collect();
    println!(
        "{} modules ({} runnable) under {}",
        suite.cases.len(),
        runnable.len(),
        root.display()
    );
    let cache = tempfile::tempdir().expect("temp dir");
    let ours = || xharness(&root, cache.path());
    let theirs = || wasmtime_per_test(&wasmtime, &runnable);
    ours();
    theirs();
    let (a, b) = common::interleaved(REPS, ours, theirs);
    println!(
        "xharness, wasmtime and wasmer, one run:       median {:>7.0} ms",
        ms(a)
    );
    println!(
        "wasmtime run, one process per test (-P2):     median {:>7.0} ms",
        ms(b)
    );
    println!(
        "xharness (2 engines) / wasmtime CLI (1 engine): {:.2}",
        a.as_secs_f64() / b.as_secs_f64()
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn xharness(root: &Path, cache: &Path) -> Duration {
    let start = Instant::now();
    let status = Command::new(EXE)
        .args(["--suite", "wasi-testsuite", "--root"])
        .arg(root)
        .args(["--engine", "wasmtime,wasmer", "-j", "2"])
        .env("XHARNESS_CACHE_DIR", cache)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("xharness starts");
    let took = start.elapsed();
    // Failures are fine here (engines differ on some tests); a usage error is not.
    assert!(status.code() != Some(2), "xharness could not run the suite");
    took
}

/// Remove the `*.cleanup` files and folders a test left in `dir`.
fn remove_cleanup(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        if e.file_name().to_string_lossy().ends_with(".cleanup") {
            let p = e.path();
            let _ = std::fs::remove_dir_all(&p).or_else(|_| std::fs::remove_file(&p));
        }
    }
}

/// Every case through its own `wasmtime run`, on two threads (each takes
/// every other case), as `xargs -P2` would.
fn wasmtime_per_test(wasmtime: &str, cases: &[&Case]) -> Duration {
    let start = Instant::now();
    std::thread::scope(|s| {
        for lane in 0..2 {
            s.spawn(move || {
                for c in cases.iter().skip(lane).step_by(2) {
                    let mut cmd = Command::new(wasmtime);
                    cmd.args(["run", "-C", "cache=y"]);
                    for d in &c.run.dirs {
                        cmd.arg("--dir")
                            .arg(format!("{}::{}", d.host.display(), d.guest));
                    }
                    for (k, v) in &c.run.env {
                        cmd.arg("--env").arg(format!("{k}={v}"));
                    }
                    cmd.arg(&c.source.src).args(&c.run.args);
                    let _ = cmd
                        .stdin(Stdio::null())
                        .stdout(Stdio::null())
                        .stderr(Stdio::null())
                        .status();
                    // The official runner's cleanup: tests leave `*.cleanup`
                    // entries in the directories they were given.
                    for d in &c.run.dirs {
                        remove_cleanup(&d.host);
                    }
                }
            });
        }
    });
    start.elapsed()
}
