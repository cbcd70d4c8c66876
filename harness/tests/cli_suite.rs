//! End-to-end: `xharness --suite …` on real suites with real engines.

mod common;

use common::*;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/wat-demo");

#[test]
fn demo_suite_passes_on_both_engines() {
    let f = Fixture::new();
    let o = f.run(&["--suite", DEMO, "--engine", "wasmtime,wasmer"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(last_line(&o), "14 passed, 0 failed");
    assert!(
        stdout(&o).contains("XFAIL wat-demo::io/write-file::wasmer"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn output_mismatch_shows_a_diff_and_bless_fixes_it() {
    let f = Fixture::new();
    f.file("suite.toml", WAT_SUITE);
    f.file("greet.wat", wat_print(1, "hello\nnew line\n", 0));
    f.file("greet.stdout", "hello\nold line\n");
    let o = f.run(&["--suite", "."]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("-old line\n+new line\n"), "{out}");
    assert!(out.contains("output-mismatch"), "{out}");
    assert_eq!(last_line(&o), "0 passed, 1 failed");

    let o = f.run(&["--suite", ".", "--bless"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(f.read("greet.stdout"), "hello\nnew line\n");
    let o = f.run(&["--suite", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn bless_never_writes_goldens_for_traps_or_exit_codes() {
    let f = Fixture::new();
    f.file("suite.toml", WAT_SUITE);
    f.file("bad-exit.wat", wat_print(1, "partial\n", 9));
    f.file(
        "trap.wat",
        "(module (memory (export \"memory\") 1) (func (export \"_start\") unreachable))",
    );
    let o = f.run(&["--suite", ".", "--bless"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!f.path().join("bad-exit.stdout").exists());
    assert!(!f.path().join("trap.stdout").exists());
    let out = stdout(&o);
    assert!(
        out.contains("exit-code") && out.contains("exited with code 9, expected 0"),
        "{out}"
    );
    assert!(
        out.contains("trap") && out.contains("wasm trap: unreachable"),
        "{out}"
    );
}

#[test]
fn failure_reasons_for_timeouts_memory_and_missing_imports() {
    let f = Fixture::new();
    f.file("suite.toml", WAT_SUITE);
    f.file(
        "spin.wat",
        "(module (memory (export \"memory\") 1) (func (export \"_start\") (loop $l (br $l))))",
    );
    f.file(
        "big.wat",
        "(module (memory (export \"memory\") 512) (func (export \"_start\")))",
    );
    f.file("import.wat", "(module (import \"env\" \"nope\" (func)) (memory (export \"memory\") 1) (func (export \"_start\")))");
    let json = f.path().join("r.json");
    let o = f.run(&[
        "--suite",
        ".",
        "--engine",
        "wasmtime,wasmer",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let report: serde_json::Value = serde_json::from_str(&f.read("r.json")).expect("valid JSON");
    let reason = |case: &str, engine: &str| {
        report["results"]
            .as_array()
            .expect("results")
            .iter()
            .find(|r| r["case"] == case && r["engine"] == engine)
            .map(|r| r["reason"].as_str().unwrap_or("").to_string())
            .expect("result present")
    };
    for engine in ["wasmtime", "wasmer"] {
        assert_eq!(reason("spin", engine), "timeout");
        assert_eq!(reason("big", engine), "memory");
        assert_eq!(reason("import", engine), "instantiate-error");
    }
    assert!(stdout(&o).contains("env::nope"), "{}", stdout(&o));
}

#[test]
fn json_and_junit_reports() {
    let f = Fixture::new();
    f.file("suite.toml", WAT_SUITE);
    f.file("ok.wat", wat_print(1, "fine\n", 0));
    f.file("ok.stdout", "fine\n");
    f.file("bad.wat", wat_print(2, "oops <&>\n", 0));
    let (json, junit) = (f.path().join("r.json"), f.path().join("r.xml"));
    let o = f.run(&[
        "--suite",
        ".",
        "--json",
        json.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_str(&f.read("r.json")).expect("valid JSON");
    assert_eq!(report["suite"], "t");
    assert_eq!(report["engines"][0], "wasmtime");
    let results = report["results"].as_array().expect("results");
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["case"], "bad");
    assert_eq!(results[0]["status"], "fail");
    assert_eq!(results[0]["reason"], "output-mismatch");
    assert_eq!(results[0]["exit_code"], 0);
    assert_eq!(results[1]["status"], "pass");
    assert!(results[1]["duration_ms"].as_f64().is_some());
    let xml = f.read("r.xml");
    assert!(
        xml.contains("<testcase") && xml.contains("name=\"bad\""),
        "{xml}"
    );
    assert!(
        xml.contains("<failure") && xml.contains("&lt;&amp;&gt;"),
        "{xml}"
    );
}

/// `--output FORMAT:FILE` reaches every registered format, on a run and
/// on `report merge`, and names the formats when one is unknown.
#[test]
fn output_flag_writes_any_registered_format() {
    let f = Fixture::new();
    f.file("suite.toml", WAT_SUITE);
    f.file("ok.wat", wat_print(1, "fine\n", 0));
    f.file("ok.stdout", "fine\n");
    let o = f.run(&[
        "--suite",
        ".",
        "--output",
        "json:a.json",
        "--output",
        "junit:a.xml",
        "--output",
        "html:a.html",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(f.read("a.json").contains("\"suite\": \"t\""));
    assert!(f.read("a.xml").contains("<testcase"));
    assert!(f.read("a.html").contains("<html"));
    let o = f.run(&["report", "merge", "a.json", "--output", "junit:m.xml"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let merged = f.read("m.xml");
    assert!(
        merged.contains("<testcase") && merged.contains("name=\"ok\""),
        "{merged}"
    );
    let o = f.run(&["--suite", ".", "--output", "tap:x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("the formats are json, junit, html"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn list_prints_cases_and_writes_json() {
    let f = Fixture::new();
    f.file(
        "suite.toml",
        format!("{WAT_SUITE}[expect.wasmer]\n\"b/two\" = \"skip: not today\"\n"),
    );
    f.file("a/one.wat", wat_print(1, "", 0));
    f.file("b/two.wat", wat_print(1, "", 0));
    let json = f.path().join("l.json");
    let o = f.run(&[
        "--suite",
        ".",
        "--list",
        "--json",
        json.to_str().unwrap(),
        "--engine",
        "wasmtime,wasmer",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "a/one\nb/two\n");
    let list: serde_json::Value = serde_json::from_str(&f.read("l.json")).expect("valid JSON");
    assert_eq!(list["cases"][1]["case"], "b/two");
    assert_eq!(
        list["cases"][1]["expectations"]["wasmer"],
        "skip: not today"
    );
}

/// `xharness --list | head -1`: the reader goes away before the listing
/// ends. The listing stops there, with no panic and exit status 0.
#[test]
fn listing_into_a_closed_pipe_ends_quietly() {
    let f = Fixture::new();
    f.file("suite.toml", WAT_SUITE);
    // More names than a pipe holds (64 KiB), so a write must fail.
    let dir = "a-folder-with-a-long-name-so-the-listing-overfills-a-pipe";
    for i in 0..1500 {
        f.file(&format!("{dir}/case-{i:04}.wat"), "(module)");
    }
    let mut child = f
        .command(&["--suite", ".", "--list"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("xharness starts");
    drop(child.stdout.take()); // the reader is gone
    let o = child.wait_with_output().expect("xharness ends");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
}

#[test]
fn filters_select_cases() {
    let f = Fixture::new();
    f.file("suite.toml", WAT_SUITE);
    for name in ["alpha", "alphabet", "beta"] {
        f.file(&format!("{name}.wat"), wat_print(1, "", 0));
    }
    let o = f.run(&["--suite", ".", "--list", "alpha"]);
    assert_eq!(stdout(&o), "alpha\nalphabet\n");
    let o = f.run(&["--suite", ".", "--list", "--exact", "alpha"]);
    assert_eq!(stdout(&o), "alpha\n");
    let o = f.run(&["--suite", ".", "gamma"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "a filter matching nothing is a usage error"
    );
    assert!(
        stderr(&o).contains("no case of suite t matches gamma"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn each_case_gets_a_private_scratch_directory() {
    // Both cases create the same file with O_EXCL; they would collide in a shared directory.
    let f = Fixture::new();
    f.file("suite.toml", WAT_SUITE);
    let module = r#"(module
      (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $name (param i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (data (i32.const 64) "only-once.txt")
      (func $dot (result i32) (local $fd i32)
        (local.set $fd (i32.const 3))
        (block $found (loop $next
          (if (i32.eqz (call $name (local.get $fd) (i32.const 128) (i32.const 1)))
            (then (br_if $found (i32.eq (i32.load8_u (i32.const 128)) (i32.const 46)))))
          (local.set $fd (i32.add (local.get $fd) (i32.const 1)))
          (br_if $next (i32.lt_u (local.get $fd) (i32.const 16)))))
        (local.get $fd))
      (func (export "_start")
        ;; oflags: create | excl
        (call $exit (call $open (call $dot) (i32.const 0) (i32.const 64) (i32.const 13) (i32.const 5)
          (i64.const 0x1fffffff) (i64.const 0x1fffffff) (i32.const 0) (i32.const 32)))))"#;
    f.file("one.wat", module);
    f.file("two.wat", module);
    let o = f.run(&["--suite", ".", "--engine", "wasmtime,wasmer", "-j", "2"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(last_line(&o), "4 passed, 0 failed");
}

#[test]
fn configuration_errors_exit_2_and_name_the_file() {
    let f = Fixture::new();
    f.file(
        "suite.toml",
        "name = \"t\"\ninclude = [\"*.wat\"]\n[run]\ntimeuot = 3\n",
    );
    let o = f.run(&["--suite", "."]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("suite.toml:4") && err.contains("timeuot"),
        "{err}"
    );

    let f = Fixture::new();
    f.file("suite.toml", WAT_SUITE);
    let o = f.run(&["--suite", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("suite.toml"), "{}", stderr(&o));

    let o = f.run(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--suite"), "{}", stderr(&o));

    let o = f.run(&["--suite", ".", "--engine", "v8"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn toolchain_crash_and_hang_are_compile_errors() {
    let f = Fixture::new();
    f.file(
        "suite.toml",
        "name = \"t\"\ninclude = [\"*.src\"]\n[toolchain]\ncommand = \"sh -c 'echo compiler says no >&2; if grep -q hang {src}; then sleep 30; fi; exit 3' sh {out}\"\ntimeout = 1\n",
    );
    f.file("crash.src", "crash");
    f.file("hang.src", "hang");
    let start = std::time::Instant::now();
    let o = f.run(&["--suite", "."]);
    assert!(
        start.elapsed() < std::time::Duration::from_secs(10),
        "the hung compiler was not killed"
    );
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("compile-error"), "{out}");
    assert!(
        out.contains("exited with code 3") && out.contains("compiler says no"),
        "{out}"
    );
    assert!(out.contains("timed out after 1.0 s"), "{out}");
}

#[test]
fn invalid_wat_is_a_compile_error_naming_the_file() {
    let f = Fixture::new();
    f.file("suite.toml", WAT_SUITE);
    f.file("broken.wat", "(module (func $f (i32.add)))\n");
    let o = f.run(&["--suite", "."]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("broken.wat"), "{}", stdout(&o));
}

#[test]
fn xpass_fails_the_run() {
    let f = Fixture::new();
    f.file(
        "suite.toml",
        format!("{WAT_SUITE}[expect.wasmtime]\n\"fine\" = \"xfail: thought it was broken\"\n"),
    );
    f.file("fine.wat", wat_print(1, "", 0));
    let o = f.run(&["--suite", "."]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("XPASS"), "{}", stdout(&o));
}

#[test]
fn failing_run_output_snapshot() {
    let f = Fixture::new();
    f.file("suite.toml", WAT_SUITE);
    f.file("a.wat", wat_print(1, "one\ntwo\nthree\n", 0));
    f.file("a.stdout", "one\n2\nthree\n");
    f.file("b.wat", wat_print(1, "", 0));
    let o = f.run(&["--suite", ".", "-j", "1"]);
    let text = without_timings(&stdout(&o))
        .replace(&f.path().display().to_string(), "<SUITE>")
        .replace(&f.cache.path().display().to_string(), "<CACHE>")
        .replace(env!("CARGO_BIN_EXE_xharness"), "<XHARNESS>");
    insta::assert_snapshot!(text);
}

#[test]
fn help_snapshot() {
    let f = Fixture::new();
    let o = f.run(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    insta::assert_snapshot!(stdout(&o));
    let o = f.run(&["run", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    insta::assert_snapshot!("run_help", stdout(&o));
}

#[test]
fn keep_scratch_keeps_a_failing_case_directory() {
    let f = Fixture::new();
    f.file("suite.toml", WAT_SUITE);
    // Creates "kept.txt" in its scratch directory (fd 3 on wasmtime), then exits 1.
    f.file(
        "w.wat",
        r#"(module
      (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (data (i32.const 64) "kept.txt")
      (func (export "_start")
        (drop (call $open (i32.const 3) (i32.const 0) (i32.const 64) (i32.const 8) (i32.const 1)
          (i64.const 0x1fffffff) (i64.const 0x1fffffff) (i32.const 0) (i32.const 32)))
        (call $exit (i32.const 1))))"#,
    );
    let o = f.run(&["--suite", ".", "--keep-scratch"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let kept = out
        .lines()
        .find_map(|l| l.strip_prefix("scratch directory kept at "))
        .unwrap_or_else(|| panic!("no kept directory in\n{out}"));
    assert!(
        std::path::Path::new(kept).join("kept.txt").is_file(),
        "{kept}"
    );
    std::fs::remove_dir_all(kept).expect("clean up");
}

#[test]
fn fail_fast_stops_starting_cases() {
    let f = Fixture::new();
    f.file("suite.toml", WAT_SUITE);
    for i in 0..40 {
        f.file(&format!("c{i:02}.wat"), wat_print(1, "", 1));
    }
    let o = f.run(&["--suite", ".", "--fail-fast", "-j", "1"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        last_line(&o),
        "0 passed, 1 failed, 39 not run",
        "{}",
        stdout(&o)
    );
}

#[test]
fn the_exit_status_follows_the_kind_of_error() {
    let f = Fixture::new();
    f.file("suite.toml", WAT_SUITE);
    f.file("ok.wat", wat_print(1, "fine\n", 0));
    f.file("ok.stdout", "fine\n");
    // A report under a regular file cannot be written: an I/O error (74)
    // that names the report, after the run itself was shown.
    f.file("plain", "a file, not a folder");
    let report = f.path().join("plain/r.json");
    let o = f.run(&["--suite", ".", "--json", report.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(74), "{}", stderr(&o));
    assert!(stderr(&o).contains("plain/r.json"), "{}", stderr(&o));
    assert!(stdout(&o).contains("1 passed"), "{}", stdout(&o));
    // A filter no case matches is a usage error (2).
    let o = f.run(&["--suite", ".", "no-such-case"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no case of suite t matches"),
        "{}",
        stderr(&o)
    );
}

/// Discovery writes nothing: a WASI spec's inline expected output becomes
/// a file in the cache (`CACHE/derived/…`), never beside the suite.
#[test]
fn derived_goldens_go_to_the_cache_not_the_suite() {
    let f = Fixture::new();
    let tests = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/wasi-layout/tests");
    for name in ["echo_stdin.wasm", "echo_stdin.json", "manifest.json"] {
        let bytes = std::fs::read(format!("{tests}/{name}")).expect("the wasi-layout fixture");
        f.file(&format!("tests/{name}"), bytes);
    }
    let before = files_under(f.path());
    let o = f.run(&["--suite", "wasi-testsuite", "--root", "tests"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(files_under(f.path()), before, "the suite folder changed");
    let derived = files_under(&f.cache.path().join("derived"));
    let texts: Vec<String> = derived
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("readable"))
        .collect();
    assert!(
        texts.iter().any(|t| t == "echo loud: ping\n"),
        "{derived:?}"
    );
}

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// `XHARNESS_COPY_DIR` decides where a case's private copy of a directory
/// goes: the copy is made there, and the original is left as it was.
#[test]
fn private_copies_go_where_xharness_copy_dir_says() {
    let f = Fixture::new();
    let tests = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/wasi-layout/tests");
    for name in [
        "write_root.wasm",
        "write_root.json",
        "manifest.json",
        "root.dir/greeting.txt",
    ] {
        let bytes = std::fs::read(format!("{tests}/{name}")).expect("the wasi-layout fixture");
        f.file(&format!("tests/{name}"), bytes);
    }
    let copies = f.path().join("copies");
    std::fs::create_dir(&copies).expect("mkdir");
    let copy_dir = copies.to_str().expect("utf-8 temp path");
    let args = [
        "--suite",
        "wasi-testsuite",
        "--root",
        "tests",
        "--keep-scratch",
    ];
    let o = f.run_env(&args, &[("XHARNESS_COPY_DIR", copy_dir)]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(
        f.path().join("tests/root.dir/greeting.txt").is_file(),
        "the original changed"
    );
    let missing = f.path().join("no-such-folder");
    let o = f.run_env(
        &args,
        &[("XHARNESS_COPY_DIR", missing.to_str().expect("utf-8"))],
    );
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("cannot create a copy of"),
        "{}",
        stdout(&o)
    );
}
