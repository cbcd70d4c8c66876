//! Every performance figure of xharness in one run, each as one line
//! `NAME: value (ratio …)` (a bench binary, not a timed test: it prints
//! figures and asserts only that the runs pass).
//!
//! 1. `binary size`: `xharness` and `xharness.dwp` beside it (MB, 10^6
//!    bytes), against the wasmtime and wasmer CLI binaries when on PATH.
//! 2. `small cases`: 200 small C programs (clang, wasm32-wasi), caches warm,
//!    `xharness --suite DIR -j 2` against `ls *.wasm | xargs -P2 -n1
//!    wasmtime run` over the same modules with wasmtime's cache warm
//!    (target: xharness ≥ 15× faster).
//! 3. `warm per job`: 1,500 trivial WAT cases, caches warm, `-j 2` and
//!    then `-j 1`, on each engine: wall and CPU time (parent and workers, from
//!    `getrusage(RUSAGE_CHILDREN)`) per job, median of 21 runs; ratio to
//!    wasmtime taken within each repetition (all engines back to back,
//!    in rotating order), its median and middle half (target:
//!    wasmer/wasmtime ≤ 1.0).
//! 4. `heavy guest`: `xharness run` on a sieve of 8 million entries, 40
//!    rounds (clang -O2), first run (empty cache) and warm, against
//!    `wasmtime run` / `wasmer run` / `wasmi run` the same way (target:
//!    ≤ 1.05).
//! 5. `ghc discovery`: `xharness --suite ghc-testsuite --root DIR --list
//!    --json F`, one process each time, when `--ghc DIR` is given (target:
//!    < 0.3 s).
//!
//! Every other figure is the median of 5 runs after a warm-up run; the
//! runs being compared are interleaved, so background load hits both
//! alike. A CLI that is not on PATH skips its ratio with a note and the
//! rest goes on.
//!
//! Run: `cargo bench -p xharness --bench perf_figures -- [--ghc GHC/testsuite/tests]`
//! (a few minutes on 2 cores).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;

use common::{median, repeat};

const EXE: &str = env!("CARGO_BIN_EXE_xharness");
/// Timed repetitions of each figure, after one warm-up run.
const REPS: usize = 5;
/// Timed repetitions of the per-job figures, which are cheap (a fraction
/// of a second each) and whose ratios are the finest asked for.
const JOB_REPS: usize = 21;
/// The engines built into xharness by default, in registry order.
const ENGINES: [&str; 3] = ["wasmtime", "wasmer", "wasmi"];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let ghc = args
        .iter()
        .position(|a| a == "--ghc")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from);
    println!("machine: {}", machine());
    binary_size();
    small_cases();
    warm_per_job();
    heavy_guest();
    match ghc {
        Some(dir) => ghc_discovery(&dir),
        None => println!("ghc discovery: skipped (pass --ghc GHC/testsuite/tests)"),
    }
}

/// Cores, memory and CPU model, for the figures' context.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem_kib: u64 = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!(
        "{cores} cores, {:.0} GiB, {cpu}",
        mem_kib as f64 / (1024.0 * 1024.0)
    )
}

/// The CLI `name` when it is on PATH.
fn cli(name: &str) -> Option<PathBuf> {
    which::which(name).ok()
}

fn not_on_path(name: &str) -> String {
    format!("{name} CLI not on PATH: ratio skipped")
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

// 1. Binary size.

fn binary_size() {
    let exe = Path::new(EXE);
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).ok();
    let ours = size(exe).expect("the xharness binary exists");
    let dwp = size(&exe.with_extension("dwp"));
    let mut ratios = Vec::new();
    for name in ["wasmtime", "wasmer"] {
        match cli(name).and_then(|p| size(&p)) {
            Some(theirs) => ratios.push(format!(
                "{:.2}x the {name} CLI's {:.1} MB",
                ours as f64 / theirs as f64,
                mb(theirs)
            )),
            None => ratios.push(not_on_path(name)),
        }
    }
    println!(
        "binary size: xharness {:.1} MB, xharness.dwp {} ({})",
        mb(ours),
        dwp.map_or("absent".into(), |d| format!("{:.1} MB", mb(d))),
        ratios.join("; ")
    );
}

