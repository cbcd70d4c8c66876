//! Discovery of `wasi-testsuite` trees built in temporary folders.

use std::fs;
use std::path::Path;

use super::*;
use crate::{Case, Expectation};

const CORE: &[u8] = b"\0asm\x01\0\0\0";
const COMPONENT: &[u8] = b"\0asm\x0d\0\x01\0";

/// A tree of files; each entry is (relative path, content). A tree that
/// cannot be made fails the test.
fn tree(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder for the fixture");
    for (path, content) in files {
        let path = dir.path().join(path);
        let parent = path.parent().expect("a fixture path has a parent");
        fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
        fs::write(&path, content).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    dir
}

/// Discover `root`; a discovery error fails the test with its message.
fn found(root: &Path) -> Found {
    let root = fs::canonicalize(root).unwrap_or_else(|e| panic!("{}: {e}", root.display()));
    match discover(&root, &Limits::default()) {
        Ok(found) => found,
        Err(e) => panic!("discovery of {} failed: {e}", root.display()),
    }
}

/// The text of a derived file (expected output given inline in a spec).
fn derived<'a>(found: &'a Found, path: &Path) -> &'a str {
    let file = found.derived.iter().find(|f| f.path == path);
    file.map_or_else(|| panic!("{} is not derived", path.display()), |f| &f.text)
}

fn names(found: &Found) -> Vec<&str> {
    found.cases.iter().map(|c| c.name.as_str()).collect()
}

fn by_name<'a>(found: &'a Found, name: &str) -> Option<&'a Case> {
    found.cases.iter().find(|c| c.name == name)
}

fn skip_reason(case: &Case, engine: &str) -> Option<String> {
    match case.expectation(engine) {
        Some(Expectation::Skip(why)) => Some(why.clone()),
        _ => None,
    }
}

#[test]
fn legacy_spec_becomes_the_case() {
    let spec = br#"{"args": ["a", "b"], "env": {"Z": "1", "A": "2"}, "root": "fs.dir",
                    "dirs": ["data"], "exit_code": 3, "stdout": "hello"}"#;
    let t = tree(&[("sub/t.wasm", CORE), ("sub/t.json", spec)]);
    let f = found(t.path());
    let Some(c) = by_name(&f, "sub/t") else {
        panic!("no case: {:?}", names(&f))
    };
    assert_eq!(c.source.stem, "t");
    assert_eq!(c.run.args, ["a", "b"]);
    assert_eq!(
        c.run.env,
        [("A".into(), "2".into()), ("Z".into(), "1".into())]
    );
    assert_eq!(c.expect.exit_code, 3);
    let guests: Vec<(&str, bool)> = c
        .run
        .dirs
        .iter()
        .map(|d| (d.guest.as_str(), d.copy))
        .collect();
    assert_eq!(guests, [("/", true), ("data", true)]);
    assert!(c.run.dirs[0].host.ends_with("sub/fs.dir"));
    assert!(!c.expect.ignore_stdout && c.expect.ignore_stderr);
    assert_eq!(derived(&f, &c.expect.golden_stdout), "hello");
    assert!(c.expect.engines.is_empty());
    assert!(c.info.contains(&("spec".into(), "legacy".into())));
}

#[test]
fn operations_spec_becomes_the_case() {
    let spec = br#"{"operations": [
        {"type": "run", "args": ["x"], "root": "r"},
        {"type": "write", "id": "stdin", "payload": "in"},
        {"type": "read", "id": "stderr", "payload": "oops"},
        {"type": "wait", "exit_code": 1}]}"#;
    let t = tree(&[("t.wasm", CORE), ("t.json", spec)]);
    let f = found(t.path());
    let Some(c) = by_name(&f, "t") else {
        panic!("no case: {:?}", names(&f))
    };
    assert_eq!(c.run.args, ["x"]);
    assert_eq!(c.expect.exit_code, 1);
    assert_eq!(c.run.stdin.as_deref().map(|p| derived(&f, p)), Some("in"));
    assert!(c.expect.ignore_stdout && !c.expect.ignore_stderr);
    assert_eq!(derived(&f, &c.expect.golden_stderr), "oops");
    assert_eq!(c.run.dirs.len(), 1);
    assert!(c.info.contains(&("spec".into(), "operations".into())));
}

#[test]
fn missing_spec_means_defaults() {
    let t = tree(&[("t.wasm", CORE)]);
    let f = found(t.path());
    let Some(c) = by_name(&f, "t") else {
        panic!("no case: {:?}", names(&f))
    };
    assert!(c.run.args.is_empty() && c.run.env.is_empty() && c.run.dirs.is_empty());
    assert_eq!(c.expect.exit_code, 0);
    assert!(c.run.stdin.is_none());
    assert!(c.expect.ignore_stdout && c.expect.ignore_stderr);
    assert!(c.expect.engines.is_empty());
    assert!(f.warnings.is_empty());
}

