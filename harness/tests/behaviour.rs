//! Every behaviour of the engine seam, asserted identically on every engine
//! of the default registry (wasmtime, wasmer, wasmi): the fault matrix.
//!
//! Guests are built by the tests: WAT text through the `wat` crate, and
//! `guests/guest.c` with clang for wasm32-wasi (installed by `.ci/run`).

use std::time::Duration;

use xharness_engines::{Outcome, Preopen, Status, TrapKind};

mod seam;

use seam::{c_guest, engines, inv, run_all, scratch, text, wat};

/// Check every engine's outcome, then that they all agree. Agreement needs
/// two engines: a build with fewer fails here rather than pass vacuously.
fn assert_same(results: &[(&str, Outcome)], check: impl Fn(&str, &Outcome)) {
    for (name, o) in results {
        check(name, o);
    }
    let names: Vec<&str> = results.iter().map(|(n, _)| *n).collect();
    assert!(
        results.len() >= 2,
        "the agreement check needs at least two engines, but this build has only {names:?}: build with the default features (wasmtime, wasmer and wasmi)"
    );
    let (first, base) = &results[0];
    for (name, o) in &results[1..] {
        assert_eq!(base.status, o.status, "status differs: {first} vs {name}");
        assert_eq!(
            text(&base.stdout.bytes),
            text(&o.stdout.bytes),
            "stdout differs: {first} vs {name}"
        );
        assert_eq!(
            text(&base.stderr.bytes),
            text(&o.stderr.bytes),
            "stderr differs: {first} vs {name}"
        );
    }
}

#[test]
fn three_engines_are_built_in() {
    assert_eq!(
        xharness::default_registry().names(),
        vec!["wasmtime", "wasmer", "wasmi"]
    );
}

