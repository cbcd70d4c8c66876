//! Rust crates' own test suites on wasm32-wasip1: every test its own case
//! in one xharness run, against the usual way, `cargo test --target
//! wasm32-wasip1` with the wasmtime CLI as cargo's runner (each test binary
//! one process, its tests one after another inside it).
//!
//! `cargo bench --profile dev -p xharness --bench libtest_speed -- CRATE_DIR... [--wasmtime PATH] [--reps N]`
//!
//! Both sides are warm: the test binaries are built (`cargo test --no-run`
//! runs first and is cheap after that), xharness's module cache and
//! listing cache are filled by a first run, and the wasmtime CLI runs with
//! its compilation cache on (`-C cache=y`). Each side runs every test
//! binary of the crate (`--no-fail-fast --tests` for cargo: no doc tests,
//! which xharness does not run). Prints the median wall time of
//! the reps, interleaved, and for xharness the bound the issue sets: the
//! longest single test plus the sum of test times over the cores.
//! `CARGO_TARGET_DIR` is passed on to both sides.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const EXE: &str = env!("CARGO_BIN_EXE_xharness");

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let mut crates: Vec<PathBuf> = Vec::new();
    let mut wasmtime = String::from("wasmtime");
    let mut reps = 3usize;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--wasmtime" => wasmtime = args.next().unwrap_or(wasmtime),
            "--reps" => reps = args.next().and_then(|n| n.parse().ok()).unwrap_or(reps),
            // cargo runs benches in harness/: give absolute paths.
            _ => crates.push(std::fs::canonicalize(&a).unwrap_or_else(|e| {
                eprintln!("{a}: {e} (relative paths start at harness/; give absolute ones)");
                std::process::exit(2)
            })),
        }
    }
    if crates.is_empty() {
        eprintln!("usage: libtest_speed CRATE_DIR... [--wasmtime PATH] [--reps N]");
        std::process::exit(2);
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let cache = tempfile::tempdir().expect("temp dir");
    println!("{cores} cores; medians of {reps} runs");
    println!(
        "{:<14} {:>6} {:>10} {:>10} {:>8} {:>12} {:>10} {:>10}",
        "crate", "tests", "cargo+wt", "xh wt", "speedup", "bound wt", "xh both", "cargo ran"
    );
    for dir in &crates {
        let name = dir
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        // Warm both sides once.
        let _ = xharness(dir, cache.path(), "wasmtime,wasmer");
        let first = xharness(dir, cache.path(), "wasmtime");
        let _ = cargo_test(dir, &wasmtime);
        let mut theirs = Vec::new();
        let mut ours = Vec::new();
        let mut both = Vec::new();
        let mut ran = 0;
        for _ in 0..reps {
            let (t, n) = cargo_test(dir, &wasmtime);
            theirs.push(t);
            ran = n;
            ours.push(xharness(dir, cache.path(), "wasmtime").wall);
            both.push(xharness(dir, cache.path(), "wasmtime,wasmer").wall);
        }
        let (t, o) = (median(&mut theirs), median(&mut ours));
        let bound = first.longest + first.sum / cores as f64;
        println!(
            "{name:<14} {:>6} {:>9.2}s {:>9.2}s {:>7.2}x {:>11.2}s {:>9.2}s {:>10}",
            first.tests,
            t.as_secs_f64(),
            o.as_secs_f64(),
            t.as_secs_f64() / o.as_secs_f64(),
            bound,
            median(&mut both).as_secs_f64(),
            ran
        );
        println!(
            "{:<14} {} passed, {} failed, {} skipped on wasmtime; longest test {:.3}s, sum of tests {:.3}s",
            "", first.passed, first.failed, first.skipped, first.longest, first.sum
        );
    }
}

struct Ours {
    wall: Duration,
    tests: usize,
    passed: u64,
    failed: u64,
    skipped: u64,
    longest: f64,
    sum: f64,
}

fn xharness(dir: &Path, cache: &Path, engines: &str) -> Ours {
    let json = cache.join("run.json");
    let start = Instant::now();
    let status = Command::new(EXE)
        .args(["--suite", "libtest", "--root"])
        .arg(dir)
        .args(["--engine", engines, "--json"])
        .arg(&json)
        .arg("--cargo")
        .env("XHARNESS_CACHE_DIR", cache)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("xharness starts");
    let wall = start.elapsed();
    assert!(
        status.code().is_some_and(|c| c <= 1),
        "xharness on {}: {status}",
        dir.display()
    );
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).expect("json")).expect("valid json");
    let results = run["results"].as_array().cloned().unwrap_or_default();
    let times: Vec<f64> = results
        .iter()
        .filter(|r| r["engine"] == "wasmtime")
        .map(|r| r["duration_ms"].as_f64().unwrap_or(0.0) / 1000.0)
        .collect();
    let count = |status: &str| {
        results
            .iter()
            .filter(|r| r["engine"] == "wasmtime" && r["status"] == status)
            .count() as u64
    };
    Ours {
        wall,
        tests: times.len(),
        passed: count("pass"),
        failed: count("fail") + count("error"),
        skipped: count("skip"),
        longest: times.iter().copied().fold(0.0, f64::max),
        sum: times.iter().sum(),
    }
}

/// `cargo test --target wasm32-wasip1 --no-fail-fast --tests` with the wasmtime
/// CLI as runner: wall time and how many tests reported a result.
fn cargo_test(dir: &Path, wasmtime: &str) -> (Duration, u64) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let start = Instant::now();
    let out = Command::new(cargo)
        // --tests: the same test binaries xharness runs (no doc tests).
        .args([
            "test",
            "--target",
            "wasm32-wasip1",
            "--no-fail-fast",
            "--tests",
        ])
        .current_dir(dir)
        .env(
            "CARGO_TARGET_WASM32_WASIP1_RUNNER",
            format!("{wasmtime} run -C cache=y --dir ."),
        )
        .stdin(Stdio::null())
        .output()
        .expect("cargo starts");
    let wall = start.elapsed();
    let text = String::from_utf8_lossy(&out.stdout);
    let ran = text
        .lines()
        .filter(|l| l.starts_with("test ") && (l.ends_with(" ok") || l.ends_with(" FAILED")))
        .count() as u64;
    (wall, ran)
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}
