//! Loads the real example suite in `examples/c-basic` through the public API.

use std::path::{Path, PathBuf};

use xharness_suites::{Expectation, Toolchain, load, resolve};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn c_basic_resolves_by_name_and_loads() {
    let file = resolve("c-basic", &workspace()).unwrap_or_else(|e| panic!("{e}"));
    let suite = load(&file).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(suite.name, "c-basic");
    let Toolchain::Command {
        template, shell, ..
    } = &suite.toolchain
    else {
        panic!("c-basic compiles with clang, got {:?}", suite.toolchain);
    };
    assert_eq!(template, "clang --target=wasm32-wasi -O1 {src} -o {out}");
    assert!(!shell);
    assert!(suite.cases.len() >= 22, "only {} cases", suite.cases.len());

    let folders = [
        "stdout/", "stderr/", "exit/", "stdin/", "args/", "env/", "files/",
    ];
    for folder in folders {
        assert!(
            suite.cases.iter().any(|c| c.name.starts_with(folder)),
            "nothing in {folder}"
        );
    }
    let mut names: Vec<&str> = suite.cases.iter().map(|c| c.name.as_str()).collect();
    let sorted = names.clone();
    names.sort();
    assert_eq!(names, sorted, "cases must come sorted by name");
}

#[test]
fn c_basic_sidecars_and_expectations() {
    let suite = load(&workspace().join("examples/c-basic")).unwrap_or_else(|e| panic!("{e}"));
    let case = |name: &str| {
        let found = suite.cases.iter().find(|c| c.name == name);
        found.unwrap_or_else(|| panic!("no case {name}"))
    };
    assert_eq!(case("exit/return42").expect.exit_code, 42);
    assert_eq!(case("exit/exit3_flush").expect.exit_code, 3);
    assert_eq!(case("exit/exit0").expect.exit_code, 0);
    assert_eq!(case("args/spaces").run.args[0], "hello world");
    assert_eq!(case("args/spaces").run.args.len(), 5);
    let greeting = ("XH_GREETING".to_string(), "hello from env".to_string());
    assert!(case("env/greeting").run.env.contains(&greeting));
    let stdin = case("stdin/cat").run.stdin.clone().unwrap_or_default();
    assert!(stdin.ends_with("stdin/cat.stdin") && stdin.is_file());

    let fd_number = case("files/fd_number");
    assert!(matches!(
        fd_number.expect.engines.get("wasmer"),
        Some(Expectation::XFail(_))
    ));
    assert!(!fd_number.expect.engines.contains_key("wasmtime"));
    let xfails = suite
        .cases
        .iter()
        .filter(|c| !c.expect.engines.is_empty())
        .count();
    assert_eq!(xfails, 1);
}
