//! Cost of one native call (an import satisfied from a C library through
//! libffi) on each engine, against a plain wasm-to-host call (WASI's
//! `args_sizes_get`, which writes two numbers into guest memory) and an empty loop. Each module
//! loops `CALLS` times; the per-call figure is (run − empty loop) / CALLS,
//! median of `REPS` runs. Builds its library with `cc`.
//!
//! `cargo bench --profile dev -p xharness --bench native_call`

use std::time::Duration;

use xharness_engines::{Invocation, Status};

const CALLS: u32 = 2_000_000;
const REPS: usize = 7;

fn module(body: &str, import: &str) -> Vec<u8> {
    let text = format!(
        r#"(module {import}
             (memory (export "memory") 1)
             (func (export "_start") (local $i i32)
               (loop $l
                 {body}
                 (local.set $i (i32.add (local.get $i) (i32.const 1)))
                 (br_if $l (i32.lt_u (local.get $i) (i32.const {CALLS}))))))"#
    );
    wat::parse_str(&text).expect("valid WAT")
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let lib = dir.path().join("libadd.so");
    std::fs::write(
        dir.path().join("add.c"),
        "int add2(int a, int b) { return a + b; }\n",
    )
    .expect("write");
    let ok = std::process::Command::new("cc")
        .args(["-shared", "-fPIC", "-O2", "add.c", "-o"])
        .arg(&lib)
        .current_dir(dir.path())
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "cc could not build the library");
    let desc = dir.path().join("native.toml");
    std::fs::write(&desc, "library = \"libadd.so\"\nmodule = \"native\"\n").expect("write");
    let empty = module("", "");
    let host = module(
        "(drop (call $sizes (i32.const 0) (i32.const 4)))",
        r#"(import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))"#,
    );
    let native = module(
        "(drop (call $add (local.get $i) (i32.const 1)))",
        r#"(import "native" "add2" (func $add (param i32 i32) (result i32)))"#,
    );
    println!(
        "{CALLS} calls per run; medians of {REPS} runs; per call = (run - empty loop) / calls"
    );
    let registry = xharness::default_registry();
    for name in registry.names() {
        let engine = registry.create(name).expect("engine");
        let time = |wasm: &[u8], with_native: bool| {
            let m = engine.compile(wasm).expect("compiles");
            let mut inv = Invocation::new("bench");
            if with_native {
                inv.native.push(desc.clone());
            }
            let mut runs: Vec<Duration> = (0..REPS)
                .map(|_| {
                    let o = engine.run(&m, &inv);
                    assert!(
                        matches!(o.status, Status::Exited(0)),
                        "{name}: {:?}",
                        o.status
                    );
                    o.duration
                })
                .collect();
            runs.sort();
            runs[REPS / 2]
        };
        let base = time(&empty, false);
        let per = |d: Duration| (d.as_secs_f64() - base.as_secs_f64()) / f64::from(CALLS) * 1e9;
        let h = time(&host, false);
        let n = time(&native, true);
        println!(
            "{name:<9} empty loop {:>7.1} ms | WASI host call {:>6.1} ns | native call (libffi) {:>6.1} ns",
            base.as_secs_f64() * 1e3,
            per(h),
            per(n)
        );
    }
}
