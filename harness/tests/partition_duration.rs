//! End-to-end: `--partition duration:K/N --timings RUN.json` balances shards
//! by an earlier run's durations, says what each shard predicts, falls back
//! to `count:` without timings, and fails cleanly on a bad timings file.

mod common;

use std::collections::BTreeSet;

use common::*;

const CASES: usize = 6;

fn suite() -> Fixture {
    let f = Fixture::new();
    f.file("suite.toml", WAT_SUITE);
    for i in 0..CASES {
        f.file(
            &format!("c{i}.wat"),
            wat_print(1, &format!("case {i}\n"), 0),
        );
        f.file(&format!("c{i}.stdout"), format!("case {i}\n"));
    }
    f
}

fn json(f: &Fixture, file: &str) -> serde_json::Value {
    serde_json::from_str(&f.read(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn cases(v: &serde_json::Value) -> Vec<String> {
    v["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["case"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn all() -> BTreeSet<String> {
    (0..CASES).map(|i| format!("c{i}")).collect()
}

/// Runs the whole suite with `--json run.json` and returns the report.
fn full_run(f: &Fixture) -> serde_json::Value {
    let o = f.run(&["--suite", ".", "--json", "run.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    json(f, "run.json")
}

/// Writes `t.json`: the saved run with c0 taking 10 s, every other case
/// 0.1 s, and two records of cases the suite does not have.
fn skewed_timings(f: &Fixture) {
    let mut run = full_run(f);
    let results = run["results"].as_array_mut().expect("results");
    for r in results.iter_mut() {
        let ms = if r["case"] == "c0" { 10_000.0 } else { 100.0 };
        r["duration_ms"] = ms.into();
    }
    for gone in ["gone/a", "gone/b"] {
        let mut r = results[0].clone();
        r["case"] = gone.into();
        results.push(r);
    }
    f.file("t.json", run.to_string());
}

fn list(f: &Fixture, partition: &str, timings: Option<&str>) -> (Vec<String>, String) {
    let mut args = vec!["--suite", ".", "--list", "--partition", partition];
    args.extend(timings.iter().flat_map(|t| ["--timings", *t]));
    let o = f.run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let names = stdout(&o).lines().map(str::to_owned).collect();
    (names, stderr(&o))
}

#[test]
fn duration_shards_run_every_case_once_and_say_what_they_predict() {
    let f = suite();
    // The timings: two count shards merged, as a CI pipeline keeps them.
    for k in 1..=2 {
        let part = format!("count:{k}/2");
        let out = format!("c{k}.json");
        let o = f.run(&["--suite", ".", "--partition", &part, "--json", &out]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    let o = f.run(&[
        "report", "merge", "c1.json", "c2.json", "--json", "run.json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut seen = BTreeSet::new();
    for k in 1..=3 {
        let out = format!("d{k}.json");
        let part = format!("duration:{k}/3");
        let o = f.run(&[
            "--suite",
            ".",
            "--partition",
            &part,
            "--timings",
            "run.json",
            "--json",
            &out,
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let shard = cases(&json(&f, &out));
        let line = format!("shard {k}/3 (duration): {} cases, predicted ", shard.len());
        let err = stderr(&o);
        assert!(err.contains(&line) && err.contains(" in all"), "{err}");
        assert!(!err.contains("no timing"), "{err}");
        for case in shard {
            assert!(seen.insert(case.clone()), "{case} in two shards");
        }
    }
    assert_eq!(seen, all());
}

#[test]
fn list_shows_the_plan_and_unknown_cases_in_the_timings_are_ignored() {
    let f = suite();
    skewed_timings(&f);
    // c0 (10 s) alone outweighs the other five (0.5 s): it gets a shard.
    let (one, err) = list(&f, "duration:1/2", Some("t.json"));
    assert_eq!(one, vec!["c0"]);
    assert!(
        err.contains("shard 1/2 (duration): 1 cases, predicted 10.0 s of 10.5 s in all"),
        "{err}"
    );
    assert!(
        err.contains("times 2 cases that are not among the 6 selected"),
        "{err}"
    );
    let (two, err) = list(&f, "duration:2/2", Some("t.json"));
    assert_eq!(two, vec!["c1", "c2", "c3", "c4", "c5"]);
    assert!(err.contains("predicted 0.5 s of 10.5 s"), "{err}");
    // The same shard runs exactly what it listed.
    let o = f.run(&[
        "--suite",
        ".",
        "--partition",
        "duration:1/2",
        "--timings",
        "t.json",
        "--json",
        "one.json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(cases(&json(&f, "one.json")), vec!["c0"]);
}

#[test]
fn without_timings_duration_falls_back_to_count_and_says_so() {
    let f = suite();
    for k in 1..=2 {
        let (duration, err) = list(&f, &format!("duration:{k}/2"), None);
        assert!(
            err.contains(&format!(
                "has no --timings RUN.json: dealing as count:{k}/2"
            )),
            "{err}"
        );
        let (count, _) = list(&f, &format!("count:{k}/2"), None);
        assert_eq!(duration, count);
    }
    // hash and count do not use a timings file, and say so.
    full_run(&f);
    let (_, err) = list(&f, "hash:1/2", Some("run.json"));
    assert!(err.contains("hash:1/2 ignores it"), "{err}");
}

#[test]
fn a_missing_or_malformed_timings_file_stops_the_run_with_exit_2() {
    let f = suite();
    f.file("bad.json", "{\"results\": [");
    for file in ["missing.json", "bad.json"] {
        let o = f.run(&[
            "--suite",
            ".",
            "--partition",
            "duration:1/2",
            "--timings",
            file,
            "--json",
            "out.json",
        ]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains(file), "{}", stderr(&o));
        assert!(
            !f.path().join("out.json").exists(),
            "{file}: a report was written"
        );
        assert!(!stdout(&o).contains("c0"), "{file}: {}", stdout(&o));
    }
    // --timings means nothing without --partition.
    let o = f.run(&["--suite", ".", "--timings", "bad.json"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--partition"), "{}", stderr(&o));
}
