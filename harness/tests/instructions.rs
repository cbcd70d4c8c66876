//! End-to-end: `--count-instructions` puts each record's count of executed
//! wasm instructions into the JSON report and lists the costliest cases on
//! the console, on every engine; `report compare` lists the cases whose
//! count moved past the threshold, whose verdict or output changed, and
//! exits 1 when the later run is worse. The suite is written here: a loop
//! of N iterations (N per case, changed between runs), in WebAssembly text,
//! so it needs only cargo.

mod common;

use std::path::{Path, PathBuf};

use common::*;

const ENGINES: &str = "wasmtime,wasmer,wasmi";

/// A guest that loops `n` times, prints `out` and exits 0.
fn looping(n: u32, out: &str) -> String {
    let escaped: String = out.bytes().map(|b| format!("\\{b:02x}")).collect();
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "{escaped}")
  (func (export "_start") (local $i i32) (local $acc i32)
    (loop $again
      (local.set $acc (i32.xor (local.get $acc) (i32.mul (local.get $i) (i32.const 7))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const {n}))))
    (i32.store (i32.const 32) (local.get $acc))
    (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const {len}))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#,
        len = out.len()
    )
}

/// A suite of `steady` (1000 iterations, never changed) and `busy` (`n`
/// iterations), both printing `ok`.
fn suite(n: u32) -> Fixture {
    let f = Fixture::new();
    f.file("suite.toml", WAT_SUITE);
    write_cases(&f, n, "ok\n");
    f
}

fn write_cases(f: &Fixture, n: u32, busy_out: &str) {
    f.file("steady.wat", looping(1000, "ok\n"));
    f.file("steady.stdout", "ok\n");
    f.file("busy.wat", looping(n, busy_out));
    f.file("busy.stdout", "ok\n");
}

/// Run the suite on every engine, counting, into `name`; returns its path.
fn counted_run(f: &Fixture, name: &str) -> (std::process::Output, PathBuf) {
    let o = f.run(&[
        "--suite",
        ".",
        "--engine",
        ENGINES,
        "--count-instructions",
        "--json",
        name,
    ]);
    (o, f.path().join(name))
}

fn json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// (case, engine) → instructions of every record.
fn counts(report: &serde_json::Value) -> Vec<(String, String, Option<u64>)> {
    report["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r["case"].as_str().unwrap_or_default().to_string(),
                r["engine"].as_str().unwrap_or_default().to_string(),
                r["instructions"].as_u64(),
            )
        })
        .collect()
}

fn count_of(report: &serde_json::Value, case: &str, engine: &str) -> u64 {
    counts(report)
        .into_iter()
        .find(|(c, e, _)| c == case && e == engine)
        .and_then(|(_, _, n)| n)
        .unwrap_or_else(|| panic!("no count for {case} on {engine}: {report}"))
}

fn compare(f: &Fixture, before: &Path, after: &Path, extra: &[&str]) -> std::process::Output {
    let (b, a) = (before.to_string_lossy(), after.to_string_lossy());
    let mut args = vec!["report", "compare", &*b, &*a];
    args.extend_from_slice(extra);
    f.run(&args)
}

