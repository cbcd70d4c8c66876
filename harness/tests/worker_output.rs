//! End-to-end: what a guest prints reaches the report whole, whatever
//! ends its job: output larger than a pipe holds, and workers that crash
//! before the job or after the guest printed. Every test runs the real
//! binary on real engines. (Deadlines, limits and the rest of the run
//! model: `run_model.rs`.)

mod common;

use common::*;

const ALL: &str = "wasmtime,wasmer,wasmi";
const ENGINES: [&str; 3] = ["wasmtime", "wasmer", "wasmi"];

#[test]
fn a_crashing_worker_fails_only_its_own_job() {
    let f = Fixture::new();
    f.file("suite.toml", WAT_SUITE);
    for i in 0..4 {
        f.file(&format!("ok{i}.wat"), wat_print(1, "fine\n", 0));
        f.file(&format!("ok{i}.stdout"), "fine\n");
    }
    f.file("crashme.wat", wat_print(1, "fine\n", 0));
    f.file("crashme.stdout", "fine\n");
    let o = f.run_env(
        &[
            "--suite", ".", "--engine", ALL, "-j", "2", "--json", "r.json",
        ],
        &[("XHARNESS_WORKER_CRASH_ON", "crashme")],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let report = json_report(&f);
    for engine in ENGINES {
        let r = find(&report, "crashme", engine);
        assert_eq!(r["status"], "error", "{r}");
        assert_eq!(r["reason"], "worker-crash");
        assert!(r["detail"].as_str().unwrap().contains("SIGABRT"), "{r}");
        for i in 0..4 {
            assert_eq!(find(&report, &format!("ok{i}"), engine)["status"], "pass");
        }
    }
    assert_eq!(last_line(&o), "12 passed, 3 failed");
}

/// A WAT module that prints `lines` numbered 100-byte lines to stdout and,
/// every 256th line, a numbered line to stderr: one `fd_write` each.
fn numbered_lines(lines: u32) -> String {
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "line 0000 {dots}\0a")
  (data (i32.const 512) "err 0000\0a")
  ;; four lowercase hex digits of $v at $at
  (func $hex (param $v i32) (param $at i32) (local $k i32) (local $d i32)
    (loop $l
      (local.set $d (i32.and (i32.shr_u (local.get $v)
        (i32.sub (i32.const 12) (i32.mul (local.get $k) (i32.const 4)))) (i32.const 15)))
      (i32.store8 (i32.add (local.get $at) (local.get $k))
        (i32.add (local.get $d) (select (i32.const 48) (i32.const 87) (i32.lt_u (local.get $d) (i32.const 10)))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $k) (i32.const 4)))))
  (func $put (param $fd i32) (param $at i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $at)) (i32.store (i32.const 4) (local.get $len))
    (drop (call $w (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start") (local $i i32)
    (loop $l
      (call $hex (local.get $i) (i32.const 69))
      (call $put (i32.const 1) (i32.const 64) (i32.const 100))
      (if (i32.eqz (i32.and (local.get $i) (i32.const 255)))
        (then
          (call $hex (local.get $i) (i32.const 516))
          (call $put (i32.const 2) (i32.const 512) (i32.const 9))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const {lines}))))))"#,
        dots = ".".repeat(89)
    )
}

#[test]
fn output_larger_than_a_pipe_arrives_whole_and_in_order_on_every_engine() {
    // 8192 writes, 800 KiB: more than a pipe holds, so the worker waits
    // for the parent while the job runs, and a frame lost, repeated or
    // left over for the next job shows in these goldens or the next case's.
    const LINES: u32 = 8192;
    let f = Fixture::new();
    f.file(
        "suite.toml",
        WAT_SUITE.replace("[run]\n", "[run]\nmax_output = \"2MiB\"\n"),
    );
    f.file("lines.wat", numbered_lines(LINES));
    let want_out: String = (0..LINES)
        .map(|i| format!("line {i:04x} {}\n", ".".repeat(89)))
        .collect();
    let want_err: String = (0..LINES)
        .step_by(256)
        .map(|i| format!("err {i:04x}\n"))
        .collect();
    f.file("lines.stdout", &want_out);
    f.file("lines.stderr", &want_err);
    f.file("after.wat", wat_print(1, "after\n", 0));
    f.file("after.stdout", "after\n");
    let o = f.run(&["--suite", ".", "--engine", ALL, "-j", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(last_line(&o), "6 passed, 0 failed");
}

#[test]
fn what_a_guest_printed_before_its_worker_died_is_kept() {
    let f = Fixture::new();
    f.file("suite.toml", WAT_SUITE);
    f.file("dies.wat", wat_print(1, "last words CRASH\n", 0));
    f.file("dies.stdout", "last words CRASH\n");
    // End to end on every engine; which stream the parent reads first when
    // a worker dies is pinned down in the pool's own tests.
    let report = failing_run(&f, ALL, &[("XHARNESS_WORKER_CRASH_AFTER_OUTPUT", "CRASH")]);
    for engine in ENGINES {
        let r = find(&report, "dies", engine);
        assert_eq!(r["reason"], "worker-crash", "{engine}: {r}");
        assert_eq!(r["stdout"]["text"], "last words CRASH\n", "{engine}: {r}");
    }
}
