//! Whole-suite performance, process start to exit (a bench binary, not a
//! timed test). Prints figures; asserts only that the runs pass.
//!
//! 1. 200 small C cases (clang, wasm32-wasi), caches warm: median of eleven
//!    full re-runs of `xharness --suite DIR -j 2` (11, interleaved), against
//!    `ls *.wasm | xargs -P2 -n1 wasmtime run` over the same modules with
//!    wasmtime's cache warm (needs the `wasmtime` CLI on PATH; skipped
//!    with a note otherwise).
//! 2. Generated suites of 2,500, 5,000 and 10,000 trivial WAT cases, caches
//!    warm: wall time, time per case, and peak memory of the process.
//!
//! Run: `cargo bench -p xharness --bench suite_scale` (`-- c200` or
//! `-- gen` for one section).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;

use common::{median, repeat};

const EXE: &str = env!("CARGO_BIN_EXE_xharness");
/// Repetitions of each timed whole-suite run.
const REPS: usize = 11;

fn main() {
    // `suite_scale --rss-of DIR CACHE`: run xharness once as our only
    // child and print its peak resident set, so nothing else is counted.
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--rss-of") {
        let json = args[i + 3].as_str();
        let (ok, _) = xharness(
            Path::new(&args[i + 1]),
            Path::new(&args[i + 2]),
            &["-j", "2", "--json", json],
        );
        let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
            .expect("getrusage");
        let cpu = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
        println!(
            "{} {} {}",
            ok,
            usage.max_rss(),
            cpu(usage.user_time()) + cpu(usage.system_time())
        );
        return;
    }
    // `suite_scale c200` or `suite_scale gen`: one section only.
    let only = args.iter().skip(1).find(|a| !a.starts_with('-')).cloned();
    let cache = tempfile::tempdir().expect("temp dir");
    if only.as_deref() != Some("gen") {
        c_suite(cache.path());
        println!();
    }
    if only.as_deref() != Some("c200") {
        for n in [2_500, 5_000, 10_000] {
            wat_suite(cache.path(), n);
        }
    }
}

fn c_suite(cache: &Path) {
    let dir = tempfile::tempdir().expect("temp dir");
    common::write_c_suite(dir.path());
    let t = Instant::now();
    let first = xharness(dir.path(), cache, &["-j", "2"]);
    println!(
        "c200: first run (200 clang compiles + native compiles): {:.2?}",
        t.elapsed()
    );
    assert!(first.0, "the C suite must pass");
    let ours_once = || xharness(dir.path(), cache, &["-j", "2"]).1;

    if Command::new("wasmtime")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_err()
    {
        let ours = median(repeat(REPS, ours_once));
        println!("c200: warm full re-run, xharness -j 2 (median of {REPS}): {ours:.1?}");
        println!("c200: wasmtime CLI not on PATH: comparison skipped (cargo install wasmtime-cli)");
        return;
    }
    let shell = common::WasmtimeLoop::new(Path::new("wasmtime"), cache);
    shell.run();
    let (ours, theirs) = common::interleaved(REPS, ours_once, || shell.run());
    println!("c200: warm full re-run, xharness -j 2 (median of {REPS}): {ours:.1?}");
    println!("c200: warm, ls *.wasm | xargs -P2 -n1 wasmtime run (median of {REPS}): {theirs:.1?}");
    println!(
        "c200: xharness is {:.1}x faster",
        theirs.as_secs_f64() / ours.as_secs_f64()
    );
}

fn wat_suite(cache: &Path, n: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    common::write_wat_suite(dir.path(), n);
    let (ok, _) = xharness(dir.path(), cache, &["-j", "2"]);
    assert!(ok, "generated suite must pass");
    let took = median(repeat(5, || xharness(dir.path(), cache, &["-j", "2"]).1));
    let json = dir.path().join("results.json");
    let out = Command::new(std::env::current_exe().expect("own path"))
        .arg("--rss-of")
        .arg(dir.path())
        .arg(cache)
        .arg(&json)
        .output()
        .expect("measure child");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let fields: Vec<&str> = text.split_whitespace().collect();
    let rss_kib: i64 = fields.get(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let cpu_s: f64 = fields.get(2).and_then(|s| s.parse().ok()).unwrap_or(0.0);
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("results written"))
            .expect("valid JSON");
    let engine_ms: f64 = results["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["duration_ms"].as_f64())
        .sum();
    println!(
        "gen{n}: warm run {took:.2?} (median of 5), {:.0} µs wall per case, peak RSS {} MiB, \
         CPU {:.0} µs per case of which engine runs {:.0} µs: harness's own cost {:.0} µs per case",
        took.as_secs_f64() * 1e6 / n as f64,
        rss_kib / 1024,
        cpu_s * 1e6 / n as f64,
        engine_ms * 1e3 / n as f64,
        (cpu_s * 1e6 - engine_ms * 1e3) / n as f64,
    );
}

fn xharness(dir: &Path, cache: &Path, extra: &[&str]) -> (bool, Duration) {
    let t = Instant::now();
    let status = Command::new(EXE)
        .args(["--suite", "."])
        .args(extra)
        .current_dir(dir)
        .env("XHARNESS_CACHE_DIR", cache)
        .stdout(Stdio::null())
        .status()
        .expect("xharness starts");
    (status.success(), t.elapsed())
}