// 2. Small cases.

fn small_cases() {
    if cli("clang").is_none() {
        println!("small cases: skipped (clang not on PATH; install clang and wasi-libc)");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = tempfile::tempdir().expect("cache");
    common::write_c_suite(dir.path());
    let ours = || {
        let (ok, took, _) = suite_run(dir.path(), cache.path(), &["-j", "2"]);
        assert!(ok, "the C suite must pass");
        took
    };
    ours(); // warm-up: clang and native compiles
    let Some(wasmtime) = cli("wasmtime") else {
        let t = median(repeat(REPS, ours));
        println!(
            "small cases: 200 C cases, warm, xharness -j 2 {:.3} s (median of {REPS}) ({}; target >= 15x)",
            t.as_secs_f64(),
            not_on_path("wasmtime")
        );
        return;
    };
    // The same modules, from xharness's artifact cache.
    let theirs = common::WasmtimeLoop::new(&wasmtime, cache.path());
    theirs.run(); // warm-up: wasmtime's cache
    let (a, b) = common::interleaved(REPS, ours, || theirs.run());
    println!(
        "small cases: 200 C cases, warm, xharness -j 2 {:.3} s vs xargs -P2 wasmtime run {:.3} s (median of {REPS}) (ratio {:.1}x faster; target >= 15x)",
        a.as_secs_f64(),
        b.as_secs_f64(),
        b.as_secs_f64() / a.as_secs_f64()
    );
}

// 3. Warm per-job cost.

fn warm_per_job() {
    const N: usize = 1_500;
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = tempfile::tempdir().expect("cache");
    common::write_wat_suite(dir.path(), N);
    let run = |engine: &str, jobs: &str| {
        let (ok, took, cpu) =
            suite_run(dir.path(), cache.path(), &["--engine", engine, "-j", jobs]);
        assert!(ok, "{N} generated cases must pass on {engine}");
        (took, cpu)
    };
    for engine in ENGINES {
        run(engine, "2"); // warm-up: native compiles
    }
    // As many workers as cores (the default here), then one: with one,
    // the other core is left to the worker's own threads and the parent.
    for jobs in ["2", "1"] {
        per_job_at(N, jobs, |engine| run(engine, jobs));
    }
}

/// The per-job figures of the suite of `n` cases at `-j jobs`, `run`
/// timing one whole run on an engine.
fn per_job_at(n: usize, jobs: &str, run: impl Fn(&str) -> (Duration, Duration)) {
    let mut wall: Vec<Vec<Duration>> = vec![Vec::new(); ENGINES.len()];
    let mut cpu: Vec<Vec<Duration>> = vec![Vec::new(); ENGINES.len()];
    for k in 0..JOB_REPS {
        // Every engine once per repetition, starting with a different one
        // each time, so none always follows the same neighbour.
        for j in 0..ENGINES.len() {
            let i = (j + k) % ENGINES.len();
            let (w, c) = run(ENGINES[i]);
            wall[i].push(w);
            cpu[i].push(c);
        }
    }
    // The ratio is taken within each repetition, whose runs saw the same
    // machine, then its median and middle half over the repetitions: a
    // shared VM's drift between repetitions cancels out of it.
    let paired = |times: &[Vec<Duration>], i: usize| {
        let mut r: Vec<f64> = (0..JOB_REPS)
            .map(|k| times[i][k].as_secs_f64() / times[0][k].as_secs_f64())
            .collect();
        r.sort_by(f64::total_cmp);
        let q = JOB_REPS / 4;
        format!(
            "{:.2} (middle half {:.2}–{:.2})",
            r[JOB_REPS / 2],
            r[q],
            r[JOB_REPS - 1 - q]
        )
    };
    let wall_ratio: Vec<String> = (0..ENGINES.len()).map(|i| paired(&wall, i)).collect();
    let cpu_ratio: Vec<String> = (0..ENGINES.len()).map(|i| paired(&cpu, i)).collect();
    let per_job = |d: Duration| d.as_secs_f64() * 1e6 / n as f64;
    let wall: Vec<f64> = wall.into_iter().map(|v| per_job(median(v))).collect();
    let cpu: Vec<f64> = cpu.into_iter().map(|v| per_job(median(v))).collect();
    for (i, engine) in ENGINES.iter().enumerate() {
        let ratio = if i == 0 {
            "the reference for the others".to_string()
        } else {
            format!(
                "{engine}/wasmtime wall {}, CPU {}{}",
                wall_ratio[i],
                cpu_ratio[i],
                if *engine == "wasmer" {
                    "; target <= 1.0"
                } else {
                    ""
                }
            )
        };
        println!(
            "warm per job, {engine}: {:.0} µs wall, {:.0} µs CPU ({n} WAT cases, -j {jobs}, median of {JOB_REPS}) (ratio {ratio})",
            wall[i], cpu[i]
        );
    }
}

// 4. Heavy guest.

const SIEVE: &str = r#"#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 8000000;
    int rounds = argc > 2 ? atoi(argv[2]) : 10;
    char *s = malloc(n + 1);
    long count = 0;
    for (int r = 0; r < rounds; r++) {
        memset(s, 1, n + 1);
        s[0] = s[1] = 0;
        for (long i = 2; i * i <= n; i++)
            if (s[i])
                for (long j = i * i; j <= n; j += i)
                    s[j] = 0;
        count = 0;
        for (int i = 0; i <= n; i++)
            count += s[i];
    }
    printf("%ld primes up to %d\n", count, n);
    return 0;
}
"#;
const SIEVE_ARGS: [&str; 2] = ["8000000", "40"];
/// What the sieve prints for [`SIEVE_ARGS`]: every timed run must print it,
/// so a command that fails fast (a CLI taking its arguments otherwise) is
/// not timed as a fast one.
const SIEVE_ANSWER: &str = "539777 primes up to 8000000\n";

