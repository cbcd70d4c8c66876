//! Engine overhead benchmark (a bench binary, not a timed test).
//!
//! For each engine: the cost of one run of a trivial cached module
//! (instantiate + WASI setup + capture + teardown), and cold native
//! compilation against an on-disk cache hit, for a trivial WAT module and
//! for a C program built with clang (when clang is installed).
//!
//! Run: `cargo bench -p xharness-engines --bench overhead`

use std::time::{Duration, Instant};

use xharness_engines::cache::{Lookup, ModuleCache};
use xharness_engines::{Engine, Invocation, Status};

const HELLO: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 6))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#;

fn main() {
    let hello = wat::parse_str(HELLO).expect("benchmark WAT parses");
    let c = c_module();
    println!(
        "{:<9} {:<32} {:>12} {:>12} {:>8}",
        "engine", "measure", "median", "mean", "n"
    );
    let registry = xharness_engines::Registry::builtin();
    for name in registry.names() {
        let engine = registry.create(name).expect("engine starts");
        per_run(engine.as_ref(), &hello);
        compile_vs_cache(engine.as_ref(), "trivial WAT", &hello, 50);
        if let Some(c) = &c {
            compile_vs_cache(engine.as_ref(), "C hello (clang -O1)", c, 10);
        }
    }
}

fn per_run(engine: &dyn Engine, wasm: &[u8]) {
    let module = engine.compile(wasm).expect("compiles");
    let inv = Invocation::new("hello");
    for _ in 0..50 {
        engine.run(&module, &inv);
    }
    let samples: Vec<Duration> = (0..2000)
        .map(|_| {
            let t = Instant::now();
            let o = engine.run(&module, &inv);
            let d = t.elapsed();
            assert_eq!(o.status, Status::Exited(0));
            assert_eq!(o.stdout.bytes, b"hello\n");
            d
        })
        .collect();
    report(engine.name(), "per-run overhead (cached)", samples);
}

fn compile_vs_cache(engine: &dyn Engine, what: &str, wasm: &[u8], n: usize) {
    let cold: Vec<Duration> = (0..n)
        .map(|_| {
            let t = Instant::now();
            engine.compile(wasm).expect("compiles");
            t.elapsed()
        })
        .collect();
    report(engine.name(), &format!("cold compile, {what}"), cold);
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = ModuleCache::new(dir.path());
    let (_, first) = cache.load_or_compile(engine, wasm).expect("compiles");
    assert_eq!(first, Lookup::Miss);
    let hits: Vec<Duration> = (0..n * 4)
        .map(|_| {
            let t = Instant::now();
            let (_, l) = cache.load_or_compile(engine, wasm).expect("loads");
            assert_eq!(l, Lookup::Hit);
            t.elapsed()
        })
        .collect();
    report(engine.name(), &format!("cache hit, {what}"), hits);
}

fn report(engine: &str, what: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let n = samples.len();
    let mean = samples.iter().sum::<Duration>() / n as u32;
    println!(
        "{engine:<9} {what:<32} {:>12.1?} {:>12.1?} {n:>8}",
        samples[n / 2],
        mean
    );
}

fn c_module() -> Option<Vec<u8>> {
    let dir = tempfile::tempdir().ok()?;
    let src = dir.path().join("hello.c");
    std::fs::write(
        &src,
        "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n",
    )
    .ok()?;
    let out = dir.path().join("hello.wasm");
    let ok = std::process::Command::new("clang")
        .args(["--target=wasm32-wasi", "-O1"])
        .arg(&src)
        .arg("-o")
        .arg(&out)
        .status()
        .ok()?
        .success();
    if !ok {
        eprintln!("clang for wasm32-wasi not usable: skipping the C rows");
        return None;
    }
    std::fs::read(out).ok()
}
