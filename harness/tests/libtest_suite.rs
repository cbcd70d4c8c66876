//! End-to-end: Rust test binaries for wasm32-wasip1, on the repository's
//! fixture crate (`examples/rust-libtest`), built by the real cargo and run
//! by the real binary on both engines: `xharness run` as cargo's runner,
//! and the `libtest` suite kind (each test its own case).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

const ENGINES: [&str; 2] = ["wasmtime", "wasmer"];

fn crate_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/rust-libtest")
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// `cargo test --target wasm32-wasip1 ARGS` in the fixture, with
/// `xharness run --engine ENGINE --dir .` as the runner.
fn cargo_test(engine: &str, args: &[&str]) -> Output {
    let runner = format!(
        "{} run --engine {engine} --dir .",
        env!("CARGO_BIN_EXE_xharness")
    );
    cargo()
        .args(["test", "--target", "wasm32-wasip1"])
        .args(args)
        .current_dir(crate_dir())
        .env("CARGO_TARGET_WASM32_WASIP1_RUNNER", runner)
        .output()
        .expect("cargo starts")
}

fn text(o: &Output) -> String {
    format!("{}{}", stdout(o), stderr(o))
}

#[test]
fn xharness_run_is_cargos_runner_on_both_engines() {
    for engine in ENGINES {
        // A test binary that passes: the preopened package folder is read.
        let o = cargo_test(engine, &["--test", "files"]);
        let all = text(&o);
        assert!(o.status.success(), "{engine}: {all}");
        assert!(
            all.contains("test reads_input_from_package_dir ... ok"),
            "{engine}: {all}"
        );
        assert!(all.contains("2 passed; 0 failed"), "{engine}: {all}");
        // Arguments reach libtest untouched: a filter and --include-ignored.
        let o = cargo_test(
            engine,
            &[
                "--lib",
                "--",
                "--exact",
                "tests::slow_sum",
                "--include-ignored",
            ],
        );
        let all = text(&o);
        assert!(o.status.success(), "{engine}: {all}");
        assert!(
            all.contains("1 passed; 0 failed; 0 ignored"),
            "{engine}: {all}"
        );
        // A failing test aborts the instance: 134 on both engines. libtest
        // captures a test's output and the abort loses it, so the panic
        // message shows with --nocapture only.
        let o = cargo_test(
            engine,
            &["--lib", "--", "--exact", "tests::wrong_sum", "--nocapture"],
        );
        let all = text(&o);
        assert!(!o.status.success(), "{engine}: {all}");
        assert!(all.contains("exit status: 134"), "{engine}: {all}");
        assert!(
            all.contains("assertion `left == right` failed: two and two"),
            "{engine}: {all}"
        );
    }
}

