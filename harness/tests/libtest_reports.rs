//! The `cargo test` entry writes the report files a CLI run writes when
//! `XHARNESS_OUTPUT` asks for them. This binary (`harness = false`) plays
//! both sides: run plainly, it starts itself as a real libtest entry
//! (`xharness::libtest::main`) with the variable set, then reads the files.
//! With `XHARNESS_COUNT_INSTRUCTIONS=1` the records carry instruction counts.

use std::path::Path;
use std::process::{Command, ExitCode, Output};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/wat-demo");
const CHILD: &str = "XHARNESS_TEST_LIBTEST_REPORTS_SUITES";

fn main() -> ExitCode {
    if let Some(n) = std::env::var_os(CHILD) {
        let suites: Vec<&str> = std::iter::repeat_n(DEMO, if n == "2" { 2 } else { 1 }).collect();
        return xharness::libtest::main(&suites);
    }
    if std::env::var_os("XHARNESS_WORKER").is_some() {
        return xharness::libtest::main(&[DEMO]);
    }
    writes_json_and_junit_of_the_trials_it_ran();
    several_suites_need_the_suite_placeholder();
    unknown_formats_are_refused();
    counts_instructions_when_asked();
    println!("libtest_reports: 4 checks passed");
    ExitCode::SUCCESS
}

fn child(suites: &str, output: &str, cache: &Path) -> Output {
    Command::new(std::env::current_exe().expect("own path"))
        .args(["--test-threads", "2"])
        .env(CHILD, suites)
        .env("XHARNESS_OUTPUT", output)
        .env("XHARNESS_CACHE_DIR", cache)
        .env("XHARNESS_ENGINES", "wasmtime")
        .output()
        .expect("the entry starts")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn writes_json_and_junit_of_the_trials_it_ran() {
    let dir = tempfile::tempdir().expect("temp dir");
    let json = dir.path().join("r-{suite}.json");
    let junit = dir.path().join("j.xml");
    let o = child(
        "1",
        &format!("json:{},junit:{}", json.display(), junit.display()),
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let json = dir.path().join("r-wat-demo.json");
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&json).unwrap_or_else(|e| panic!("{}: {e}", json.display())),
    )
    .expect("valid JSON");
    assert_eq!(report["suite"], "wat-demo", "{report}");
    let results = report["results"].as_array().expect("results");
    // libtest printed one `... ok` line per trial it ran; the report has each.
    let ran = String::from_utf8_lossy(&o.stdout)
        .matches(" ... ok")
        .count();
    assert!(ran > 0, "{}", text(&o));
    assert_eq!(results.len(), ran, "{report}");
    assert!(
        results.iter().all(|r| r["engine"] == "wasmtime"),
        "{report}"
    );
    let xml = std::fs::read_to_string(&junit).expect("the JUnit file");
    assert!(
        xml.contains("<testsuite") && xml.contains("wat-demo"),
        "{xml}"
    );
}

fn several_suites_need_the_suite_placeholder() {
    let dir = tempfile::tempdir().expect("temp dir");
    let o = child(
        "2",
        &format!("json:{}/one.json", dir.path().display()),
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("put {suite} in the path"), "{}", text(&o));
}

fn unknown_formats_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let o = child("1", "tap:x.tap", dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("XHARNESS_OUTPUT: unknown report format \"tap\""),
        "{}",
        text(&o)
    );
}

fn counts_instructions_when_asked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let json = dir.path().join("counted.json");
    let o = Command::new(std::env::current_exe().expect("own path"))
        .args(["--test-threads", "2"])
        .env(CHILD, "1")
        .env("XHARNESS_OUTPUT", format!("json:{}", json.display()))
        .env("XHARNESS_CACHE_DIR", dir.path())
        .env("XHARNESS_ENGINES", "wasmtime")
        .env("XHARNESS_COUNT_INSTRUCTIONS", "1")
        .output()
        .expect("the entry starts");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&json).unwrap_or_else(|e| panic!("{}: {e}", json.display())),
    )
    .expect("valid JSON");
    let results = report["results"].as_array().expect("results");
    let hello = results
        .iter()
        .find(|r| r["case"] == "basics/hello")
        .unwrap_or_else(|| panic!("no basics/hello: {report}"));
    assert!(
        hello["instructions"].as_u64().is_some_and(|n| n > 0),
        "{hello}"
    );
}
