//! End-to-end: `report merge` of runs of two different suites keeps them
//! apart. The repository's `examples/wat-demo` (on both engines, with its
//! one real divergence) and a small generic suite written here (on wasmer
//! only) that has a case of the same name, `basics/hello`, printing
//! something else, and a case that fails. Merged, each suite keeps its own
//! cases, totals and divergence in the JSON, the JUnit XML and the HTML, and
//! the exit code follows the failure; a re-run of the failing case, merged
//! last, replaces only that suite's result.

mod common;

use common::*;

const WAT_DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/wat-demo");

const GENERIC_SUITE: &str = r#"name = "generic"
include = ["**/*.wat"]
[toolchain]
builtin = "wat"
[run]
timeout = 5
max_memory = "16MiB"
"#;

/// The generic suite: `basics/hello` (named as wat-demo's, printing
/// something else) passes; `fails` exits 3 where 0 is expected.
fn generic_suite() -> Fixture {
    let f = Fixture::new();
    f.file("suite.toml", GENERIC_SUITE);
    f.file("basics/hello.wat", wat_print(1, "hello from generic\n", 0));
    f.file("basics/hello.stdout", "hello from generic\n");
    f.file("fails.wat", wat_print(1, "", 3));
    f
}

fn json(f: &Fixture, file: &str) -> serde_json::Value {
    serde_json::from_str(&f.read(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// The (suite, case, engine, status, divergent) of every merged result.
fn jobs(v: &serde_json::Value) -> Vec<(String, String, String, String, bool)> {
    let s = |r: &serde_json::Value, k: &str| r[k].as_str().unwrap_or_default().to_owned();
    v["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            let divergent = r["divergent"].as_bool().unwrap_or(false);
            (
                s(r, "suite"),
                s(r, "case"),
                s(r, "engine"),
                s(r, "status"),
                divergent,
            )
        })
        .collect()
}

/// The `<testsuite ...>` start tags of a JUnit file.
fn testsuites(xml: &str) -> Vec<&str> {
    xml.match_indices("<testsuite ")
        .map(|(at, _)| &xml[at..at + xml[at..].find('>').unwrap_or(0)])
        .collect()
}

#[test]
fn two_suites_merge_apart_and_a_rerun_replaces_its_own_result() {
    let f = generic_suite();
    let o = f.run(&[
        "--suite",
        WAT_DEMO,
        "--engine",
        "wasmtime,wasmer",
        "--json",
        "demo.json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    let o = f.run(&[
        "--suite",
        ".",
        "--engine",
        "wasmer",
        "--json",
        "generic.json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}\n{}", stdout(&o), stderr(&o));

    let o = f.run(&[
        "report",
        "merge",
        "demo.json",
        "generic.json",
        "--json",
        "m.json",
        "--junit",
        "m.xml",
        "--html",
        "m.html",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}\n{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("merged 2 runs of wat-demo+generic: 16 results"),
        "{out}"
    );
    assert!(
        out.contains(
            "\n  generic: 2 results; 1 passed, 1 failed, 0 skipped, 0 not run, 0 divergent\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("\n  wat-demo: 14 results; 14 passed, 0 failed"),
        "{out}"
    );

    let m = json(&f, "m.json");
    assert_eq!(m["suite"], "wat-demo+generic");
    let all = jobs(&m);
    assert_eq!(all.len(), 16, "{all:#?}");
    assert!(
        all.iter().all(|j| j.0 == "generic" || j.0 == "wat-demo"),
        "{all:#?}"
    );
    let hello: Vec<_> = all.iter().filter(|j| j.1 == "basics/hello").collect();
    let hello: Vec<(&str, &str, &str, bool)> = hello
        .iter()
        .map(|j| (j.0.as_str(), j.2.as_str(), j.3.as_str(), j.4))
        .collect();
    assert_eq!(
        hello,
        [
            ("generic", "wasmer", "pass", false),
            ("wat-demo", "wasmer", "pass", false),
            ("wat-demo", "wasmtime", "pass", false),
        ],
        "the two suites' basics/hello stay apart and are not compared"
    );
    let divergent: Vec<(&str, &str)> = all
        .iter()
        .filter(|j| j.4)
        .map(|j| (j.0.as_str(), j.1.as_str()))
        .collect();
    assert_eq!(divergent, [("wat-demo", "io/write-file"); 2]);
    let summary = &m["summary"];
    assert_eq!(
        [&summary["total"], &summary["failed"], &summary["divergent"]],
        [16, 1, 1],
        "{summary}"
    );
    let demo = &summary["suites"]["wat-demo"];
    assert_eq!(
        [&demo["total"], &demo["failed"], &demo["divergent"]],
        [14, 0, 1],
        "{demo}"
    );
    let generic = &summary["suites"]["generic"];
    assert_eq!(
        [&generic["total"], &generic["passed"], &generic["failed"]],
        [2, 1, 1],
        "{generic}"
    );
    assert!(
        m["groups"]
            .as_array()
            .expect("groups")
            .iter()
            .any(|g| g["cases"] == serde_json::json!(["generic::fails"])),
        "{}",
        m["groups"]
    );

    let xml = f.read("m.xml");
    let suites = testsuites(&xml);
    assert_eq!(suites.len(), 2, "{xml}");
    assert!(
        suites[0].contains("name=\"generic\" tests=\"2\""),
        "{}",
        suites[0]
    );
    assert!(suites[0].contains("failures=\"1\""), "{}", suites[0]);
    assert!(
        suites[1].contains("name=\"wat-demo\" tests=\"14\""),
        "{}",
        suites[1]
    );
    assert!(suites[1].contains("failures=\"0\""), "{}", suites[1]);
    assert!(xml.contains("<testcase name=\"basics/hello\" classname=\"generic.wasmer\""));
    assert!(xml.contains("<testcase name=\"basics/hello\" classname=\"wat-demo.wasmtime\""));

    let html = f.read("m.html");
    assert!(
        html.contains("<th>suite</th><th>case</th>"),
        "no suite column"
    );
    assert!(html.contains("class=\"suite-filter\" data-suite=\"generic\" data-count=\"2\""));
    assert!(html.contains("class=\"suite-filter\" data-suite=\"wat-demo\" data-count=\"7\""));

    // The failing case fixed and re-run alone; merged last, it replaces
    // generic's `fails` and nothing of wat-demo.
    f.file("fails.exit", "3\n");
    let o = f.run(&[
        "--suite",
        ".",
        "--engine",
        "wasmer",
        "--exact",
        "fails",
        "--json",
        "rerun.json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    let o = f.run(&[
        "report",
        "merge",
        "demo.json",
        "generic.json",
        "rerun.json",
        "--json",
        "m2.json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    let m2 = json(&f, "m2.json");
    let again = jobs(&m2);
    assert_eq!(again.len(), 16, "{again:#?}");
    let fails: Vec<_> = again.iter().filter(|j| j.1 == "fails").collect();
    assert_eq!(fails.len(), 1, "{fails:#?}");
    assert_eq!(
        (fails[0].0.as_str(), fails[0].3.as_str()),
        ("generic", "pass")
    );
    assert_eq!(m2["summary"]["suites"]["generic"]["failed"], 0);
    assert_eq!(m2["summary"]["suites"]["wat-demo"]["total"], 14);
}

#[test]
fn a_merge_of_one_suites_runs_names_no_suite_per_result() {
    let f = generic_suite();
    f.file("fails.exit", "3\n");
    for (part, out) in [("count:1/2", "a.json"), ("count:2/2", "b.json")] {
        let o = f.run(&["--suite", ".", "--partition", part, "--json", out]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    let o = f.run(&["report", "merge", "a.json", "b.json", "--json", "m.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o).lines().count(),
        1,
        "one line, no per-suite lines: {}",
        stdout(&o)
    );
    let m = json(&f, "m.json");
    assert_eq!(m["suite"], "generic");
    assert!(m["summary"].get("suites").is_none(), "{}", m["summary"]);
    let results = m["results"].as_array().expect("results");
    assert_eq!(results.len(), 2);
    assert!(results.iter().all(|r| r.get("suite").is_none()), "{m}");
}
