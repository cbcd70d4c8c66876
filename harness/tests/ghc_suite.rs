//! End-to-end: GHC's testsuite layout (`--suite ghc-testsuite --root DIR`)
//! on the repository's fixture (`examples/ghc-layout`, C sources compiled
//! with clang), on both engines, through the real binary.

mod common;

use std::path::{Path, PathBuf};

use common::*;

const BOTH: &str = "wasmtime,wasmer";

fn fixture_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/ghc-layout")
}

/// A private copy of the fixture (bless writes into it).
fn fixture() -> Fixture {
    let f = Fixture::new();
    copy_tree(&fixture_src(), f.path());
    f
}

fn statuses(json: &serde_json::Value, engine: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = json["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["engine"] == engine)
        .map(|r| {
            (
                r["case"].as_str().unwrap_or_default().to_owned(),
                r["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

fn of<'a>(list: &'a [(String, String)], status: &str) -> Vec<&'a str> {
    list.iter()
        .filter(|(_, s)| s == status)
        .map(|(c, _)| c.as_str())
        .collect()
}

#[test]
fn the_fixture_runs_on_both_engines_as_users_call_it() {
    let f = fixture();
    let o = f.run(&[
        "--suite",
        "ghc-testsuite",
        "--root",
        "tests",
        "--engine",
        BOTH,
        "--json",
        "r.json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    let json: serde_json::Value = serde_json::from_str(&f.read("r.json")).expect("json");
    for engine in ["wasmtime", "wasmer"] {
        let s = statuses(&json, engine);
        // Every test once per way it is declared for: run_ways is
        // normal and optasm, compile_ways normal.
        assert_eq!(s.len(), 71, "{engine}: {s:?}");
        assert_eq!(
            of(&s, "xfail"),
            ["fails_in_opt(optasm)", "known_bug(normal)"],
            "{engine}"
        );
        let skipped = of(&s, "skip");
        for case in [
            "needs_ghci(normal)",
            "not_on_wasm(normal)",
            "only_js(normal)",
            "hello(optasm)",
            "only_opt(normal)",
            "not_opt(optasm)",
        ] {
            assert!(
                skipped.contains(&case),
                "{engine}: {case} not skipped: {s:?}"
            );
        }
        let passed = of(&s, "pass");
        for case in [
            "hello(normal)",
            "wordsize(normal)",
            "stderr_out(normal)",
            "size1(normal)",
            "size3(normal)",
            "letter_b(normal)",
            "multi(normal)",
            "with_extra(normal)",
            "exit_wasm(normal)",
            "compiles(normal)",
            "warns(normal)",
            "fails_to_compile(normal)",
            "argv_ways(normal)",
            "argv_ways(optasm)",
            "only_opt(optasm)",
            "not_opt(normal)",
            "fails_in_opt(normal)",
            "make_hello(normal)",
            "make_target(normal)",
            "make_fails(normal)",
            "run_cmd(normal)",
            "generated(normal)",
            "prefixed(normal)",
            "wrapped(normal)",
            "py_def(normal)",
            "py_lambda(normal)",
            "py_composed(normal)",
            "py_broken(normal)",
            "interleaved(normal)",
        ] {
            assert!(
                passed.contains(&case),
                "{engine}: {case} did not pass: {s:?}"
            );
        }
        assert_eq!(passed.len(), 34, "{engine}: {s:?}");
    }
    // The one normaliser that cannot run is the only warning.
    let err = stderr(&o);
    let warnings: Vec<&str> = err.lines().filter(|l| l.contains("warning")).collect();
    assert_eq!(warnings.len(), 1, "{}", stderr(&o));
    assert!(
        warnings[0].contains("normalise/all.T:17: test py_broken"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn list_shows_functions_options_and_skip_reasons_with_totals() {
    let f = fixture();
    let o = f.run(&[
        "--suite",
        "ghc-testsuite",
        "--root",
        "tests",
        "--list",
        "--json",
        "l.json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.lines()
            .any(|l| l.starts_with("known_bug(normal)  compile_and_run")
                && l.contains("expect_broken(4321)")
                && l.contains("expect: broken")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("needs_ghci(normal)") && l.contains("skip: req_interp")),
        "{out}"
    );
    assert!(
        out.contains("71 cases (of 37 tests): 36 to run, 35 skipped"),
        "{out}"
    );
    assert!(out.contains("by test function:"), "{out}");
    assert!(out.contains("    10  multimod_compile_and_run"), "{out}");
    assert!(out.contains("by skip reason:"), "{out}");
    let json: serde_json::Value = serde_json::from_str(&f.read("l.json")).expect("json");
    let cases = json["cases"].as_array().expect("cases");
    let entry = |name: &str| {
        cases
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("{name} listed"))
    };
    let bug = entry("known_bug(normal)");
    assert_eq!(bug["file"], "options/all.T");
    assert_eq!(bug["func"], "compile_and_run");
    assert_eq!(bug["expect"], "broken");
    assert_eq!(bug["test"], "known_bug");
    assert_eq!(bug["way"], "normal");
    assert!(bug["skip"].is_null());
    let other_way = entry("known_bug(optasm)");
    assert_eq!(other_way["way"], "optasm");
    assert!(
        other_way["skip"]
            .as_str()
            .unwrap_or_default()
            .contains("one way at this speed"),
        "{other_way}"
    );
    let make = entry("make_hello(normal)");
    assert_eq!(make["func"], "makefile_test");
    assert_eq!(make["command"], "$MAKE -s --no-print-directory make_hello");
    assert!(make["skip"].is_null(), "{make}");
    assert_eq!(
        entry("generated(normal)")["pre_cmd"],
        "$MAKE -s --no-print-directory gen_source"
    );
    assert_eq!(
        entry("py_def(normal)")["python_normalisers"],
        "hide_numbers"
    );
    assert_eq!(entry("size2(normal)")["func"], "multimod_compile_and_run");
    assert_eq!(entry("fails_to_compile(normal)")["func"], "compile_fail");
}

#[test]
fn bless_writes_goldens_the_way_the_driver_accepts_them_and_round_trips() {
    let f = fixture();
    f.file("tests/basic/hello.stdout", "stale\n");
    std::fs::remove_file(f.path().join("tests/basic/wordsize.stdout-ws-32")).expect("rm");
    std::fs::remove_file(f.path().join("tests/compile/fails_to_compile.stderr")).expect("rm");
    let args = [
        "--suite",
        "ghc-testsuite",
        "--root",
        "tests",
        "--engine",
        BOTH,
    ];
    let o = f.run(&args);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let mut bless = args.to_vec();
    bless.push("--bless");
    let o = f.run(&bless);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    assert_eq!(f.read("tests/basic/hello.stdout"), "Hello, GHC layout!\n");
    // No variant left: the driver's accept mode writes NAME.stdout.
    assert_eq!(f.read("tests/basic/wordsize.stdout"), "32\n");
    assert!(
        f.read("tests/compile/fails_to_compile.stderr")
            .contains("this file must not compile"),
        "{}",
        f.read("tests/compile/fails_to_compile.stderr")
    );
    // The expected failure's golden is left alone.
    assert_eq!(f.read("tests/options/known_bug.stdout"), "42\n");
    let o = f.run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn a_bad_statement_warns_with_file_and_line_and_keeps_the_other_tests() {
    let f = Fixture::new();
    f.file(
        "tests/x/all.T",
        "test('before', normal, compile, [''])\n\
         class Unsupported:\n    pass\n\
         test('after', normal, compile, [''])\n\
         test('before', normal, compile, [''])\n",
    );
    let o = f.run(&["--suite", "ghc-testsuite", "--root", "tests", "--list"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.lines()
            .any(|l| l.starts_with("before(normal)  compile")),
        "{out}"
    );
    assert!(
        out.lines().any(|l| l.starts_with("after(normal)  compile")),
        "{out}"
    );
    let err = stderr(&o);
    assert!(err.contains("x/all.T:2:"), "{err}");
    assert!(
        err.contains("x/all.T:5: test before is declared again"),
        "{err}"
    );
}

#[test]
fn the_builtin_kind_needs_a_root() {
    let f = Fixture::new();
    let o = f.run(&["--suite", "ghc-testsuite", "--list"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--root DIR"), "{}", stderr(&o));
}

#[test]
fn a_change_to_any_input_file_recompiles_the_case() {
    let f = fixture();
    let args = [
        "--suite",
        "ghc-testsuite",
        "--root",
        "tests",
        "--engine",
        "wasmtime",
        "multi",
    ];
    let o = f.run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // Not the main source: the extra module the test lists.
    f.file(
        "tests/options/multi_util.c",
        "int twice(int x) { return 3 * x; }\n",
    );
    let o = f.run(&args);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("twice(21) = 63"), "{}", stdout(&o));
}

#[test]
fn config_values_in_the_suite_file_change_what_runs() {
    let f = fixture();
    let toml = f.read("suite.toml");
    f.file(
        "suite.toml",
        toml.replace(
            "[config]\n",
            "[config]\nhave_interp = true\narch = \"javascript\"\n",
        ),
    );
    let o = f.run(&["--suite", "ghc-testsuite", "--root", "tests", "--list"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let line = |name: &str| {
        out.lines()
            .find(|l| l.starts_with(&format!("{name}(normal)  ")))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(!line("needs_ghci").contains("skip:"), "{out}");
    assert!(!line("only_js").contains("skip:"), "{out}");
    assert!(line("not_on_wasm").contains("skip:"), "{out}");
}
