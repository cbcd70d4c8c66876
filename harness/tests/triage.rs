//! End-to-end: what a user does with a red result. Every record that did
//! not pass carries repro lines that really re-run it, and failures are
//! grouped by cause, on both engines.

mod common;

use std::process::Command;

use common::*;

const BOTH: &str = "wasmtime,wasmer";

/// Exits with `code` through `proc_exit`.
fn exits(code: i32) -> String {
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (call $exit (i32.const {code}))))"#
    )
}

/// Two causes, three cases each: `exitN` exits with N + 1 where 0 is
/// expected, `outN` prints `value 7N` where its golden says `value N`.
fn two_causes() -> Fixture {
    let f = Fixture::new();
    f.file(
        "suite.toml",
        "name = \"two\"\ninclude = [\"*.wat\"]\n[toolchain]\nbuiltin = \"wat\"\n\
         [run]\ntimeout = 5\nenv = { GREETING = \"hi there\" }\n\
         [golden]\nstdout = \"{dir}/{stem}.stdout\"\n",
    );
    for i in 1..=3 {
        f.file(&format!("exit{i}.wat"), exits(i + 1));
        f.file(
            &format!("out{i}.wat"),
            wat_print(1, &format!("value {}\n", 7 * i), 0),
        );
        f.file(&format!("out{i}.stdout"), format!("value {i}\n"));
    }
    f.file("fine.wat", wat_print(1, "ok\n", 0));
    f.file("fine.stdout", "ok\n");
    f
}

fn json(f: &Fixture, file: &str) -> serde_json::Value {
    serde_json::from_str(&f.read(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn result<'a>(report: &'a serde_json::Value, case: &str, engine: &str) -> &'a serde_json::Value {
    report["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["case"] == case && r["engine"] == engine)
        .unwrap_or_else(|| panic!("no result for {case} on {engine}"))
}

/// `sh -c LINE` in the fixture's folder with its cache.
fn sh(f: &Fixture, line: &str) -> std::process::Output {
    Command::new("sh")
        .args(["-c", line])
        .current_dir(f.path())
        .env("XHARNESS_CACHE_DIR", f.cache.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("sh starts")
}

#[test]
fn failures_are_grouped_by_cause_in_json_console_and_junit() {
    let f = two_causes();
    let o = f.run(&[
        "--suite", ".", "--engine", BOTH, "--json", "r.json", "--junit", "r.xml",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let report = json(&f, "r.json");
    let groups = report["groups"].as_array().expect("groups");
    assert_eq!(groups.len(), 2, "{groups:#?}");
    let cases = |g: &serde_json::Value| g["cases"].as_array().map(Vec::len);
    assert!(groups.iter().all(|g| cases(g) == Some(3)), "{groups:#?}");
    assert!(
        groups
            .iter()
            .all(|g| g["engines"] == serde_json::json!(["wasmer", "wasmtime"]))
    );
    let sigs: Vec<&str> = groups
        .iter()
        .filter_map(|g| g["signature"].as_str())
        .collect();
    assert_eq!(
        sigs,
        [
            "exit-code: exited with code N, expected N",
            "output-mismatch: stdout line \"value N\" became \"value N\""
        ]
    );
    assert_eq!(
        result(&report, "fine", "wasmer")["signature"],
        serde_json::Value::Null
    );
    let out = stdout(&o);
    assert!(out.contains("6 failures in 2 groups:"), "{out}");
    assert!(out.contains("exit1, exit2, exit3"), "{out}");
    let xml = f.read("r.xml");
    assert!(xml.contains("<system-out>repro: "), "{xml}");
}

#[test]
fn the_xharness_repro_line_reruns_one_case_on_one_engine_with_the_same_outcome() {
    let f = two_causes();
    let o = f.run(&["--suite", ".", "--engine", BOTH, "--json", "r.json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let report = json(&f, "r.json");
    for engine in ["wasmtime", "wasmer"] {
        for case in ["exit2", "out3"] {
            let first = result(&report, case, engine);
            let line = first["repro"]["xharness"]
                .as_str()
                .expect("an xharness line");
            // On the console under the failure too.
            assert!(stdout(&o).contains(&format!("repro: {line}\n")), "{line}");
            let again = sh(&f, &format!("{line} --json again.json"));
            assert_eq!(again.status.code(), Some(1), "{line}: {}", stderr(&again));
            let rerun = json(&f, "again.json");
            let results = rerun["results"].as_array().expect("results");
            assert_eq!(results.len(), 1, "{line}: only this case on this engine");
            let second = &results[0];
            for key in ["case", "engine", "status", "reason", "exit_code"] {
                assert_eq!(first[key], second[key], "{line}: {key}");
            }
            assert_eq!(
                first["stdout"]["digest"], second["stdout"]["digest"],
                "{line}"
            );
            assert_eq!(first["signature"], second["signature"], "{line}");
        }
    }
}

#[test]
fn the_cli_line_names_the_module_argv_env_preopens_and_stdin() {
    let f = two_causes();
    f.file("data/input.txt", "x\n");
    let toml = f
        .read("suite.toml")
        .replace("[golden]", "dirs = [\"data\"]\n[golden]");
    f.file("suite.toml", toml);
    f.run(&["--suite", ".", "--engine", BOTH, "--json", "r.json"]);
    let report = json(&f, "r.json");
    let wasmtime = result(&report, "exit1", "wasmtime")["repro"]["cli"]
        .as_str()
        .expect("a wasmtime line")
        .to_owned();
    let wasmer = result(&report, "exit1", "wasmer")["repro"]["cli"]
        .as_str()
        .expect("a wasmer line")
        .to_owned();
    let data = f.path().join("data");
    for (line, parts) in [
        (
            &wasmtime,
            vec![
                "wasmtime run ".to_string(),
                "-W timeout=5000ms".into(),
                "--env 'GREETING=hi there'".into(),
                format!("--dir {}::data", data.display()),
                "--argv0 exit1.wasm".into(),
                "< /dev/null".into(),
            ],
        ),
        (
            &wasmer,
            vec![
                "wasmer run ".to_string(),
                "--env 'GREETING=hi there'".into(),
                format!("--mapdir data:{}", data.display()),
                "< /dev/null".into(),
            ],
        ),
    ] {
        for p in parts {
            assert!(line.contains(&p), "{p:?} not in {line}");
        }
        // The module path is the compiled module in the cache, and exists.
        let module = line
            .split_whitespace()
            .find(|w| w.ends_with(".wasm") && w.starts_with('/'))
            .expect("an absolute module path");
        assert!(
            module.starts_with(&f.cache.path().display().to_string()),
            "{line}"
        );
        assert!(std::path::Path::new(module).is_file(), "{line}");
    }
    // A scratch directory is made fresh by the line, never the source tree.
    assert!(wasmtime.starts_with("t=$(mktemp -d) && "), "{wasmtime}");
}