#[test]
fn expected_text_is_a_prefix() {
    let t = tree(&[("t.wasm", CORE), ("t.json", br#"{"stdout": "a$b"}"#)]);
    let f = found(t.path());
    let rules = f.cases[0]
        .expect
        .normalize
        .as_ref()
        .map(|n| n.stdout.rules.clone())
        .unwrap_or_default();
    let Some((pattern, replacement)) = rules.first() else {
        panic!("no rule")
    };
    let re = regex::bytes::Regex::new(pattern).ok();
    let cut = |s: &str| {
        re.as_ref().map(|re| {
            re.replace_all(s.as_bytes(), replacement.as_bytes())
                .into_owned()
        })
    };
    assert_eq!(cut("a$b and more\n").as_deref(), Some(&b"a$b"[..]));
    assert_eq!(cut("a$b").as_deref(), Some(&b"a$b"[..]));
    assert_eq!(cut("xa$b").as_deref(), Some(&b"xa$b"[..]));
}

#[test]
fn proposals_and_components_are_skipped_with_a_reason() {
    let sockets =
        br#"{"proposals": ["sockets"], "operations": [{"type": "run"}, {"type": "wait"}]}"#;
    let t = tree(&[
        ("net.wasm", CORE),
        ("net.json", sockets),
        ("p3.wasm", COMPONENT),
        ("p3.json", sockets),
        ("plain.wasm", CORE),
    ]);
    let f = found(t.path());
    assert_eq!(names(&f), ["net", "p3", "plain"]);
    for engine in ["wasmtime", "wasmer"] {
        let why = skip_reason(&f.cases[0], engine).unwrap_or_default();
        assert!(why.contains("proposal(s) sockets"), "{why}");
        let why = skip_reason(&f.cases[1], engine).unwrap_or_default();
        assert!(why.starts_with("a component"), "{why}");
    }
    assert!(f.cases[2].expect.engines.is_empty());
}

#[test]
fn cleanup_leftovers_and_lone_json_are_not_cases() {
    let t = tree(&[
        ("a.wasm", CORE),
        (
            "manifest.json",
            br#"{"name": "x", "version": "wasm32-wasip1"}"#,
        ),
        ("fs.dir/left.cleanup/b.wasm", CORE),
        ("fs.dir/c.wasm.cleanup", CORE),
        (".git/d.wasm", CORE),
        ("orphan.json", b"{"),
    ]);
    let f = found(t.path());
    assert_eq!(names(&f), ["a"]);
    assert!(f.warnings.is_empty(), "{:?}", f.warnings);
}

#[test]
fn bad_spec_skips_the_case_and_warns_naming_the_file() {
    let t = tree(&[
        ("bad.wasm", CORE),
        ("bad.json", b"{\"args\": [1,"),
        ("typed.wasm", CORE),
        ("typed.json", br#"{"exit_code": "one"}"#),
        ("extra.wasm", CORE),
        ("extra.json", br#"{"args": [], "tags": []}"#),
    ]);
    let f = found(t.path());
    assert_eq!(names(&f), ["bad", "extra", "typed"]);
    let why = skip_reason(&f.cases[0], "wasmtime").unwrap_or_default();
    assert!(
        why.contains("bad.json: not valid JSON: EOF while parsing"),
        "{why}"
    );
    assert!(f.cases[0].info.contains(&("spec".into(), "invalid".into())));
    let why = skip_reason(&f.cases[2], "wasmer").unwrap_or_default();
    assert!(
        why.contains("typed.json: `exit_code` must be an integer"),
        "{why}"
    );
    assert!(f.cases[1].expect.engines.is_empty());
    assert_eq!(f.warnings.len(), 3, "{:?}", f.warnings);
    assert!(f.warnings[0].contains("bad.json: not valid JSON"));
    assert!(f.warnings[0].ends_with("the test is skipped"));
    assert!(f.warnings[1].contains("extra.json: unknown key `tags` is ignored"));
}

#[test]
fn suite_file_sets_name_limits_and_expectations() {
    let toml = br#"name = "mine"
kind = "wasi-testsuite"
root = "tests"
[run]
timeout = 5
max_memory = "64MiB"
retries = 2
[expect.wasmer]
"t" = "xfail: known"
"#;
    let t = tree(&[("suite.toml", toml), ("tests/t.wasm", CORE)]);
    let suite = match crate::load(t.path()) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(suite.name, "mine");
    assert_eq!(suite.kind, crate::SuiteKind::WasiTestsuite);
    assert_eq!(suite.toolchain, crate::Toolchain::BuiltinWasm);
    assert_eq!(suite.retries, 2);
    let c = &suite.cases[0];
    assert_eq!(c.run.timeout, Duration::from_secs(5));
    assert_eq!(c.run.max_memory, 64 << 20);
    assert_eq!(
        c.expectation("wasmer"),
        Some(&Expectation::XFail("known".into()))
    );
    let bad = br#"kind = "wasi-testsuite"
[expect.wasmer]
"nope" = "xfail: x"
"#;
    fs::write(t.path().join("suite.toml"), bad).expect("rewrite suite.toml");
    let err = crate::load_with_root(t.path(), Some(&t.path().join("tests")))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.contains("suite.toml:3") && err.contains("no case named \"nope\""),
        "{err}"
    );
}

#[test]
fn builtin_needs_a_root_and_finds_cases() {
    let t = tree(&[("x/t.wasm", CORE)]);
    let suite = crate::load_builtin(BUILTIN_NAME, Some(t.path()));
    let suite = match suite {
        Some(Ok(s)) => s,
        Some(Err(e)) => panic!("{e}"),
        None => panic!("not a built-in"),
    };
    assert_eq!(suite.name, BUILTIN_NAME);
    assert_eq!(suite.cases.len(), 1);
    let err = crate::load_builtin(BUILTIN_NAME, None).map(|r| r.err().map(|e| e.to_string()));
    assert!(matches!(err, Some(Some(e)) if e.contains("--root DIR")));
    let empty = tree(&[("readme.txt", b"")]);
    let err = crate::load_builtin(BUILTIN_NAME, Some(empty.path()))
        .and_then(|r| r.err())
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.contains("has no cases") && err.contains("*.wasm"),
        "{err}"
    );
}