fn results(json: &serde_json::Value, engine: &str) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = json["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["engine"] == engine)
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap_or_default().to_owned();
            (
                s("case"),
                s("status"),
                format!("{} {}", s("detail"), s("expectation")),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_test_is_a_case_on_both_engines() {
    let f = Fixture::new();
    let suite = crate_dir().join("suite.toml");
    let json = f.path().join("run.json");
    let o = f.run(&[
        "--suite",
        suite.to_str().expect("utf-8"),
        "--engine",
        "wasmtime,wasmer",
        "--json",
        json.to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).expect("json written")).expect("json");
    assert_eq!(json["summary"]["divergent"], 0, "{json}");
    for engine in ENGINES {
        let got = results(&json, engine);
        let status: Vec<(&str, &str)> = got
            .iter()
            .map(|(c, s, _)| (c.as_str(), s.as_str()))
            .collect();
        assert_eq!(
            status,
            [
                ("files/missing_file_is_an_error", "pass"),
                ("files/reads_input_from_package_dir", "pass"),
                ("flood/prints_20_mb_then_panics", "xfail"),
                ("flood/prints_20_mb_then_passes", "pass"),
                ("libtest_fixture/tests::adds", "pass"),
                ("libtest_fixture/tests::empty_mean_panics", "skip"),
                ("libtest_fixture/tests::explicit_panic", "xfail"),
                ("libtest_fixture/tests::mean_of_three", "pass"),
                ("libtest_fixture/tests::prints", "pass"),
                ("libtest_fixture/tests::slow_sum", "skip"),
                ("libtest_fixture/tests::wrong_sum", "xfail"),
            ],
            "{engine}"
        );
        let detail = |name: &str| {
            &got.iter()
                .find(|(c, _, _)| c.ends_with(name))
                .expect("case")
                .2
        };
        assert!(
            detail("wrong_sum").contains("panicked at src/lib.rs:31:9"),
            "{engine}: {}",
            detail("wrong_sum")
        );
        assert!(detail("wrong_sum").contains("two and two"), "{engine}");
        assert!(
            detail("slow_sum").contains("#[ignore]: slow: run with --include-ignored"),
            "{engine}"
        );
        assert!(
            detail("empty_mean_panics").contains("#[should_panic]"),
            "{engine}"
        );
    }
    // A test's own output is kept with its result.
    let prints = json["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["case"] == "libtest_fixture/tests::wrong_sum")
        .expect("wrong_sum");
    assert!(
        prints["stderr"]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("two and two"),
        "{prints}"
    );
}

/// A test that prints 20 MB, far over the suite's 1 MiB `max_output`, is
/// judged by libtest's lines at the end of its output: a pass passes, a
/// panic fails with its message. The record keeps the head, a marker
/// naming the dropped range, and the tail, in JSON and on the console.
#[test]
fn a_flood_of_output_keeps_libtests_verdict_on_both_engines() {
    let f = Fixture::new();
    let suite = crate_dir().join("suite.toml");
    let json = f.path().join("run.json");
    let o = f.run(&[
        "--suite",
        suite.to_str().expect("utf-8"),
        "--engine",
        "wasmtime,wasmer",
        "--json",
        json.to_str().expect("utf-8"),
        "flood/",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).expect("json written")).expect("json");
    let results = json["results"].as_array().expect("results");
    assert_eq!(results.len(), 4, "{json}");
    for engine in ENGINES {
        let got = results_of(results, engine);
        let passes = got("flood/prints_20_mb_then_passes");
        assert_eq!(passes["status"], "pass", "{engine}: {passes}");
        let panics = got("flood/prints_20_mb_then_panics");
        assert_eq!(panics["status"], "xfail", "{engine}: {panics}");
        let detail = panics["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains("the flood is over and this test fails"),
            "{engine}: {detail}"
        );
        assert!(
            detail.contains("panicked at tests/flood.rs:"),
            "{engine}: {detail}"
        );
        // The kept stdout: 20 MB counted, a dropped range, head and tail.
        let out = &panics["stdout"];
        assert!(
            out["bytes"].as_u64().unwrap_or(0) >= 20_000_000,
            "{engine}: {out}"
        );
        assert_eq!(out["truncated"], true, "{engine}");
        let (start, end) = (
            out["dropped"]["start"].as_u64().expect("dropped.start"),
            out["dropped"]["end"].as_u64().expect("dropped.end"),
        );
        assert!(start > 0 && end > start + 18_000_000, "{engine}: {out}");
        let text = out["text"].as_str().unwrap_or_default();
        let marker = text.find("bytes dropped here").expect("a marker line");
        assert!(
            text[..marker].contains("xxxx"),
            "{engine}: the head is kept"
        );
        assert!(
            text[marker..].contains("xxxx"),
            "{engine}: the tail is kept"
        );
    }
}

fn results_of<'a>(
    results: &'a [serde_json::Value],
    engine: &'a str,
) -> impl Fn(&str) -> &'a serde_json::Value {
    move |case| {
        results
            .iter()
            .find(|r| r["engine"] == engine && r["case"] == case)
            .unwrap_or_else(|| panic!("no result for {case} on {engine}"))
    }
}

/// Build the fixture's test binaries; the newest of each name.
fn built_binaries() -> PathBuf {
    let o = cargo()
        .args(["test", "--target", "wasm32-wasip1", "--no-run"])
        .current_dir(crate_dir())
        .output()
        .expect("cargo starts");
    assert!(o.status.success(), "{}", text(&o));
    crate_dir().join("target/wasm32-wasip1/debug/deps")
}

#[test]
fn binaries_by_glob_are_listed_once_then_from_the_cache() {
    let deps = built_binaries();
    let f = Fixture::new();
    let glob = format!("{}/files-*.wasm", deps.display());
    let list = |f: &Fixture| f.run(&["--binaries", &glob, "--engine", "wasmer", "--list"]);
    let o = list(&f);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        stdout(&o).contains("files/reads_input_from_package_dir"),
        "{}",
        text(&o)
    );
    // The listing is cached by module hash: a changed cache entry shows
    // that a warm run does not list again.
    let lists = f.cache.path().join("libtest-lists");
    let entries: Vec<PathBuf> = std::fs::read_dir(&lists)
        .expect("listing cache")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let cached = std::fs::read_to_string(&entries[0]).expect("cached list");
    std::fs::write(
        &entries[0],
        cached.replace("missing_file_is_an_error", "only_in_the_cache"),
    )
    .expect("rewrite");
    let o = list(&f);
    assert!(
        stdout(&o).contains("files/only_in_the_cache"),
        "{}",
        text(&o)
    );
}

#[test]
fn bad_binaries_are_named_with_what_to_do() {
    let f = Fixture::new();
    let o = f.run(&["--binaries", "nothing/*.wasm"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(stderr(&o).contains("matches no .wasm file"), "{}", text(&o));
    // A file that is not a module.
    f.file("bin/broken-0123456789abcdef.wasm", b"not wasm");
    let o = f.run(&["--binaries", "bin/*.wasm", "--engine", "wasmtime"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = stderr(&o);
    assert!(err.contains("broken-0123456789abcdef.wasm"), "{err}");
    assert!(err.contains("cannot list the tests"), "{err}");
}

#[test]
fn cargo_arguments_pass_through_from_the_crate_folder() {
    let cache = tempfile::tempdir().expect("temp dir");
    let o = Command::new(env!("CARGO_BIN_EXE_xharness"))
        .args(["--engine", "wasmer", "--cargo", "--test", "files"])
        .current_dir(crate_dir())
        .env("XHARNESS_CACHE_DIR", cache.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("xharness starts");
    let all = text(&o);
    assert_eq!(o.status.code(), Some(0), "{all}");
    assert!(all.contains("2 passed, 0 failed"), "{all}");
    assert!(!all.contains("libtest_fixture/"), "{all}");
}
