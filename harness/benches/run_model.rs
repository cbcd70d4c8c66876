//! Run-model benchmarks (a bench binary, not timed tests): prints figures.
//!
//! - `scale`: generated suites of trivial WAT cases (each prints `ok N`)
//!   on both engines, cold (empty cache) and warm: wall time, time per
//!   case, peak resident memory of the whole process tree (parent and
//!   workers, summed, sampled every 20 ms), and the most threads and open
//!   files any worker had. Sizes 100, 1,000, 2,500, 5,000, 10,000.
//! - `memory`: 400 distinct modules of 8 MiB each on one engine, caches
//!   warm: peak resident memory of parent and workers together.
//! - `speed MODULE.wasm [ARGS...]`: `xharness run` and a one-case suite
//!   against `wasmtime run` / `wasmer run` when those CLIs are on PATH,
//!   median of 5 each, every engine.
//!
//! Run: `cargo bench -p xharness --bench run_model -- scale` (or `memory`,
//! or `speed PATH`). Without an argument: `scale`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod common;

const EXE: &str = env!("CARGO_BIN_EXE_xharness");

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    match args.first().map(String::as_str) {
        None | Some("scale") => scale(&args[1.min(args.len())..]),
        Some("memory") => memory(),
        Some("speed") => speed(&args[1..]),
        Some(other) => eprintln!("unknown section {other}: scale, memory or speed"),
    }
}

/// What the sampler saw of a process tree.
#[derive(Default, Debug, Clone, Copy)]
struct Peak {
    rss_kib: u64,
    worker_threads: u64,
    worker_fds: u64,
    workers: usize,
}

/// Run `cmd`, sampling its process tree until it exits.
fn measured(mut cmd: Command) -> (bool, Duration, Peak) {
    let start = Instant::now();
    let mut child = cmd.spawn().expect("starts");
    let pid = child.id();
    let done = Arc::new(AtomicBool::new(false));
    let peak = Arc::new(Mutex::new(Peak::default()));
    let sampler = {
        let (done, peak) = (done.clone(), peak.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                let sample = sample_tree(pid);
                let mut p = peak.lock().unwrap();
                p.rss_kib = p.rss_kib.max(sample.rss_kib);
                p.worker_threads = p.worker_threads.max(sample.worker_threads);
                p.worker_fds = p.worker_fds.max(sample.worker_fds);
                p.workers = p.workers.max(sample.workers);
                drop(p);
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let ok = child.wait().expect("waits").success();
    let took = start.elapsed();
    done.store(true, Ordering::Relaxed);
    sampler.join().expect("sampler");
    let p = *peak.lock().unwrap();
    (ok, took, p)
}

fn status_field(pid: u32, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = text.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn sample_tree(root: u32) -> Peak {
    let mut parents: HashMap<u32, u32> = HashMap::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if let Some(ppid) = status_field(pid, "PPid:") {
            parents.insert(pid, ppid as u32);
        }
    }
    let in_tree = |mut pid: u32| loop {
        if pid == root {
            return true;
        }
        match parents.get(&pid) {
            Some(&p) if p > 1 => pid = p,
            _ => return false,
        }
    };
    let mut peak = Peak::default();
    for &pid in parents.keys() {
        if !in_tree(pid) {
            continue;
        }
        peak.rss_kib += status_field(pid, "VmRSS:").unwrap_or(0);
        if pid != root {
            peak.workers += 1;
            peak.worker_threads = peak
                .worker_threads
                .max(status_field(pid, "Threads:").unwrap_or(0));
            let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count());
            peak.worker_fds = peak.worker_fds.max(fds as u64);
        }
    }
    peak
}

fn xharness(dir: &Path, cache: &Path, extra: &[&str]) -> Command {
    let mut cmd = Command::new(EXE);
    cmd.args(["--suite", "."])
        .args(extra)
        .current_dir(dir)
        .env("XHARNESS_CACHE_DIR", cache)
        .stdout(Stdio::null());
    cmd
}

fn generate(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    common::write_wat_suite(dir.path(), n);
    dir
}

fn scale(sizes: &[String]) {
    let sizes: Vec<usize> = if sizes.is_empty() {
        vec![100, 1_000, 2_500, 5_000, 10_000]
    } else {
        sizes.iter().filter_map(|s| s.parse().ok()).collect()
    };
    for engines in ["wasmtime", "wasmer", "wasmtime,wasmer"] {
        for &n in &sizes {
            let dir = generate(n);
            let cache = tempfile::tempdir().expect("cache");
            let args = ["--engine", engines, "-j", "2"];
            let (ok, cold, cold_peak) = measured(xharness(dir.path(), cache.path(), &args));
            assert!(ok, "cold run of {n} cases on {engines} failed");
            let (ok, warm, warm_peak) = measured(xharness(dir.path(), cache.path(), &args));
            assert!(ok, "warm run of {n} cases on {engines} failed");
            let jobs = n * engines.split(',').count();
            println!(
                "{engines:>16} {n:>6} cases: cold {:>7.2} s ({:>5.0} µs/job, peak {:>4} MiB) | warm {:>6.2} s ({:>4.0} µs/job, peak {:>4} MiB) | workers {} max threads {} max fds {}",
                cold.as_secs_f64(),
                cold.as_secs_f64() * 1e6 / jobs as f64,
                cold_peak.rss_kib / 1024,
                warm.as_secs_f64(),
                warm.as_secs_f64() * 1e6 / jobs as f64,
                warm_peak.rss_kib / 1024,
                warm_peak.workers.max(cold_peak.workers),
                warm_peak.worker_threads.max(cold_peak.worker_threads),
                warm_peak.worker_fds.max(cold_peak.worker_fds),
            );
        }
    }
}

fn memory() {
    const N: usize = 400;
    const SIZE: usize = 8 << 20;
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("suite.toml"),
        "name = \"big\"\ninclude = [\"*.wasm\"]\n[toolchain]\nbuiltin = \"wasm\"\n",
    )
    .expect("write suite");
    for i in 0..N {
        // A module with an 8 MiB passive data segment it never uses: 8 MiB
        // of module bytes and of compiled artifact.
        let mut data = vec![0u8; SIZE];
        data[..8].copy_from_slice(&(i as u64).to_le_bytes());
        let wasm = wat::parse_str(
            "(module (memory (export \"memory\") 1) (data \"\\00\") (func (export \"_start\")))",
        )
        .expect("WAT");
        std::fs::write(
            dir.path().join(format!("m{i:03}.wasm")),
            with_data(&wasm, &data),
        )
        .expect("write module");
    }
    let cache = tempfile::tempdir().expect("cache");
    for engine in ["wasmtime", "wasmer"] {
        let args = ["--engine", engine, "-j", "2"];
        let (ok, cold, _) = measured(xharness(dir.path(), cache.path(), &args));
        assert!(ok, "cold run failed on {engine}");
        let (ok, warm, peak) = measured(xharness(dir.path(), cache.path(), &args));
        assert!(ok, "warm run failed on {engine}");
        println!(
            "{engine}: {N} modules of 8 MiB: cold {:.1} s, warm {:.1} s, peak RSS of parent + workers {} MiB",
            cold.as_secs_f64(),
            warm.as_secs_f64(),
            peak.rss_kib / 1024
        );
    }
}

