//! Counting the wasm instructions a guest executes on wasmi (its fuel):
//! a loop of N iterations costs a fixed amount per iteration, the count is
//! the same on every run of a module (lazily translated functions cost no
//! fuel, so the first run counts what later ones do), a guest that traps or
//! exits still reports its count, and the plain engine counts nothing.

use std::sync::Arc;

use xharness_engines::{Engine, Invocation, Module, Status, TrapKind};
use xharness_engines_wasmi::Wasmi;

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
    assert!(as_said, "{end} ended as {status}");
    instructions
}

fn count(engine: &dyn Engine, n: u32, end: &str) -> u64 {
    try_count(engine, n, end).unwrap_or_else(|| panic!("wasmi counted nothing ({end})"))
}

#[test]
fn wasmi_counts_with_fuel() {
    let plain = Wasmi::new().expect("wasmi");
    let engine: Arc<dyn Engine> = plain
        .counting()
        .expect("the counting variant is set up")
        .expect("wasmi can count");
    assert_eq!(engine.name(), plain.name());
    assert_ne!(engine.config_fingerprint(), plain.config_fingerprint());

    let [c1, c2, c3] = [1000, 2000, 3000].map(|n| count(&*engine, n, "return"));
    assert!(c1 < c2 && c2 < c3, "{c1}, {c2}, {c3}");
    let per_1000 = c2 - c1;
    assert_eq!(c3 - c2, per_1000, "each iteration costs the same");
    assert!(per_1000 >= 5 * 1000, "{per_1000} per 1000 iterations");

    let wasm = looping(2000, "return");
    let module = engine.compile(&wasm).expect("the module compiles");
    for _ in 0..2 {
        assert_eq!(run(&*engine, &module), (Status::Exited(0), Some(c2)));
    }
    for end in ["exit", "trap", "fault"] {
        let (short, long) = (count(&*engine, 1000, end), count(&*engine, 2000, end));
        assert!(short > 0, "{end}");
        assert_eq!(long - short, per_1000, "a guest that ends by {end}");
    }

    let plain_module = plain.compile(&wasm).expect("the module compiles");
    assert_eq!(run(&plain, &plain_module), (Status::Exited(0), None));
}