#[test]
fn hello_on_stdout_and_stderr() {
    let module = wat(
        r#"(i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 13))
           (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
           (i32.store (i32.const 0) (i32.const 32)) (i32.store (i32.const 4) (i32.const 13))
           (drop (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))"#,
        r#"(data (i32.const 16) "hello stdout\n") (data (i32.const 32) "hello stderr\n")"#,
    );
    assert_same(&run_all(&module, &inv(&[])), |name, o| {
        assert_eq!(o.status, Status::Exited(0), "{name}");
        assert_eq!(text(&o.stdout.bytes), "hello stdout\n", "{name}");
        assert_eq!(text(&o.stderr.bytes), "hello stderr\n", "{name}");
        assert!(!o.stdout.truncated(), "{name}");
    });
}

#[test]
fn args_with_spaces_arrive_intact() {
    let results = run_all(c_guest(), &inv(&["args", "two words", " lead", ""]));
    assert_same(&results, |name, o| {
        assert_eq!(o.status, Status::Exited(0), "{name}");
        assert_eq!(
            text(&o.stdout.bytes),
            "[guest]\n[args]\n[two words]\n[ lead]\n[]\n",
            "{name}"
        );
    });
}

#[test]
fn env_is_exactly_what_was_given() {
    // SAFETY: no other test reads or writes this variable.
    unsafe { std::env::set_var("XHARNESS_HOST_SECRET", "leaked") };
    let mut i = inv(&["env"]);
    i.env = vec![
        ("GREETING".into(), "hello world".into()),
        ("EMPTY".into(), String::new()),
    ];
    assert_same(&run_all(c_guest(), &i), |name, o| {
        assert_eq!(o.status, Status::Exited(0), "{name}");
        assert_eq!(
            text(&o.stdout.bytes),
            "GREETING=hello world\nEMPTY=\n",
            "{name}"
        );
    });
}

#[test]
fn stdin_is_echoed() {
    let mut i = inv(&["stdin"]);
    i.stdin = b"line one\nline two\n\x00binary\xff".to_vec();
    assert_same(&run_all(c_guest(), &i), |name, o| {
        assert_eq!(o.status, Status::Exited(0), "{name}");
        assert_eq!(o.stdout.bytes, i.stdin, "{name}");
        assert_eq!(
            text(&o.stderr.bytes),
            format!("{} bytes\n", i.stdin.len()),
            "{name}"
        );
    });
}

#[test]
fn exit_codes_from_a_nested_call() {
    for code in [0, 1, 42] {
        let results = run_all(c_guest(), &inv(&["exit", &code.to_string()]));
        assert_same(&results, |name, o| {
            assert_eq!(o.status, Status::Exited(code), "{name}")
        });
    }
}

fn assert_trap(body: &str, extra: &str, want: TrapKind) {
    let results = run_all(&wat(body, extra), &inv(&[]));
    assert_same(&results, |name, o| match &o.status {
        Status::Trapped { kind, message } => {
            assert_eq!(*kind, want, "{name}: {message}");
            assert!(!message.is_empty(), "{name}");
        }
        other => panic!("{name}: expected a {want} trap, got {other}"),
    });
}

#[test]
fn trap_unreachable() {
    assert_trap("unreachable", "", TrapKind::Unreachable);
}

#[test]
fn trap_integer_divide_by_zero() {
    assert_trap(
        "(drop (i32.div_s (i32.const 7) (call $zero)))",
        "(func $zero (result i32) (i32.const 0))",
        TrapKind::IntegerDivideByZero,
    );
}

#[test]
fn trap_out_of_bounds_memory() {
    assert_trap(
        "(drop (i32.load (i32.const 0x7ffffff0)))",
        "",
        TrapKind::MemoryOutOfBounds,
    );
}

#[test]
fn trap_stack_overflow_from_deep_recursion() {
    assert_trap(
        "(drop (call $down (i32.const 0)))",
        "(func $down (param i32) (result i32) (i32.add (call $down (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))",
        TrapKind::StackOverflow,
    );
}

#[test]
fn exit_codes_of_126_and_above_pass_through_as_natively() {
    for code in [126, 200, 255] {
        let i = inv(&["exit", &code.to_string()]);
        assert_same(&run_all(c_guest(), &i), |name, o| {
            assert_eq!(o.status, Status::Exited(code), "{name}")
        });
    }
}

#[test]
fn a_table_grow_loop_stops_at_the_memory_limit() {
    // Grow a table 64 Ki elements at a time until the engine refuses;
    // trap if it never grew or grew past what 64 MiB allows.
    let module = wat(
        r#"(loop $l
             (br_if $l (i32.ne (table.grow $t (ref.null func) (i32.const 65536)) (i32.const -1))))
           (if (i32.eqz (table.size $t)) (then unreachable))
           (if (i32.gt_u (table.size $t) (i32.const 4194304)) (then unreachable))"#,
        "(table $t 0 funcref)",
    );
    let mut i = inv(&[]);
    i.max_memory = 64 << 20;
    assert_eq!(i.max_table_elements(), 4 << 20);
    assert_same(&run_all(&module, &i), |name, o| {
        assert_eq!(o.status, Status::Exited(0), "{name}: {}", o.status)
    });
}

#[test]
fn a_table_whose_minimum_is_over_the_limit_is_a_memory_outcome() {
    let module = wat("", "(table $t 1000000 funcref)");
    let mut i = inv(&[]);
    i.max_memory = 1 << 20; // 64 Ki elements
    assert_same(&run_all(&module, &i), |name, o| {
        assert_eq!(o.status, Status::MemoryLimit, "{name}")
    });
}