/// Replace the one-byte passive data segment of `wasm` with `data`.
fn with_data(wasm: &[u8], data: &[u8]) -> Vec<u8> {
    // Rebuild the data section (id 11): one passive segment (flag 1).
    let mut out = Vec::new();
    let mut i = 8;
    out.extend_from_slice(&wasm[..8]);
    while i < wasm.len() {
        let id = wasm[i];
        let (len, n) = leb(&wasm[i + 1..]);
        let body = &wasm[i + 1 + n..i + 1 + n + len];
        if id == 11 {
            let mut section = vec![1u8, 1u8];
            push_leb(&mut section, data.len());
            section.extend_from_slice(data);
            out.push(11);
            push_leb(&mut out, section.len());
            out.extend_from_slice(&section);
        } else {
            out.push(id);
            push_leb(&mut out, len);
            out.extend_from_slice(body);
        }
        i += 1 + n + len;
    }
    out
}

fn leb(bytes: &[u8]) -> (usize, usize) {
    let (mut value, mut shift, mut n) = (0usize, 0, 0);
    loop {
        let b = bytes[n];
        value |= ((b & 0x7f) as usize) << shift;
        n += 1;
        if b & 0x80 == 0 {
            return (value, n);
        }
        shift += 7;
    }
}

fn push_leb(out: &mut Vec<u8>, mut value: usize) {
    loop {
        let b = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn speed(args: &[String]) {
    let Some(module) = args.first().map(PathBuf::from) else {
        eprintln!("speed needs a module: run_model speed PATH.wasm [ARGS...]");
        return;
    };
    let guest_args = &args[1..];
    let cache = tempfile::tempdir().expect("cache");
    let time = |mut cmd: Command| {
        let t = Instant::now();
        let status = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("starts");
        (status.code(), t.elapsed())
    };
    // A one-case suite running the same module with the same arguments.
    let suite = tempfile::tempdir().expect("suite");
    std::fs::copy(&module, suite.path().join("m.wasm")).expect("copy");
    std::fs::write(suite.path().join("m.args"), guest_args.join("\n")).expect("args");
    std::fs::write(
        suite.path().join("suite.toml"),
        "name = \"one\"\ninclude = [\"m.wasm\"]\n[toolchain]\nbuiltin = \"wasm\"\n[run]\ntimeout = 3600\n",
    )
    .expect("suite");
    for engine in ["wasmtime", "wasmer"] {
        let run = || {
            let mut c = Command::new(EXE);
            c.args(["run", "--engine", engine, "--dir", ".", "--timeout", "3600"])
                .arg(&module)
                .args(guest_args)
                .env("XHARNESS_CACHE_DIR", cache.path());
            c
        };
        let one = || {
            let mut c = Command::new(EXE);
            c.args(["--suite", ".", "--engine", engine])
                .current_dir(suite.path())
                .env("XHARNESS_CACHE_DIR", cache.path());
            c
        };
        let cli = || {
            let mut c = Command::new(engine);
            c.args(["run", "--dir=."])
                .arg(&module)
                .arg("--")
                .args(guest_args);
            c
        };
        let have_cli = Command::new(engine)
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok();
        time(run()); // warm the caches
        let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..5 {
            a.push(time(run()).1);
            b.push(time(one()).1);
            if have_cli {
                c.push(time(cli()).1);
            }
        }
        let med = |mut v: Vec<Duration>| {
            v.sort();
            v[v.len() / 2]
        };
        let (run_t, one_t) = (med(a), med(b));
        print!(
            "{engine}: xharness run {:.2} s, one-case suite {:.2} s",
            run_t.as_secs_f64(),
            one_t.as_secs_f64()
        );
        if have_cli {
            let cli_t = med(c);
            println!(
                ", {engine} run {:.2} s (xharness run {:+.1}%, suite {:+.1}%)",
                cli_t.as_secs_f64(),
                (run_t.as_secs_f64() / cli_t.as_secs_f64() - 1.0) * 100.0,
                (one_t.as_secs_f64() / cli_t.as_secs_f64() - 1.0) * 100.0
            );
        } else {
            println!(" ({engine} CLI not on PATH: no comparison)");
        }
    }
}
