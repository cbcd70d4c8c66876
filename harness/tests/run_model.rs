//! End-to-end: the run model. Worker processes and deadlines, limits,
//! interrupts, blessing across engines, retries and re-runs, counts.
//! (Crashed workers and the guest's output: `worker_output.rs`.) Every
//! test runs the real binary on real engines.
//!
//! Timing assertions are generous on purpose (CI is a loaded 2-core
//! machine): a deadline test asserts the status and "well under what the
//! guest would take", never a tight bound.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

const BOTH: &str = "wasmtime,wasmer";
/// The hardening cells run on every built-in engine.
const ALL: &str = "wasmtime,wasmer,wasmi";
const ENGINES: [&str; 3] = ["wasmtime", "wasmer", "wasmi"];

/// A WAT module whose `_start` prints `text` then spins forever.
fn print_then_spin(text: &str) -> String {
    wat_print(1, text, 0).replace(
        "(call $exit (i32.const 0))",
        "(loop $l (br $l)) (call $exit (i32.const 0))",
    )
}

/// A WAT module that sleeps `secs` seconds in `poll_oneoff` (a host call).
fn sleeper(secs: u64) -> String {
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    ;; one clock subscription at 0: userdata 0, tag 0 (clock), id 1 (monotonic), relative timeout
    (i64.store (i32.const 24) (i64.const {ns}))
    (drop (call $poll (i32.const 0) (i32.const 128) (i32.const 1) (i32.const 256)))))"#,
        ns = secs * 1_000_000_000
    )
}

const START_LOOP: &str = r#"(module
  (memory (export "memory") 1)
  (func $spin (loop $l (br $l)))
  (start $spin)
  (func (export "_start")))"#;

fn suite_with_timeout(f: &Fixture, secs: &str) {
    f.file(
        "suite.toml",
        WAT_SUITE.replace("timeout = 2", &format!("timeout = {secs}")),
    );
}

#[test]
fn deadlines_end_loops_sleeps_and_start_functions_on_every_engine() {
    let f = Fixture::new();
    suite_with_timeout(&f, "1");
    f.file("busy.wat", print_then_spin("printed before the loop\n"));
    f.file("sleep.wat", sleeper(3600));
    f.file("start.wat", START_LOOP);
    f.file("fine.wat", wat_print(1, "ok\n", 0));
    f.file("fine.stdout", "ok\n");
    let o = f.run(&["--suite", ".", "--engine", ALL, "--json", "r.json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let report = json_report(&f);
    for engine in ENGINES {
        for case in ["busy", "sleep", "start"] {
            let r = find(&report, case, engine);
            assert_eq!(r["reason"], "timeout", "{case} on {engine}: {r}");
            assert_eq!(r["outcome"]["kind"], "timeout", "{case} on {engine}");
        }
        let busy = find(&report, "busy", engine);
        assert_eq!(
            busy["stdout"]["text"], "printed before the loop\n",
            "output before the deadline is kept on {engine}"
        );
        assert_eq!(find(&report, "fine", engine)["status"], "pass");
    }
    assert_eq!(last_line(&o), "3 passed, 9 failed");
}

/// `xharness run` with a piped stdin that the test never closes.
fn run_module(engine: &str, module: &Path, timeout: &str) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xharness"))
        .args(["run", "--engine", engine, "--timeout", timeout])
        .arg(module)
        .env(
            "XHARNESS_CACHE_DIR",
            std::env::temp_dir().join("xharness-test-cache"),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("xharness starts");
    let _open_stdin = child.stdin.take();
    let out = child.wait_with_output().expect("waits");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn xharness_run_ends_every_kind_of_hang_with_124() {
    let f = Fixture::new();
    let stdin_reader = r#"(module
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 16))
    (drop (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))))"#;
    let modules = [
        ("busy.wat", print_then_spin("")),
        ("sleep.wat", sleeper(3600)),
        ("start.wat", START_LOOP.to_string()),
        ("stdin.wat", stdin_reader.to_string()),
    ];
    for (name, text) in &modules {
        let path = f.file(name, text);
        for engine in ENGINES {
            let (code, err) = run_module(engine, &path, "1");
            assert_eq!(code, Some(124), "{name} on {engine}: {err}");
            assert!(err.contains("timed out"), "{name} on {engine}: {err}");
        }
    }
}

