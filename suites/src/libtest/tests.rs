//! Unit tests of the libtest kind: cargo's messages, listing output and
//! the case plan, on data written here; no cargo or engine runs.

use std::path::{Path, PathBuf};

use super::cargo::{binaries_from_messages, name_of};
use super::listing::{parse_json, parse_terse};
use super::*;
use crate::Expectation;

const JSON_LIST: &str = r#"{ "type": "suite", "event": "discovery" }
{ "type": "test", "event": "discovered", "name": "tests::adds", "ignore": false, "ignore_message": "", "source_path": "src/lib.rs", "start_line": 19, "start_col": 8, "end_line": 19, "end_col": 12 }
{ "type": "test", "event": "discovered", "name": "tests::slow", "ignore": true, "ignore_message": "slow", "source_path": "src/lib.rs", "start_line": 48, "start_col": 8, "end_line": 48, "end_col": 16 }
{ "type": "suite", "event": "completed", "tests": 2, "benchmarks": 0, "total": 2, "ignored": 1 }
"#;

#[test]
fn json_listing_keeps_ignore_reasons_and_places() {
    let tests = parse_json(JSON_LIST).expect("a JSON listing");
    assert_eq!(tests.len(), 2);
    assert_eq!(tests[0].name, "tests::adds");
    assert_eq!(tests[0].ignore, None);
    assert_eq!(tests[0].source.as_deref(), Some("src/lib.rs:19"));
    assert_eq!(tests[1].ignore.as_deref(), Some("slow"));
}

#[test]
fn terse_output_is_not_taken_for_json() {
    assert_eq!(parse_json("tests::adds: test\n"), None);
    assert_eq!(parse_json(""), None);
}

#[test]
fn terse_listing_marks_the_ignored_and_drops_benchmarks() {
    let all = "a::one: test\na::two: test\nbench_it: benchmark\n\n2 tests, 1 benchmarks\n";
    let tests = parse_terse(all, "a::two: test\n");
    let names: Vec<(&str, bool)> = tests
        .iter()
        .map(|t| (t.name.as_str(), t.ignore.is_some()))
        .collect();
    assert_eq!(names, [("a::one", false), ("a::two", true)]);
}

#[test]
fn cargo_messages_give_test_executables_with_their_package_folder() {
    let messages = [
        r#"{"reason":"compiler-artifact","manifest_path":"/w/fix/Cargo.toml","target":{"kind":["lib"],"name":"fix"},"profile":{"test":true},"executable":"/w/t/deps/fix-0123456789abcdef.wasm"}"#,
        r#"{"reason":"compiler-artifact","manifest_path":"/w/fix/Cargo.toml","target":{"kind":["lib"],"name":"fix"},"profile":{"test":false},"executable":null}"#,
        r#"{"reason":"compiler-artifact","manifest_path":"/w/fix/Cargo.toml","target":{"kind":["test"],"name":"files"},"profile":{"test":true},"executable":"/w/t/deps/files-aaaaaaaaaaaaaaaa.wasm"}"#,
        "a build script said something",
        r#"{"reason":"build-finished","success":true}"#,
    ]
    .join("\n");
    let found = binaries_from_messages(&messages);
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].name, "files");
    assert_eq!(found[1].name, "fix");
    assert_eq!(found[1].cwd, PathBuf::from("/w/fix"));
    assert_eq!(
        found[1].path,
        PathBuf::from("/w/t/deps/fix-0123456789abcdef.wasm")
    );
}

#[test]
fn same_named_targets_are_told_apart() {
    let messages = [
        r#"{"reason":"compiler-artifact","manifest_path":"/w/a/Cargo.toml","target":{"kind":["lib"],"name":"io"},"profile":{"test":true},"executable":"/t/io-1111111111111111.wasm"}"#,
        r#"{"reason":"compiler-artifact","manifest_path":"/w/a/Cargo.toml","target":{"kind":["test"],"name":"io"},"profile":{"test":true},"executable":"/t/io-2222222222222222.wasm"}"#,
    ]
    .join("\n");
    let names: Vec<String> = binaries_from_messages(&messages)
        .into_iter()
        .map(|b| b.name)
        .collect();
    assert_eq!(names, ["a-lib-io", "a-test-io"]);
}

#[test]
fn binary_names_drop_cargos_hash_only() {
    assert_eq!(name_of(Path::new("/d/fix-0123456789abcdef.wasm")), "fix");
    assert_eq!(name_of(Path::new("/d/my-tests.wasm")), "my-tests");
    assert_eq!(name_of(Path::new("/d/x-0123.wasm")), "x-0123");
}

