//! End-to-end: `xharness run MODULE` behaves like a native program.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::*;

/// `xharness run ARGS` in the fixture, with piped stdio.
fn spawn(f: &Fixture, args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_xharness"))
        .arg("run")
        .args(args)
        .current_dir(f.path())
        .env("XHARNESS_CACHE_DIR", f.cache.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts")
}

fn run(f: &Fixture, args: &[&str], stdin: &[u8]) -> std::process::Output {
    let mut child = spawn(f, args);
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("write stdin");
    child.wait_with_output().expect("finishes")
}

#[test]
fn exit_code_and_output_pass_through_on_every_engine() {
    let f = Fixture::new();
    f.file("m.wat", wat_print(1, "hi there\n", 42));
    for engine in ["wasmtime", "wasmer", "wasmi"] {
        let o = run(&f, &["--engine", engine, "m.wat"], b"");
        assert_eq!(o.status.code(), Some(42), "{engine}: {}", stderr(&o));
        assert_eq!(stdout(&o), "hi there\n", "{engine}");
    }
}

#[test]
fn stdin_args_env_and_dirs_reach_the_guest() {
    let f = Fixture::new();
    // Echo stdin, then print argc as a digit.
    f.file(
        "echo.wat",
        r#"(module
      (import "wasi_snapshot_preview1" "fd_read" (func $r (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "args_sizes_get" (func $a (param i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "_start")
        (i32.store (i32.const 0) (i32.const 1024)) (i32.store (i32.const 4) (i32.const 1024))
        (drop (call $r (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
        (i32.store (i32.const 4) (i32.load (i32.const 8)))
        (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
        (drop (call $a (i32.const 16) (i32.const 20)))
        (i32.store8 (i32.const 1024) (i32.add (i32.const 48) (i32.load (i32.const 16))))
        (i32.store (i32.const 4) (i32.const 1))
        (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#,
    );
    for engine in ["wasmtime", "wasmer", "wasmi"] {
        let o = run(
            &f,
            &[
                "--engine", engine, "--env", "A=b", "--dir", ".", "echo.wat", "x", "-y z",
            ],
            b"piped\n",
        );
        assert_eq!(o.status.code(), Some(0), "{engine}: {}", stderr(&o));
        assert_eq!(stdout(&o), "piped\n3", "{engine}");
    }
}

#[test]
fn trap_exits_134_with_the_message_on_stderr() {
    let f = Fixture::new();
    f.file(
        "t.wat",
        "(module (memory (export \"memory\") 1) (func (export \"_start\") unreachable))",
    );
    for engine in ["wasmtime", "wasmer", "wasmi"] {
        let o = run(&f, &["--engine", engine, "t.wat"], b"");
        assert_eq!(o.status.code(), Some(134), "{engine}");
        assert!(
            stderr(&o).contains("wasm trap: unreachable"),
            "{engine}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn timeout_exits_124() {
    let f = Fixture::new();
    f.file(
        "spin.wat",
        "(module (memory (export \"memory\") 1) (func (export \"_start\") (loop $l (br $l))))",
    );
    for engine in ["wasmtime", "wasmer", "wasmi"] {
        let o = run(
            &f,
            &["--engine", engine, "--timeout", "0.5", "spin.wat"],
            b"",
        );
        assert_eq!(o.status.code(), Some(124), "{engine}: {}", stderr(&o));
        assert!(stderr(&o).contains("timed out"), "{engine}: {}", stderr(&o));
    }
}

#[test]
fn unreadable_malformed_or_unlinkable_modules_exit_2_with_one_line() {
    let f = Fixture::new();
    f.file("junk.wasm", b"\0asm\x01\0\0\0\xff\xff");
    f.file("imp.wat", "(module (import \"env\" \"missing_fn\" (func)) (memory (export \"memory\") 1) (func (export \"_start\")))");
    for engine in ["wasmtime", "wasmer", "wasmi"] {
        for (module, needle) in [
            ("nope.wasm", "cannot read"),
            ("junk.wasm", "not a valid WebAssembly module"),
            ("imp.wat", "env::missing_fn"),
        ] {
            let o = run(&f, &["--engine", engine, module], b"");
            assert_eq!(o.status.code(), Some(2), "{engine} {module}");
            let err = stderr(&o);
            assert!(
                err.contains(needle) && err.contains(module),
                "{engine} {module}: {err}"
            );
            assert_eq!(
                err.trim_end().lines().count(),
                1,
                "{engine} {module}: {err}"
            );
        }
    }
}

#[test]
fn output_is_streamed_not_buffered_to_the_end() {
    use std::io::BufRead;
    let f = Fixture::new();
    // Print a line, then spin until the time limit stops it.
    f.file(
        "tick.wat",
        r#"(module
      (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 64) "tick\n")
      (func (export "_start")
        (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 5))
        (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
        (loop $l (br $l))))"#,
    );
    // The guest spins for a minute after its line. If the line only came
    // at exit, the time limit would have ended the run (124) before the
    // kill below; streamed, it arrives while the run goes on.
    for engine in ["wasmtime", "wasmer", "wasmi"] {
        let mut child = spawn(&f, &["--engine", engine, "--timeout", "60", "tick.wat"]);
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read");
        child.kill().expect("kill");
        let status = child.wait().expect("exits");
        assert_eq!(line, "tick\n", "{engine}");
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            (status.code(), status.signal()),
            (None, Some(9)),
            "{engine}: the line arrived only when the run ended ({status})"
        );
    }
}