fn heavy_guest() {
    if cli("clang").is_none() {
        println!("heavy guest: skipped (clang not on PATH; install clang and wasi-libc)");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let src = dir.path().join("sieve.c");
    let module = dir.path().join("sieve.wasm");
    std::fs::write(&src, SIEVE).expect("write sieve");
    let ok = Command::new("clang")
        .args(["--target=wasm32-wasi", "-O2"])
        .arg(&src)
        .arg("-o")
        .arg(&module)
        .status()
        .expect("clang starts")
        .success();
    assert!(
        ok,
        "clang could not build the sieve (is wasi-libc installed?)"
    );
    for engine in ENGINES {
        heavy_on(engine, &module);
    }
}

/// `xharness run` on `module` against `engine run`, first and warm.
fn heavy_on(engine: &str, module: &Path) {
    let warm_cache = tempfile::tempdir().expect("cache");
    let ours = |cache: &Path| {
        let mut c = Command::new(EXE);
        c.args(["run", "--engine", engine])
            .arg(module)
            .args(SIEVE_ARGS)
            .env("XHARNESS_CACHE_DIR", cache);
        timed_answer(c, SIEVE_ANSWER)
    };
    // The CLIs' own caches, kept apart from the user's.
    // wasmi's CLI (crate wasmi_cli) installs as `wasmi`; an interpreter
    // has no cache.
    let cli_path = cli(engine);
    let theirs = |path: &Path, cache: &Path| {
        let mut c = Command::new(path);
        c.arg("run");
        match engine {
            "wasmtime" => {
                c.arg("-C").arg("cache=y").arg("-C").arg(format!(
                    "cache-config={}",
                    common::wasmtime_cache_config(cache).display()
                ));
            }
            "wasmer" => {
                c.env("WASMER_CACHE_DIR", cache);
            }
            _ => {}
        }
        // wasmtime 48 and wasmi pass `--` on to the guest; wasmer's CLI
        // needs it.
        c.arg(module);
        if engine == "wasmer" {
            c.arg("--");
        }
        c.args(SIEVE_ARGS);
        timed_answer(c, SIEVE_ANSWER)
    };
    ours(warm_cache.path()); // warm-up
    let cli_warm = tempfile::tempdir().expect("cache");
    if let Some(p) = &cli_path {
        theirs(p, cli_warm.path());
    }
    let (mut first, mut warm, mut cli_first, mut cli_warm_t) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..REPS {
        let fresh = tempfile::tempdir().expect("cache");
        first.push(ours(fresh.path()));
        warm.push(ours(warm_cache.path()));
        if let Some(p) = &cli_path {
            let fresh = tempfile::tempdir().expect("cache");
            cli_first.push(theirs(p, fresh.path()));
            cli_warm_t.push(theirs(p, cli_warm.path()));
        }
    }
    let (first, warm) = (median(first), median(warm));
    let ratio = match &cli_path {
        None => not_on_path(engine),
        Some(_) => {
            let (cf, cw) = (median(cli_first), median(cli_warm_t));
            format!(
                "{engine} run first {:.3} s, warm {:.3} s: xharness/CLI first {:.2}, warm {:.2}; target <= 1.05",
                cf.as_secs_f64(),
                cw.as_secs_f64(),
                first.as_secs_f64() / cf.as_secs_f64(),
                warm.as_secs_f64() / cw.as_secs_f64()
            )
        }
    };
    println!(
        "heavy guest, {engine}: xharness run first {:.3} s, warm {:.3} s (sieve {} x{}, median of {REPS}) ({ratio})",
        first.as_secs_f64(),
        warm.as_secs_f64(),
        SIEVE_ARGS[0],
        SIEVE_ARGS[1]
    );
}

// 5. GHC discovery.

fn ghc_discovery(tests: &Path) {
    let out = tempfile::tempdir().expect("temp dir");
    let json = out.path().join("list.json");
    let once = || {
        let mut c = Command::new(EXE);
        c.args(["--suite", "ghc-testsuite", "--root"])
            .arg(tests)
            .arg("--list")
            .arg("--json")
            .arg(&json)
            .env("XHARNESS_CACHE_DIR", out.path());
        timed(c)
    };
    once(); // warm-up
    let t = median(repeat(REPS, once));
    let cases = std::fs::read_to_string(&json)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v["cases"].as_array().map(Vec::len));
    println!(
        "ghc discovery: {:.3} s per process, {} cases listed (median of {REPS}) (ratio {:.2} of the 0.3 s target)",
        t.as_secs_f64(),
        cases.map_or("?".into(), |n| n.to_string()),
        t.as_secs_f64() / 0.3
    );
}

