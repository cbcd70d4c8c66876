//! End-to-end: shards (`--partition`), merging saved runs (`report merge`),
//! and the HTML report (`--report`, `report html`), with both engines and a
//! real divergence between them.

mod common;

use std::collections::BTreeSet;

use common::*;

const BOTH: &str = "wasmtime,wasmer";

/// Prints the name of preopened fd 3: "." on wasmtime (the scratch
/// directory), "/" on wasmer (wasmer-wasix's virtual root comes first).
const PRESTAT: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $name (i32.const 3) (i32.const 100) (i32.const 1)))
    (i32.store (i32.const 0) (i32.const 100)) (i32.store (i32.const 4) (i32.const 1))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 200)))))"#;

fn suite() -> Fixture {
    let f = Fixture::new();
    f.file("suite.toml", WAT_SUITE);
    for i in 0..6 {
        f.file(
            &format!("c{i}.wat"),
            wat_print(1, &format!("case {i}\n"), 0),
        );
        f.file(&format!("c{i}.stdout"), format!("case {i}\n"));
    }
    f.file("prestat.wat", PRESTAT);
    f.file("prestat.stdout", ".");
    f
}

fn json(f: &Fixture, file: &str) -> serde_json::Value {
    serde_json::from_str(&f.read(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn cases(v: &serde_json::Value) -> BTreeSet<String> {
    v["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["case"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn shards_cover_every_case_once_and_merge_into_the_reports_of_one_run() {
    let f = suite();
    let all: BTreeSet<String> = (0..6)
        .map(|i| format!("c{i}"))
        .chain(["prestat".into()])
        .collect();
    for kind in ["count", "hash"] {
        let mut seen = BTreeSet::new();
        let mut files = Vec::new();
        for k in 1..=3 {
            let out = format!("{kind}{k}.json");
            let part = format!("{kind}:{k}/3");
            let o = f.run(&[
                "--suite",
                ".",
                "--engine",
                BOTH,
                "--partition",
                &part,
                "--json",
                &out,
            ]);
            let shard = cases(&json(&f, &out));
            // prestat fails on wasmer: its shard alone exits 1.
            let failing = i32::from(shard.contains("prestat"));
            assert_eq!(o.status.code(), Some(failing), "{shard:?}: {}", stderr(&o));
            assert!(seen.is_disjoint(&shard), "{kind}: {shard:?} again");
            seen.extend(shard);
            files.push(out);
        }
        assert_eq!(seen, all, "{kind}");
        let mut args = vec!["report", "merge"];
        args.extend(files.iter().map(String::as_str));
        args.extend(["--json", "m.json", "--junit", "m.xml", "--html", "m.html"]);
        let o = f.run(&args);
        // prestat fails on wasmer: the merged run fails too.
        assert_eq!(o.status.code(), Some(1), "{}\n{}", stdout(&o), stderr(&o));
        let merged = json(&f, "m.json");
        assert_eq!(merged["results"].as_array().map(Vec::len), Some(14));
        assert_eq!(merged["summary"]["divergent"], 1, "{}", merged["summary"]);
        assert_eq!(merged["summary"]["failed"], 1, "{}", merged["summary"]);
        assert_eq!(f.read("m.xml").matches("<testcase").count(), 14);
        assert!(f.read("m.html").contains("prestat"));
    }
}

#[test]
fn an_empty_shard_exits_zero_and_still_writes_its_report() {
    let f = suite();
    let o = f.run(&[
        "--suite",
        ".",
        "--partition",
        "count:9/9",
        "--json",
        "e.json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("no cases"), "{}", stdout(&o));
    assert!(cases(&json(&f, "e.json")).is_empty());
    let o = f.run(&["--suite", ".", "--partition", "count:0/9"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("hash:K/N or count:K/N"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_html_report_of_a_run_and_of_its_saved_json_show_the_divergence() {
    let f = suite();
    let o = f.run(&[
        "--suite", ".", "--engine", BOTH, "--json", "r.json", "--report", "r.html",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let live = f.read("r.html");
    assert!(
        live.contains("prestat") && live.contains("<script"),
        "{live}"
    );
    let o = f.run(&["report", "html", "r.json", "-o", "saved.html"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let saved = f.read("saved.html");
    assert!(saved.contains("prestat"));
    // The summary (drawn without script) counts one divergent case either way.
    let divergent = |page: &str| {
        let at = page
            .find("id=\"divergent-count\"")
            .expect("divergent count");
        let rest = &page[at..];
        let text = &rest[rest.find('>').map_or(0, |i| i + 1)..];
        text[..text.find('<').unwrap_or(0)].trim().to_owned()
    };
    assert_eq!(divergent(&live), "1");
    assert_eq!(divergent(&saved), "1");
    let o = f.run(&["report", "html", "missing.json", "-o", "x.html"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("missing.json"), "{}", stderr(&o));
}