#[cfg(feature = "wasmer")]
#[test]
fn wasmer_guests_get_no_host_networking() {
    // WASIX `resolve("localhost")` succeeds with host networking (it needs
    // no network, only the resolver); xharness gives guests none.
    let text = r#"(module
      (import "wasix_32v1" "resolve" (func $resolve (param i32 i32 i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (data (i32.const 0) "localhost")
      (func (export "_start")
        (call $exit (call $resolve (i32.const 0) (i32.const 9) (i32.const 80)
                                   (i32.const 1024) (i32.const 4) (i32.const 512)))))"#;
    let wasm = wat::parse_str(text).expect("test WAT parses");
    let engine = xharness::default_registry()
        .create("wasmer")
        .expect("wasmer starts");
    let module = engine.compile(&wasm).expect("compiles");
    let o = engine.run(&module, &inv(&[]));
    match o.status {
        Status::Exited(errno) => assert_ne!(errno, 0, "resolve succeeded: host networking"),
        other => panic!("unexpected outcome {other}"),
    }
}

#[test]
fn malloc_fails_inside_the_guest_under_a_memory_limit() {
    let mut i = inv(&["malloc"]);
    i.max_memory = 64 << 20;
    assert_same(&run_all(c_guest(), &i), |name, o| {
        assert_eq!(
            o.status,
            Status::Exited(0),
            "{name}: {}",
            text(&o.stderr.bytes)
        );
        let out = text(&o.stdout.bytes);
        let mib: u64 = out
            .trim()
            .strip_prefix("allocation failed after ")
            .and_then(|s| s.strip_suffix(" MiB"))
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{name}: unexpected output {out:?}"));
        assert!(
            (50..64).contains(&mib),
            "{name}: {mib} MiB allocated under a 64 MiB limit"
        );
    });
}

#[test]
fn initial_memory_over_the_limit_is_a_memory_outcome() {
    let module = wat("", "");
    let mut i = inv(&[]);
    i.max_memory = 65536; // one page; the module asks for two
    assert_same(&run_all(&module, &i), |name, o| {
        assert_eq!(o.status, Status::MemoryLimit, "{name}")
    });
}

#[test]
fn a_gibibyte_of_output_is_capped_and_marked_truncated() {
    // 16384 writes of 64 KiB = 1 GiB.
    let module = wat(
        r#"(local $i i32)
           (i32.store (i32.const 0) (i32.const 65536)) (i32.store (i32.const 4) (i32.const 65536))
           (loop $l
             (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
             (local.set $i (i32.add (local.get $i) (i32.const 1)))
             (br_if $l (i32.lt_u (local.get $i) (i32.const 16384))))"#,
        "",
    );
    let mut i = inv(&[]);
    i.output_cap = 1 << 20;
    i.timeout = Duration::from_secs(60);
    assert_same(&run_all(&module, &i), |name, o| {
        assert_eq!(o.status, Status::Exited(0), "{name}");
        assert!(o.stdout.truncated(), "{name}");
        assert_eq!(o.stdout.bytes.len(), 1 << 20, "{name}");
        assert_eq!(o.stdout.total, 1 << 30, "{name}");
        // The first and last halves of the cap are kept.
        assert_eq!(
            o.stdout.dropped,
            Some((1 << 19)..((1 << 30) - (1 << 19))),
            "{name}"
        );
    });
}

#[test]
fn files_in_a_preopened_directory() {
    for e in engines() {
        let dir = scratch("files");
        std::fs::write(dir.path().join("in.txt"), "from the host\n").expect("write");
        let mut i = inv(&["files"]);
        i.preopens.push(Preopen {
            host: dir.path().into(),
            guest: ".".into(),
            read_only: false,
        });
        let m = e.compile(c_guest()).expect("compiles");
        let o = e.run(&m, &i);
        assert_eq!(
            o.status,
            Status::Exited(0),
            "{}: {}",
            e.name(),
            text(&o.stderr.bytes)
        );
        assert_eq!(
            text(&o.stdout.bytes),
            "read: from the host\n",
            "{}",
            e.name()
        );
        let written =
            std::fs::read_to_string(dir.path().join("out.txt")).expect("guest wrote out.txt");
        assert_eq!(written, "written by the guest\n", "{}", e.name());
        assert!(dir.path().join("sub").is_dir(), "{}: mkdir", e.name());
    }
}

#[test]
fn read_only_preopen_refuses_writes() {
    for e in engines() {
        let dir = scratch("ro");
        let mut i = inv(&["write", "/data/new.txt"]);
        i.preopens.push(Preopen {
            host: dir.path().into(),
            guest: "/data".into(),
            read_only: true,
        });
        let m = e.compile(c_guest()).expect("compiles");
        let o = e.run(&m, &i);
        assert_eq!(
            text(&o.stdout.bytes),
            "write /data/new.txt: denied\n",
            "{}",
            e.name()
        );
        assert!(!dir.path().join("new.txt").exists(), "{}", e.name());
    }
}

#[test]
fn paths_outside_the_preopens_are_denied() {
    let outer = scratch("escape");
    let inner = outer.path().join("inner");
    std::fs::create_dir_all(inner.join("dir")).expect("mkdir");
    std::fs::write(outer.path().join("x"), "secret").expect("write");
    std::fs::write(inner.join("inside.txt"), "ok").expect("write");
    let outside = outer.path().join("x");
    let outside = outside.to_str().expect("utf-8 temp path");
    let mut i = inv(&[
        "escape",
        "inside.txt",
        "../x",
        "dir/../../x",
        outside,
        "/etc/passwd",
    ]);
    i.preopens.push(Preopen {
        host: inner.clone(),
        guest: ".".into(),
        read_only: false,
    });
    assert_same(&run_all(c_guest(), &i), |name, o| {
        let out = text(&o.stdout.bytes);
        assert_eq!(
            o.status,
            Status::Exited(1),
            "{name}: only inside.txt may open\n{out}"
        );
        assert_eq!(
            out,
            format!(
                "inside.txt: opened\n../x: denied\ndir/../../x: denied\n{outside}: denied\n/etc/passwd: denied\n"
            ),
            "{name}"
        );
    });
}

#[test]
fn malformed_bytes_are_a_compile_error() {
    for e in engines() {
        let err = e
            .compile(b"\0asm\x01\0\0\0garbage")
            .expect_err("must not compile");
        assert!(
            err.to_string().contains("not a valid WebAssembly module"),
            "{}: {err}",
            e.name()
        );
    }
}

#[test]
fn a_missing_import_is_named() {
    let module = wat::parse_str(
        r#"(module (import "env" "frobnicate" (func (param i32)))
                   (memory (export "memory") 1) (func (export "_start")))"#,
    )
    .expect("parses");
    assert_same(&run_all(&module, &inv(&[])), |name, o| match &o.status {
        Status::InstantiateError(reason) => {
            assert!(reason.contains("env::frobnicate"), "{name}: {reason}");
            assert!(reason.contains("function"), "{name}: {reason}");
        }
        other => panic!("{name}: expected an instantiate error, got {other}"),
    });
}

/// A real difference between the engines, asserted so we notice if it
/// changes: wasmer-wasix always preopens its virtual root `/` as fd 3, so
/// the first requested preopen is fd 4 there, while wasmtime and wasmi
/// number the requested preopens from 3. WASI preview 1 promises no fd numbers and
/// wasi-libc looks preopens up by name, so C programs see no difference.
#[test]
fn preopen_fd_numbering_differs_between_engines() {
    // For fds 3 and 4: print the preopen's name, or "-" if it is none.
    let module = wat(
        r#"(call $show (i32.const 3)) (call $show (i32.const 4))"#,
        r#"(import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $name (param i32 i32 i32) (result i32)))
           (func $show (param $fd i32) (local $len i32)
             (local.set $len (i32.const 1))
             (memory.fill (i32.const 256) (i32.const 0) (i32.const 64))
             (i32.store8 (i32.const 256) (i32.const 45))
             (if (i32.eqz (call $name (local.get $fd) (i32.const 256) (i32.const 64)))
               (then (local.set $len (call $strlen (i32.const 256)))))
             (i32.store8 (i32.add (i32.const 256) (local.get $len)) (i32.const 10))
             (i32.store (i32.const 0) (i32.const 256))
             (i32.store (i32.const 4) (i32.add (local.get $len) (i32.const 1)))
             (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
           (func $strlen (param $p i32) (result i32) (local $n i32)
             (block $done (loop $l
               (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
               (br_if $done (i32.ge_u (local.get $n) (i32.const 63)))
               (local.set $n (i32.add (local.get $n) (i32.const 1)))
               (br $l)))
             (local.get $n))"#,
    );
    let dir = scratch("fds");
    let mut i = inv(&[]);
    i.preopens.push(Preopen {
        host: dir.path().into(),
        guest: ".".into(),
        read_only: false,
    });
    for (name, o) in run_all(&module, &i) {
        assert_eq!(o.status, Status::Exited(0), "{name}");
        let want = match name {
            "wasmtime" | "wasmi" => ".\n-\n",
            "wasmer" => "/\n.\n",
            other => panic!("unexpected engine {other}"),
        };
        assert_eq!(text(&o.stdout.bytes), want, "{name}");
    }
}