// Timing.

/// Run `xharness --suite .` in `dir`: success, wall time, and the CPU time
/// (user + system) of it and the workers it waited for.
fn suite_run(dir: &Path, cache: &Path, extra: &[&str]) -> (bool, Duration, Duration) {
    let before = children_cpu();
    let t = Instant::now();
    let status = Command::new(EXE)
        .args(["--suite", "."])
        .args(extra)
        .current_dir(dir)
        .env("XHARNESS_CACHE_DIR", cache)
        .stdout(Stdio::null())
        .status()
        .expect("xharness starts");
    let took = t.elapsed();
    (
        status.success(),
        took,
        children_cpu().saturating_sub(before),
    )
}

/// User + system time of every waited-for descendant so far.
fn children_cpu() -> Duration {
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
        .expect("getrusage");
    let d =
        |t: nix::sys::time::TimeVal| Duration::new(t.tv_sec() as u64, t.tv_usec() as u32 * 1_000);
    d(usage.user_time()) + d(usage.system_time())
}

/// Wall time of `cmd`, output discarded; it must succeed.
fn timed(mut cmd: Command) -> Duration {
    let t = Instant::now();
    let status = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("starts");
    let took = t.elapsed();
    assert!(status.success(), "{cmd:?} failed: {status}");
    took
}

/// Like [`timed`], and the command's stdout must be `answer`.
fn timed_answer(mut cmd: Command, answer: &str) -> Duration {
    let t = Instant::now();
    let out = cmd.stderr(Stdio::null()).output().expect("starts");
    let took = t.elapsed();
    assert!(out.status.success(), "{cmd:?} failed: {}", out.status);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        answer,
        "{cmd:?} printed something else"
    );
    took
}