#[test]
fn huge_timeouts_are_usage_errors_not_panics() {
    let f = Fixture::new();
    let module = f.file("m.wat", wat_print(1, "", 0));
    let o = f.run(&["run", "--timeout", "1e20", module.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--timeout"), "{}", stderr(&o));
    suite_with_timeout(&f, "1e20");
    let o = f.run(&["--suite", "."]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("suite.toml"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
}

#[test]
fn exit_codes_above_125_pass_through_xharness_run_on_every_engine() {
    let f = Fixture::new();
    let module = f.file("m.wat", wat_print(1, "", 200));
    for engine in ENGINES {
        let o = f.run(&["run", "--engine", engine, module.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(200), "{engine}: {}", stderr(&o));
    }
}

#[test]
fn the_memory_watch_kills_a_worker_over_its_limit() {
    let f = Fixture::new();
    suite_with_timeout(&f, "30");
    f.file("sleep.wat", sleeper(20));
    let report = failing_run(&f, ALL, &[("XHARNESS_RSS_MARGIN", "0")]);
    for engine in ENGINES {
        assert_eq!(find(&report, "sleep", engine)["reason"], "memory");
    }
}

#[test]
fn bless_writes_only_what_every_engine_agrees_on() {
    let f = Fixture::new();
    f.file("suite.toml", WAT_SUITE);
    f.file("same.wat", wat_print(1, "both say this\n", 0));
    // Prints the name of preopen fd 3: "." on wasmtime, "/" on wasmer.
    f.file(
        "differs.wat",
        r#"(module
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $name (i32.const 3) (i32.const 64) (i32.const 1)))
    (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 1))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#,
    );
    let o = f.run(&["--suite", ".", "--engine", BOTH, "--bless"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert_eq!(f.read("same.stdout"), "both say this\n");
    assert!(
        !f.path().join("differs.stdout").exists(),
        "blessed a disagreement"
    );
    let out = stdout(&o);
    assert!(out.contains("engines-disagree"), "{out}");
    assert!(out.contains("disagree on stdout"), "{out}");
    assert_eq!(last_line(&o), "2 passed, 2 failed");
    // One engine agrees with itself.
    let o = f.run(&["--suite", ".", "--engine", "wasmer", "--bless"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(f.read("differs.stdout"), "/");
}

#[test]
fn fail_fast_counts_what_never_ran() {
    let f = Fixture::new();
    f.file("suite.toml", WAT_SUITE);
    for i in 0..20 {
        f.file(&format!("c{i:02}.wat"), wat_print(1, "", 1));
    }
    let o = f.run(&[
        "--suite",
        ".",
        "--engine",
        BOTH,
        "--fail-fast",
        "-j",
        "1",
        "--json",
        "r.json",
        "--junit",
        "r.xml",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let last = last_line(&o);
    let counts: Vec<usize> = last
        .split(", ")
        .map(|part| part.split(' ').next().unwrap().parse().unwrap())
        .collect();
    assert!(last.ends_with(" not run"), "{last}");
    assert_eq!(counts.iter().sum::<usize>(), 40, "{last}");
    assert!(counts[2] >= 30, "fail-fast ran too much: {last}");
    let report = json_report(&f);
    assert_eq!(report["summary"]["total"], 40);
    assert_eq!(
        report["summary"]["not_run"].as_u64(),
        Some(counts[2] as u64)
    );
    assert_eq!(results(&report).len(), 40);
    let junit = f.read("r.xml");
    assert_eq!(junit.matches("<testcase").count(), 40, "{junit}");
}

#[test]
fn a_job_that_passes_on_retry_is_flaky_and_does_not_fail_the_run() {
    let f = Fixture::new();
    std::fs::create_dir_all(f.path().join("state")).unwrap();
    f.file(
        "suite.toml",
        format!("{WAT_SUITE}dirs = [\"{{root}}/state::state\"]\nretries = 2\n"),
    );
    // Fails (exit 1) unless state/seen exists; creates it on the way.
    f.file(
        "flaky.wat",
        r#"(module
  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "seen")
  (func (export "_start")
    ;; fd of the preopen "state" (3 or 4 depending on the engine): try both.
    (if (i32.eqz (call $open (i32.const 4) (i32.const 0) (i32.const 64) (i32.const 4) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 32)))
      (then (call $exit (i32.const 0))))
    (if (i32.eqz (call $open (i32.const 3) (i32.const 0) (i32.const 64) (i32.const 4) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 32)))
      (then (call $exit (i32.const 0))))
    (drop (call $open (i32.const 4) (i32.const 0) (i32.const 64) (i32.const 4) (i32.const 1) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 32)))
    (drop (call $open (i32.const 3) (i32.const 0) (i32.const 64) (i32.const 4) (i32.const 1) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 32)))
    (call $exit (i32.const 1))))"#,
    );
    let o = f.run(&[
        "--suite", ".", "--engine", "wasmtime", "--json", "r.json", "--junit", "r.xml",
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("FLAKY"), "{out}");
    assert_eq!(last_line(&o), "0 passed, 0 failed, 1 flaky");
    let report = json_report(&f);
    let r = find(&report, "flaky", "wasmtime");
    assert_eq!(r["status"], "flaky");
    assert_eq!(r["attempts"].as_array().map(Vec::len), Some(1), "{r}");
    assert_eq!(r["attempts"][0]["reason"], "exit-code");
    assert!(
        f.read("r.xml").contains("flakyFailure"),
        "{}",
        f.read("r.xml")
    );
}

#[test]
fn failed_reruns_only_what_failed_last_time() {
    let f = Fixture::new();
    f.file("suite.toml", WAT_SUITE);
    f.file("good.wat", wat_print(1, "good\n", 0));
    f.file("good.stdout", "good\n");
    f.file("bad.wat", wat_print(1, "bad\n", 0));
    f.file("bad.stdout", "expected\n");
    let o = f.run(&["--suite", ".", "--engine", BOTH]);
    assert_eq!(last_line(&o), "2 passed, 2 failed");
    let o = f.run(&["--suite", ".", "--engine", BOTH, "--failed"]);
    assert_eq!(last_line(&o), "0 passed, 2 failed", "{}", stdout(&o));
    f.file("bad.stdout", "bad\n");
    let o = f.run(&["--suite", ".", "--engine", BOTH, "--failed"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(last_line(&o), "2 passed, 0 failed");
    let o = f.run(&["--suite", ".", "--engine", BOTH, "--failed"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("nothing to re-run"), "{}", stdout(&o));
}

#[test]
fn an_unknown_engine_under_expect_is_an_error_naming_the_file() {
    let f = Fixture::new();
    f.file(
        "suite.toml",
        format!("{WAT_SUITE}[expect.wasmtmie]\n\"a\" = \"xfail: typo\"\n"),
    );
    f.file("a.wat", wat_print(1, "", 0));
    let o = f.run(&["--suite", "."]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("suite.toml") && err.contains("wasmtmie"),
        "{err}"
    );
}

/// Processes whose environment holds `needle` (as root, /proc shows all).
fn processes_with_env(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let environ = entry.path().join("environ");
        if let Ok(bytes) = std::fs::read(&environ)
            && String::from_utf8_lossy(&bytes).contains(needle)
        {
            found.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    found
}

/// Worker processes of the run whose cache is `cache` (its parent excepted).
fn workers_of(cache: &Path) -> Vec<String> {
    let marker = format!("XHARNESS_CACHE_DIR={}", cache.display());
    processes_with_env(&marker)
        .into_iter()
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .is_ok_and(|env| env.split(|b| *b == 0).any(|v| v == b"XHARNESS_WORKER=1"))
        })
        .collect()
}

#[test]
fn a_run_starts_as_many_workers_as_it_runs_jobs_at_once_and_stops_them() {
    // Workers start on a thread of their own while the suite is read; a
    // job waits for one being started instead of starting another.
    let f = Fixture::new();
    f.file(
        "suite.toml",
        "name = \"t\"\ninclude = [\"*.wat\"]\n[toolchain]\nbuiltin = \"wat\"\n",
    );
    for i in 0..4 {
        f.file(&format!("s{i}.wat"), sleeper(1));
    }
    let child = Command::new(env!("CARGO_BIN_EXE_xharness"))
        .args(["--suite", ".", "--engine", "wasmtime", "-j", "2"])
        .current_dir(f.path())
        .env("XHARNESS_CACHE_DIR", f.cache.path())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .spawn()
        .expect("starts");
    let pid = child.id().to_string();
    let mut most = 0;
    while Path::new(&format!("/proc/{pid}/environ")).exists()
        && std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| !s.contains(") Z "))
    {
        most = most.max(workers_of(f.cache.path()).len());
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("exits");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && text.contains("4 passed"), "{text}");
    assert_eq!(most, 2, "workers seen at once during the run");
    assert_eq!(
        workers_of(f.cache.path()),
        Vec::<String>::new(),
        "left running"
    );
}

#[test]
fn ctrl_c_stops_workers_and_toolchains_and_writes_partial_reports() {
    let f = Fixture::new();
    let tmp = tempfile::tempdir().expect("tmp");
    f.file(
        "suite.toml",
        r#"name = "t"
include = ["**/*.wat", "**/*.slow"]
[toolchain]
command = "sh -c 'case {src} in *.slow) sleep 120;; esac; cp {src} {out}'"
[run]
timeout = 120
"#,
    );
    // The toolchain copies the file, so it may hold binary wasm already.
    std::fs::write(
        f.path().join("sleep.wat"),
        wat::parse_str(sleeper(120)).expect("WAT"),
    )
    .unwrap();
    f.file("hang.slow", "");
    let marker = format!("XHARNESS_CACHE_DIR={}", f.cache.path().display());
    let child = Command::new(env!("CARGO_BIN_EXE_xharness"))
        .args([
            "--suite", ".", "--engine", BOTH, "-j", "3", "--json", "r.json",
        ])
        .current_dir(f.path())
        .env("XHARNESS_CACHE_DIR", f.cache.path())
        .env("TMPDIR", tmp.path())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .spawn()
        .expect("starts");
    // Wait until the workers and the toolchain are busy.
    let busy = Instant::now();
    while processes_with_env(&marker).len() < 4 && busy.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .expect("signal");
    // The jobs sleep for two minutes: exit 130 with an interrupted report
    // says the run stopped on the signal, not at their end.
    let out = child.wait_with_output().expect("exits");
    assert_eq!(out.status.code(), Some(130));
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        processes_with_env(&marker),
        Vec::<String>::new(),
        "left running"
    );
    let report = json_report(&f);
    assert_eq!(report["interrupted"], true);
    assert_eq!(report["summary"]["total"], 4);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("interrupted"), "{text}");
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().flatten().collect();
    assert!(left.is_empty(), "left behind in TMPDIR: {left:?}");
}

#[test]
fn a_thousand_cold_cases_pass_on_both_engines() {
    // The regression test of the nested-rayon stack overflow: cold wasmer
    // compiles inside jobs used to steal other jobs onto the same stack.
    let f = Fixture::new();
    f.file("suite.toml", WAT_SUITE);
    for i in 0..1000 {
        let name = format!("c/{i:04}");
        f.file(
            &format!("{name}.wat"),
            wat_print(1, &format!("ok {i}\n"), 0),
        );
        f.file(&format!("{name}.stdout"), format!("ok {i}\n"));
    }
    let o = f.run(&["--suite", ".", "--engine", BOTH]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(last_line(&o), "2000 passed, 0 failed");
}

/// Whether any process runs with exactly this argv.
fn process_with_args(args: &[&str]) -> bool {
    let wanted: Vec<u8> = args
        .iter()
        .flat_map(|a| [a.as_bytes(), b"\0"].concat())
        .collect();
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| std::fs::read(e.path().join("cmdline")).is_ok_and(|c| c == wanted))
}

#[test]
fn what_a_toolchain_leaves_running_is_killed_when_it_finishes() {
    let f = Fixture::new();
    f.file(
        "suite.toml",
        format!(
            "name = \"t\"\ninclude = [\"*.wasm\"]\n[toolchain]\ncommand = \"sh -c '(sleep 297; touch {}) & cp {{src}} {{out}}'\"\n",
            f.path().join("outlived").display()
        ),
    );
    std::fs::write(
        f.path().join("a.wasm"),
        wat::parse_str(wat_print(1, "", 0)).expect("WAT"),
    )
    .unwrap();
    let o = f.run(&["--suite", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // Had the run waited for the background process, it would have ended
    // and left its file.
    assert!(
        !f.path().join("outlived").exists(),
        "the run waited for the toolchain's background process"
    );
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        !process_with_args(&["sleep", "297"]),
        "the toolchain's background process outlived it"
    );
}
