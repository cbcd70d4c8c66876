//! Counting the wasm instructions a guest executes, on the real engines of
//! this crate (wasmtime's fuel, wasmer's metering middleware): a loop of N
//! iterations costs a fixed amount per iteration, the count is the same on
//! every run and after a trip through the native-code cache, a guest that
//! traps (`unreachable`) or exits still reports its count, and a plain
//! engine counts nothing. A guest that faults (a load out of bounds) has a
//! count on wasmer and none on wasmtime, whose fuel of the running function
//! is lost at such a trap. The engines are not compared with each other: each counts in
//! its own way (see README, "Engines").

use std::sync::Arc;

use xharness_engines::{Engine, Invocation, Module, Status, TrapKind};

/// A guest that runs a loop of `n` iterations, then ends as `end` says:
/// `return` (exit 0), `exit` (`proc_exit(3)`), `trap` (`unreachable`) or
/// `fault` (a load out of bounds).
fn looping(n: u32, end: &str) -> Vec<u8> {
    let end = match end {
        "return" => "",
        "exit" => "(call $exit (i32.const 3))",
        "trap" => "unreachable",
        "fault" => "(drop (i32.load (i32.const 70000)))",
        other => panic!("no such ending: {other}"),
    };
    let text = format!(
        r#"(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (local $i i32) (local $acc i32)
    (loop $again
      (local.set $acc (i32.add (local.get $acc) (i32.mul (local.get $i) (i32.const 3))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const {n}))))
    (i32.store (i32.const 0) (local.get $acc))
    {end}))"#
    );
    wat::parse_str(text).expect("the test module is valid WAT")
}

fn run(engine: &dyn Engine, module: &Module) -> (Status, Option<u64>) {
    let outcome = engine.run(module, &Invocation::new("loop.wasm"));
    (outcome.status, outcome.instructions)
}

/// The count of a fresh compile of `looping(n, end)` on `engine`, checking
/// that the guest ended as `end` says.
fn try_count(engine: &dyn Engine, n: u32, end: &str) -> Option<u64> {
    let module = engine
        .compile(&looping(n, end))
        .expect("the module compiles");
    let (status, instructions) = run(engine, &module);
    let as_said = match (end, &status) {
        ("return", Status::Exited(0)) | ("exit", Status::Exited(3)) => true,
        ("trap", Status::Trapped { kind, .. }) => *kind == TrapKind::Unreachable,
        ("fault", Status::Trapped { kind, .. }) => *kind == TrapKind::MemoryOutOfBounds,
        _ => false,
    };
    assert!(as_said, "{}: {end} ended as {status}", engine.name());
    instructions
}

/// As [`try_count`], which must count.
fn count(engine: &dyn Engine, n: u32, end: &str) -> u64 {
    try_count(engine, n, end).unwrap_or_else(|| panic!("{} counted nothing ({end})", engine.name()))
}

fn counting(plain: &dyn Engine) -> Arc<dyn Engine> {
    plain
        .counting()
        .expect("the counting variant is set up")
        .expect("the engine can count")
}

/// Everything a counting engine must do, on `plain`'s counting variant;
/// `faults_counted`: whether a guest that faults (a load out of bounds)
/// still has a count.
fn counts_like_a_meter(plain: &dyn Engine, faults_counted: bool) {
    let engine = counting(plain);
    let name = engine.name();
    assert_eq!(name, plain.name(), "the variant keeps the engine's name");
    assert_ne!(
        engine.config_fingerprint(),
        plain.config_fingerprint(),
        "{name}: instrumented code must be cached apart"
    );
    let [c1, c2, c3] = [1000, 2000, 3000].map(|n| count(&*engine, n, "return"));
    assert!(c1 < c2 && c2 < c3, "{name}: {c1}, {c2}, {c3}");
    let per_1000 = c2 - c1;
    assert_eq!(c3 - c2, per_1000, "{name}: each iteration costs the same");
    assert!(
        per_1000 >= 5 * 1000,
        "{name}: an iteration runs at least 5 counted operators, got {per_1000} per 1000"
    );

    let wasm = looping(2000, "return");
    let module = engine.compile(&wasm).expect("the module compiles");
    assert_eq!(
        run(&*engine, &module),
        (Status::Exited(0), Some(c2)),
        "{name}: a second run of the same module counts the same"
    );

    let ends: &[&str] = if faults_counted {
        &["exit", "trap", "fault"]
    } else {
        assert_eq!(try_count(&*engine, 1000, "fault"), None, "{name}");
        &["exit", "trap"]
    };
    for &end in ends {
        let short = count(&*engine, 1000, end);
        let long = count(&*engine, 2000, end);
        assert!(short > 0, "{name}: {end}");
        assert_eq!(long - short, per_1000, "{name}: a guest that ends by {end}");
    }

    let plain_module = plain.compile(&wasm).expect("the module compiles");
    assert_eq!(
        run(plain, &plain_module),
        (Status::Exited(0), None),
        "{name}: a plain engine does not count"
    );
}

/// The counting variant's native code, serialised and loaded again (what
/// the on-disk cache does between worker processes), counts the same.
fn counts_the_same_from_the_cache(plain: &dyn Engine) {
    let engine = counting(plain);
    let wasm = looping(1500, "return");
    let fresh = engine.compile(&wasm).expect("the module compiles");
    let bytes = engine.serialize(&fresh).expect("native code serialises");
    // SAFETY: the bytes come unmodified from `serialize` of this very engine.
    let loaded = unsafe { engine.deserialize(&bytes) }.expect("native code loads");
    let (_, a) = run(&*engine, &fresh);
    let (_, b) = run(&*engine, &loaded);
    assert!(a.is_some(), "{}", engine.name());
    assert_eq!(a, b, "{}", engine.name());
}

#[test]
fn wasmtime_counts_with_fuel() {
    let plain = xharness_engines::wasmtime_backend::Wasmtime::new().expect("wasmtime");
    // A fault drops the fuel of the running function: no count.
    counts_like_a_meter(&plain, false);
    counts_the_same_from_the_cache(&plain);
}

#[test]
fn wasmer_counts_with_its_metering_middleware() {
    let plain = xharness_engines::wasmer_backend::Wasmer::new().expect("wasmer");
    counts_like_a_meter(&plain, true);
    counts_the_same_from_the_cache(&plain);
}