fn plan_with(text: &str) -> (tempfile::TempDir, Plan) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("suite.toml");
    std::fs::write(&path, text).expect("write suite file");
    let file = crate::source::SourceFile::read(path.canonicalize().expect("canonical"))
        .expect("read suite file");
    let plan = load(&file, None).expect("a valid plan");
    (dir, plan)
}

fn listed(name: &str, ignore: Option<&str>) -> Listed {
    Listed {
        name: name.into(),
        ignore: ignore.map(String::from),
        source: None,
    }
}

#[test]
fn cases_run_one_test_each_in_the_package_folder() {
    let (dir, plan) = plan_with(
        "kind = \"libtest\"\ncargo = [\"--workspace\"]\n[run]\ntimeout = 5\nenv = { A = \"1\" }\n[expect.wasmer]\n\"fix/tests::b\" = \"xfail: differs\"\n",
    );
    assert_eq!(plan.source, Source::Cargo(vec!["--workspace".into()]));
    let binary = Binary {
        path: dir.path().join("fix-0123456789abcdef.wasm"),
        name: "fix".into(),
        cwd: dir.path().to_path_buf(),
    };
    let tests = vec![
        listed("tests::a", None),
        listed("tests::b", None),
        listed("tests::c", Some("slow")),
    ];
    let suite = plan
        .suite(vec![(binary, tests)], Vec::new())
        .expect("suite");
    let names: Vec<&str> = suite.cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["fix/tests::a", "fix/tests::b", "fix/tests::c"]);
    let a = &suite.cases[0];
    assert_eq!(a.run.args, ["--exact", "tests::a", "--nocapture"]);
    assert_eq!(a.source.stem, "fix-0123456789abcdef");
    assert_eq!(a.run.env, [("A".to_string(), "1".to_string())]);
    assert_eq!(a.run.dirs[0].guest, ".");
    assert_eq!(a.run.timeout, Duration::from_secs(5));
    assert_eq!(a.libtest_test(), Some("tests::a"));
    assert!(a.expect.engines.is_empty());
    assert_eq!(
        suite.cases[1].expectation("wasmer"),
        Some(&Expectation::XFail("differs".into()))
    );
    assert_eq!(
        suite.cases[2].expectation("wasmtime"),
        Some(&Expectation::Skip("#[ignore]: slow".into()))
    );
}

#[test]
fn an_expectation_for_a_test_that_does_not_exist_is_an_error() {
    let (dir, plan) =
        plan_with("kind = \"libtest\"\n[expect.wasmtime]\n\"fix/gone\" = \"skip: no\"\n");
    let binary = Binary {
        path: dir.path().join("fix.wasm"),
        name: "fix".into(),
        cwd: dir.path().to_path_buf(),
    };
    let err = plan
        .suite(vec![(binary, vec![listed("kept", None)])], Vec::new())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("suite.toml:3"), "{err}");
    assert!(err.contains("fix/gone"), "{err}");
}

#[test]
fn cargo_and_binaries_together_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("suite.toml");
    std::fs::write(
        &path,
        "kind = \"libtest\"\ncargo = []\nbinaries = [\"*.wasm\"]\n",
    )
    .expect("write");
    let file = crate::source::SourceFile::read(path).expect("read");
    let err = load(&file, None)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("suite.toml:3"), "{err}");
    assert!(err.contains("not both"), "{err}");
}

#[test]
fn globs_take_the_newest_build_of_each_binary() {
    let (dir, plan) = plan_with("kind = \"libtest\"\nbinaries = [\"deps/*.wasm\"]\n");
    let deps = dir.path().join("deps");
    std::fs::create_dir_all(&deps).expect("mkdir");
    let old = deps.join("fix-0000000000000000.wasm");
    let new = deps.join("fix-1111111111111111.wasm");
    std::fs::write(&old, b"\0asm").expect("write");
    std::fs::write(&new, b"\0asm").expect("write");
    let earlier = std::time::SystemTime::now() - Duration::from_secs(60);
    std::fs::File::options()
        .write(true)
        .open(&old)
        .and_then(|f| f.set_modified(earlier))
        .expect("set mtime");
    std::fs::write(deps.join("notes.txt"), b"x").expect("write");
    let Source::Binaries(globs) = &plan.source else {
        panic!("binaries source expected");
    };
    let (found, warnings) = plan.glob_binaries(globs).expect("matches");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].path.file_name(), new.file_name());
    assert_eq!(found[0].name, "fix");
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].contains("fix-0000000000000000.wasm"),
        "{}",
        warnings[0]
    );
    let none = plan.glob_binaries(&["nothing/*.wasm".into()]);
    let err = none.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("matches no .wasm file"), "{err}");
}