#[test]
fn counts_are_in_the_json_on_every_engine_and_the_costliest_are_listed() {
    let f = suite(5000);
    let (o, path) = counted_run(&f, "run.json");
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let report = json(&path);
    for engine in ENGINES.split(',') {
        let (steady, busy) = (
            count_of(&report, "steady", engine),
            count_of(&report, "busy", engine),
        );
        assert!(
            busy > 4 * steady,
            "{engine}: 5000 iterations cost {busy}, 1000 cost {steady}"
        );
    }
    let out = stdout(&o);
    let list = out
        .split("costliest cases")
        .nth(1)
        .unwrap_or_else(|| panic!("no costliest list:\n{out}"));
    let first_three: Vec<&str> = list.lines().skip(1).take(3).collect();
    assert!(
        first_three.iter().all(|l| l.contains("t::busy::")),
        "the busy case on every engine comes first:\n{out}"
    );
    assert_eq!(last_line(&o), "6 passed, 0 failed", "{out}");

    // The same run again counts the same; a run without the flag counts nothing.
    let (_, again) = counted_run(&f, "again.json");
    assert_eq!(counts(&json(&again)), counts(&report));
    let o = f.run(&["--suite", ".", "--engine", ENGINES, "--json", "plain.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let plain = f.read("plain.json");
    assert!(!plain.contains("\"instructions\""), "{plain}");
    assert!(!stdout(&o).contains("costliest"), "{}", stdout(&o));
}

#[test]
fn compare_lists_a_costlier_case_and_exits_1_and_identical_runs_exit_0() {
    let f = suite(1000);
    let (_, before) = counted_run(&f, "before.json");
    let (_, same) = counted_run(&f, "same.json");
    let o = compare(&f, &before, &same, &[]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o)
            .contains("instructions: no count changed by more than 5% (6 records counted in both)"),
        "{}",
        stdout(&o)
    );

    write_cases(&f, 2000, "ok\n");
    let (_, after) = counted_run(&f, "after.json");
    let o = compare(&f, &before, &after, &[]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    let listed: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("::") && l.contains("%"))
        .collect();
    assert_eq!(listed.len(), 3, "busy, on each engine:\n{out}");
    let after_report = json(&after);
    let before_report = json(&before);
    for engine in ENGINES.split(',') {
        let line = format!(
            "busy::{engine}  {} -> {}",
            grouped(count_of(&before_report, "busy", engine)),
            grouped(count_of(&after_report, "busy", engine))
        );
        assert!(out.contains(&line), "{line}\n{out}");
    }
    assert!(!out.contains("steady::"), "{out}");
    assert!(
        out.contains("3 costlier, 0 cheaper, 0 newly failing"),
        "{out}"
    );

    // Back to 1000 iterations: cheaper is not worse.
    let o = compare(&f, &after, &before, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("0 costlier, 3 cheaper"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn compare_respects_the_threshold() {
    let f = suite(10_000);
    let (_, before) = counted_run(&f, "before.json");
    write_cases(&f, 10_300, "ok\n");
    let (_, after) = counted_run(&f, "after.json");
    let growth: Vec<f64> = ENGINES
        .split(',')
        .map(|e| {
            let (b, a) = (
                count_of(&json(&before), "busy", e),
                count_of(&json(&after), "busy", e),
            );
            (a as f64 - b as f64) / b as f64 * 100.0
        })
        .collect();
    assert!(
        growth.iter().all(|g| *g > 1.0 && *g < 5.0),
        "300 more iterations of 10,000 grow each count by 1% to 5%: {growth:?}"
    );
    let o = compare(&f, &before, &after, &[]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "under the default 5%: {}",
        stdout(&o)
    );
    let o = compare(&f, &before, &after, &["--threshold", "1%"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("instructions: 3 changed by more than 1%"),
        "{}",
        stdout(&o)
    );
    let o = compare(&f, &before, &after, &["--threshold", "lots"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("`lots` is not a threshold"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn compare_lists_verdict_and_output_changes() {
    let f = suite(1000);
    let (_, before) = counted_run(&f, "before.json");
    // Same loop, other output: busy now fails its golden on every engine.
    write_cases(&f, 1000, "no\n");
    let (o, after) = counted_run(&f, "after.json");
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let o = compare(&f, &before, &after, &[]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    for engine in ENGINES.split(',') {
        let verdict = format!("newly failing  busy::{engine}  PASS -> FAIL (output-mismatch)");
        assert!(out.contains(&verdict), "{verdict}\n{out}");
        assert!(
            out.contains(&format!("  busy::{engine}  stdout\n")),
            "{out}"
        );
    }
    assert!(
        out.contains(
            "0 costlier, 0 cheaper, 3 newly failing, 0 newly passing, 3 with changed output"
        ),
        "{out}"
    );
    // And back: newly passing is not worse.
    let o = compare(&f, &after, &before, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("3 newly passing"), "{}", stdout(&o));
}

#[test]
fn compare_names_a_bad_input_file() {
    let f = suite(1000);
    let (_, good) = counted_run(&f, "good.json");
    f.file("broken.json", "{\"results\": [");
    let o = compare(&f, &good, &f.path().join("broken.json"), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("broken.json"), "{}", stderr(&o));
    let o = compare(&f, &f.path().join("missing.json"), &good, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("missing.json"), "{}", stderr(&o));
    // An empty report would make a gate pass on nothing compared.
    f.file("empty.json", "");
    let o = compare(&f, &good, &f.path().join("empty.json"), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("empty.json: holds no results"),
        "{}",
        stderr(&o)
    );
}

/// `report compare … | head`: a reader that is gone before the comparison
/// is written does not turn the verdict into a panic; the exit status
/// still says whether AFTER is worse.
#[test]
fn compare_into_a_closed_pipe_keeps_its_exit_status() {
    let f = suite(1000);
    let (_, before) = counted_run(&f, "before.json");
    write_cases(&f, 3000, "");
    let (_, after) = counted_run(&f, "after.json");
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader); // the reader is gone before xharness starts
    let (b, a) = (before.to_string_lossy(), after.to_string_lossy());
    let o = f
        .command(&["report", "compare", &b, &a])
        .stdout(writer)
        .output()
        .expect("xharness runs");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
}

/// `n` with its digits in groups of three, as the reports print counts.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
