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
                "wasmer run --cwd / ".to_string(),
                "--env 'GREETING=hi there'".into(),
                format!("--volume {}:data", data.display()),
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

/// The baseline cycle on both engines: a run writes one, the next run
/// with it passes, a new failure fails and is counted new, and a fixed
/// case fails as an unexpected pass naming the entry to delete.
#[test]
fn a_baseline_holds_known_failures_and_catches_new_ones_and_fixes() {
    let f = two_causes();
    let o = f.run(&[
        "--suite",
        ".",
        "--engine",
        BOTH,
        "--write-expectations",
        "base",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    for engine in ["wasmtime", "wasmer"] {
        let text = f.read(&format!("base/{engine}.toml"));
        assert!(
            text.starts_with("# Known results") && text.contains("version = 1\n"),
            "{text}"
        );
        assert_eq!(text.matches("expected = \"fail\"").count(), 6, "{text}");
        assert!(
            text.contains(
                "# exit-code: exited with code N, expected N\n[[suite.test]]\nname = \"exit1\""
            ),
            "{text}"
        );
        assert!(!text.contains("\"fine\""), "{text}");
    }
    // With the baseline: green.
    let o = f.run(&["--suite", ".", "--engine", BOTH, "--expectations", "base"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("12 known from the baseline, 0 new"),
        "{}",
        stdout(&o)
    );
    // A new failure is red and counted as new.
    f.file("fine.stdout", "changed\n");
    let o = f.run(&[
        "--suite",
        ".",
        "--engine",
        BOTH,
        "--expectations",
        "base",
        "--json",
        "r.json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("12 known from the baseline, 2 new"),
        "{}",
        stdout(&o)
    );
    let report = json(&f, "r.json");
    assert_eq!(report["summary"]["new"], 2);
    assert_eq!(result(&report, "fine", "wasmer")["status"], "fail");
    assert!(
        result(&report, "exit1", "wasmer")["baseline"]
            .as_str()
            .is_some_and(|b| b.starts_with("base/wasmer.toml:"))
    );
    f.file("fine.stdout", "ok\n");
    // A fixed case is an unexpected pass that names the line to delete.
    f.file("out3.stdout", "value 21\n");
    let o = f.run(&[
        "--suite",
        ".",
        "--engine",
        BOTH,
        "--expectations",
        "base",
        "--json",
        "r.json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let report = json(&f, "r.json");
    for engine in ["wasmtime", "wasmer"] {
        let r = result(&report, "out3", engine);
        assert_eq!(r["status"], "xpass", "{r}");
        let detail = r["detail"].as_str().unwrap_or_default();
        let at = detail.rsplit("entry at ").next().unwrap_or_default();
        let (file, line) = at.rsplit_once(':').expect("FILE:LINE");
        assert_eq!(file, format!("base/{engine}.toml"), "{detail}");
        let line: usize = line.trim().parse().expect("a line number");
        let named = f
            .read(file)
            .lines()
            .nth(line - 1)
            .unwrap_or_default()
            .to_owned();
        assert_eq!(named, "name = \"out3\"", "{detail}");
    }
}

#[test]
fn baselines_in_the_wasi_testsuites_format_use_manifest_names_and_warn_on_strangers() {
    let f = Fixture::new();
    let src =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/wasi-layout/tests");
    let copy = Command::new("cp")
        .arg("-R")
        .arg(&src)
        .arg(f.path().join("tests"))
        .status()
        .expect("cp runs");
    assert!(copy.success());
    f.file("tests/manifest.json", "{\"name\": \"My WASI tests\"}\n");
    let args = [
        "--suite",
        "wasi-testsuite",
        "--root",
        "tests",
        "--engine",
        "wasmer",
    ];
    let o = f.run(&[&args[..], &["--write-expectations", "base"]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = f.read("base/wasmer.toml");
    assert!(
        text.contains("[[suite]]\nname = \"My WASI tests\"\n"),
        "{text}"
    );
    assert!(
        text.contains("name = \"needs_sockets\"\naction = \"skip\""),
        "{text}"
    );
    // Read back as ENGINE=FILE, with an entry of another suite: a warning.
    let mut with_stranger = text.clone();
    with_stranger.push_str("\n[[suite]]\nname = \"WASI C tests\"\n[[suite.test]]\nname = \"gone\"\nexpected = \"fail\"\n");
    f.file("linux.toml", &with_stranger);
    let o = f.run(&[&args[..], &["--expectations", "wasmer=linux.toml"]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines = with_stranger.lines().count();
    assert!(
        stderr(&o).contains(&format!("linux.toml:{}: no case \"gone\"", lines - 1)),
        "{}",
        stderr(&o)
    );
    // Bad input is named.
    let o = f.run(&[&args[..], &["--expectations", "wasmx=linux.toml"]].concat());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown engine \"wasmx\""),
        "{}",
        stderr(&o)
    );
    f.file("bad.toml", "version = 1\n[[suite]]\nname = \"My WASI tests\"\n[[suite.test]]\nname = \"exit_code\"\nexpected = \"maybe\"\n");
    let o = f.run(&[&args[..], &["--expectations", "wasmer=bad.toml"]].concat());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("bad.toml:5: test \"exit_code\" needs"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_baseline_and_the_suite_files_expect_must_agree() {
    let f = two_causes();
    let toml = f.read("suite.toml") + "[expect.wasmer]\n\"exit1\" = \"xfail: known\"\n";
    f.file("suite.toml", toml);
    f.file(
        "base/wasmer.toml",
        "version = 1\n[[suite]]\nname = \"two\"\n[[suite.test]]\nname = \"exit1\"\naction = \"skip\"\n",
    );
    let o = f.run(&[
        "--suite",
        ".",
        "--engine",
        "wasmer",
        "--expectations",
        "base",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.contains("base/wasmer.toml:5") && err.contains("[expect.wasmer]"),
        "{err}"
    );
}

#[test]
fn a_suite_file_names_its_baselines_relative_to_itself() {
    let f = two_causes();
    let o = f.run(&[
        "--suite",
        ".",
        "--engine",
        BOTH,
        "--write-expectations",
        "known",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let toml = format!("expectations = [\"known\"]\n{}", f.read("suite.toml"));
    f.file("suite.toml", toml);
    // Run from elsewhere: the folder is found beside the suite file.
    let o = Command::new(env!("CARGO_BIN_EXE_xharness"))
        .args([
            "--suite",
            &f.path().join("suite.toml").display().to_string(),
            "--engine",
            BOTH,
        ])
        .current_dir(std::env::temp_dir())
        .env("XHARNESS_CACHE_DIR", f.cache.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("xharness starts");
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("12 known from the baseline, 0 new"),
        "{}",
        stdout(&o)
    );
}

/// `xharness repro` writes a folder that reproduces the case from
/// wherever it is moved: `run.sh` exits with the guest's status and
/// `run.sh --check` compares with the record.
#[test]
fn a_repro_folder_reruns_the_case_alone_after_it_is_moved() {
    let f = two_causes();
    let o = f.run(&["--suite", ".", "--engine", BOTH]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    for engine in ["wasmtime", "wasmer"] {
        let dir = format!("r-{engine}");
        let o = f.run(&[
            "repro", "exit2", "--engine", engine, "-o", &dir, "--suite", ".",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(
            stdout(&o).contains("from the last run's record"),
            "{}",
            stdout(&o)
        );
        let readme = f.read(&format!("{dir}/README.txt"));
        assert!(
            readme.contains("exit2 on ") && readme.contains("exited with code 3, expected 0"),
            "{readme}"
        );
        assert!(
            readme.contains("repro: ") && readme.contains("repro (cli): "),
            "{readme}"
        );
        // Moved elsewhere, without the suite's folder.
        let away = tempfile::tempdir().expect("temp dir");
        let moved = away.path().join("bug");
        std::fs::rename(f.path().join(&dir), &moved).expect("move the folder");
        let run = |arg: &[&str]| {
            Command::new("sh")
                .arg(moved.join("run.sh"))
                .args(arg)
                .current_dir(away.path())
                .env("XHARNESS", env!("CARGO_BIN_EXE_xharness"))
                .output()
                .expect("sh runs")
        };
        assert_eq!(run(&[]).status.code(), Some(3), "{engine}");
        let check = run(&["--check"]);
        assert_eq!(
            check.status.code(),
            Some(0),
            "{engine}: {}{}",
            stdout(&check),
            stderr(&check)
        );
        assert_eq!(stdout(&check), "reproduced\n");
        std::fs::write(moved.join("exit-status"), "0\n").expect("tamper");
        let check = run(&["--check"]);
        assert_eq!(check.status.code(), Some(1), "{engine}");
        assert!(
            stdout(&check).contains("exit status 3, recorded 0"),
            "{}",
            stdout(&check)
        );
    }
    // A case with no kept record is run now; its outputs are in the folder.
    let o = f.run(&[
        "repro", "out1", "--engine", "wasmer", "-o", "o1", "--suite", ".",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(f.read("o1/observed.stdout"), "value 7\n");
    assert_eq!(f.read("o1/expected.stdout"), "value 1\n");
    let o = f.run(&[
        "repro", "fine", "--engine", "wasmer", "-o", "ok", "--suite", ".",
    ]);
    assert!(stdout(&o).contains("a run made now"), "{}", stdout(&o));
    let o = f.run(&[
        "repro", "exit", "--engine", "wasmer", "-o", "x", "--suite", ".",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no case named \"exit\"; did you mean exit1, exit2, exit3?"),
        "{}",
        stderr(&o)
    );
}

/// Shards merged with `report merge`, and a `--failed` re-run, keep the
/// repro lines, signatures, groups and baseline marks.
#[test]
fn merges_and_reruns_keep_repro_lines_signatures_groups_and_baselines() {
    let f = two_causes();
    let o = f.run(&[
        "--suite",
        ".",
        "--engine",
        BOTH,
        "--write-expectations",
        "base",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    for k in 1..=2 {
        let part = format!("count:{k}/2");
        let out = format!("s{k}.json");
        let args = [
            "--suite",
            ".",
            "--engine",
            BOTH,
            "--partition",
            &part,
            "--json",
            &out,
        ];
        f.run(&args);
    }
    let o = f.run(&[
        "report", "merge", "s1.json", "s2.json", "--json", "m.json", "--html", "m.html",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let merged = json(&f, "m.json");
    assert_eq!(
        merged["groups"].as_array().map(Vec::len),
        Some(2),
        "{}",
        merged["groups"]
    );
    for case in ["exit1", "out3"] {
        let r = result(&merged, case, "wasmer");
        assert!(
            r["repro"]["xharness"]
                .as_str()
                .is_some_and(|l| l.ends_with(&format!("--exact {case}"))),
            "{r}"
        );
        assert!(r["signature"].as_str().is_some(), "{r}");
    }
    let html = f.read("m.html");
    assert!(
        html.contains("\"groups\":[{\"signature\":"),
        "the page carries the groups"
    );
    // A --failed re-run with the baseline: the known failures are marked.
    f.run(&["--suite", ".", "--engine", BOTH]);
    let o = f.run(&[
        "--suite",
        ".",
        "--engine",
        BOTH,
        "--failed",
        "--expectations",
        "base",
        "--json",
        "f.json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let rerun = json(&f, "f.json");
    let r = result(&rerun, "exit1", "wasmtime");
    assert_eq!(r["status"], "xfail");
    assert!(
        r["baseline"]
            .as_str()
            .is_some_and(|b| b.starts_with("base/wasmtime.toml:")),
        "{r}"
    );
}
