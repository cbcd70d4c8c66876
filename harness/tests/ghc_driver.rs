//! End-to-end: GHC's testsuite as GHC's driver runs it, through the real
//! binary on both engines: every way as its own case, the `.T` files' own
//! Python normalisers, `combined_output`, and tests that drive a shell
//! (`makefile_test`, `run_command`, `pre_cmd`, `cmd_prefix`,
//! `cmd_wrapper`) with their isolation and limits.
//!
//! Needs clang for wasm32-wasi, `make` and `sh` (`bash .ci/run` installs
//! them).

mod common;

use std::path::Path;

use common::*;

const BOTH: &str = "wasmtime,wasmer";

/// A suite in GHC's layout whose toolchain and TEST_HC are clang.
fn suite(extra_config: &str) -> Fixture {
    let f = Fixture::new();
    let shim = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/ghc-layout/ghc-shim");
    f.file(
        "suite.toml",
        format!(
            "name = \"g\"\nkind = \"ghc-testsuite\"\nroot = \"tests\"\n\
             [toolchain]\ncommand = \"clang --target=wasm32-wasi -O1 {{flags}} {{src}} -o {{out}}\"\n\
             source_ext = \"c\"\n\
             [run]\ntimeout = 5\n\
             [config]\ncompiler = \"{}\"\n{extra_config}",
            shim.display()
        ),
    );
    f
}

fn results(f: &Fixture, file: &str) -> Vec<serde_json::Value> {
    let json: serde_json::Value = serde_json::from_str(&f.read(file)).expect("json");
    json["results"].as_array().expect("results").clone()
}

fn record<'a>(rs: &'a [serde_json::Value], case: &str, engine: &str) -> &'a serde_json::Value {
    rs.iter()
        .find(|r| r["case"] == case && r["engine"] == engine)
        .unwrap_or_else(|| panic!("no record of {case} on {engine}: {rs:?}"))
}

const PRINT_ARGS: &str = "#include <stdio.h>\n\
    int main(int argc, char **argv) {\n\
    for (int i = 1; i < argc; i++) printf(\"%s\\n\", argv[i]);\n\
    #ifdef OPT\n  puts(\"opt\");\n#else\n  puts(\"plain\");\n#endif\n\
    return 0;\n}\n";

#[test]
fn each_way_is_a_case_with_its_flags_and_ways_narrows_them() {
    let f = suite(
        "run_ways = [\"normal\", \"opt\"]\nspeed = 0\n\
         way_flags = { normal = [], opt = [\"-DOPT\"] }\n\
         way_rts_flags = { normal = [], opt = [\"-x\"] }\n",
    );
    f.file(
        "tests/all.T",
        "test('p', extra_run_opts('last'), compile_and_run, [''])\n",
    );
    f.file("tests/p.c", PRINT_ARGS);
    f.file("tests/p.stdout", "last\nplain\n");
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
    // Slow speed: both ways run; the opt build gets its flags and its RTS
    // flags before extra_run_opts, so its output differs from the golden.
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let rs = results(&f, "r.json");
    for engine in ["wasmtime", "wasmer"] {
        assert_eq!(record(&rs, "p(normal)", engine)["status"], "pass");
        let opt = record(&rs, "p(opt)", engine);
        assert_eq!(opt["status"], "fail", "{opt}");
        let text = opt["stdout"]["text"].as_str().unwrap_or_default();
        assert_eq!(text, "+RTS\n-x\n-RTS\nlast\nopt\n", "{opt}");
    }
    // --failed re-runs only the failing way; a baseline written from this
    // run holds the next one to it, per way.
    let o = f.run(&[
        "--suite",
        "ghc-testsuite",
        "--root",
        "tests",
        "--engine",
        BOTH,
        "--failed",
        "--json",
        "failed.json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let rerun: Vec<(String, String)> = results(&f, "failed.json")
        .iter()
        .map(|r| {
            (
                r["case"].as_str().unwrap_or_default().to_owned(),
                r["status"].to_string(),
            )
        })
        .collect();
    assert!(
        rerun.iter().all(|(c, _)| c == "p(opt)") && rerun.len() == 2,
        "{rerun:?}"
    );
    let o = f.run(&[
        "--suite",
        "ghc-testsuite",
        "--root",
        "tests",
        "--engine",
        BOTH,
        "--write-expectations",
        "base",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        f.read("base/wasmtime.toml").contains("name = \"p(opt)\""),
        "{}",
        f.read("base/wasmtime.toml")
    );
    let o = f.run(&[
        "--suite",
        "ghc-testsuite",
        "--root",
        "tests",
        "--engine",
        BOTH,
        "--expectations",
        "base",
        "--json",
        "held.json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let held = results(&f, "held.json");
    assert_eq!(record(&held, "p(opt)", "wasmer")["status"], "xfail");
    assert_eq!(record(&held, "p(normal)", "wasmer")["status"], "pass");
    // --ways normal: the opt case is skipped, saying why.
    let o = f.run(&[
        "--suite",
        "ghc-testsuite",
        "--root",
        "tests",
        "--engine",
        "wasmtime",
        "--ways",
        "normal",
        "--json",
        "n.json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let rs = results(&f, "n.json");
    let skipped = record(&rs, "p(opt)", "wasmtime");
    assert_eq!(skipped["status"], "skip");
    assert!(
        skipped["expectation"]
            .as_str()
            .unwrap_or_default()
            .contains("not in --ways normal"),
        "{skipped}"
    );
    // --ways of another suite kind is a usage error.
    let wat = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/wat-demo");
    let wat = wat.display().to_string();
    let o = f.run(&["--suite", &wat, "--ways", "normal", "--list"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--ways is for GHC's testsuite"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn expectations_and_the_config_ways_key_apply_per_way() {
    let f = suite(
        "ways = [\"normal\", \"opt\"]\nspeed = 0\n\
         way_flags = { normal = [], opt = [\"-DOPT\"] }\n\
         [expect.wasmer]\n\"p(opt)\" = \"xfail: differs in opt\"\n\
         [expect.wasmtime]\n\"p\" = \"xfail: every way\"\n",
    );
    f.file("tests/all.T", "test('p', normal, compile_and_run, [''])\n");
    f.file("tests/p.c", PRINT_ARGS);
    f.file("tests/p.stdout", "plain\n");
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
    // wasmtime's p(normal) passes against an xfail for every way: xpass.
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let rs = results(&f, "r.json");
    assert_eq!(record(&rs, "p(normal)", "wasmer")["status"], "pass");
    assert_eq!(record(&rs, "p(opt)", "wasmer")["status"], "xfail");
    assert_eq!(record(&rs, "p(normal)", "wasmtime")["status"], "xpass");
    assert_eq!(record(&rs, "p(opt)", "wasmtime")["status"], "xfail");
}

#[test]
fn a_python_normaliser_that_fails_is_named_and_the_record_says_so() {
    let f = suite("");
    f.file(
        "tests/all.T",
        "def strip(s):\n    return s.replace('noise', '')\n\
         test('ok', normalise_fun(strip), compile_and_run, [''])\n\
         test('bad', normalise_fun(lambda s: 1 / 0), compile_and_run, [''])\n",
    );
    let prog = "#include <stdio.h>\nint main(void) { puts(\"value noise\"); return 0; }\n";
    f.file("tests/ok.c", prog);
    f.file("tests/ok.stdout", "value \n");
    f.file("tests/bad.c", prog);
    f.file("tests/bad.stdout", "value noise\n");
    let o = f.run(&[
        "--suite",
        "ghc-testsuite",
        "--root",
        "tests",
        "--engine",
        "wasmtime",
        "--json",
        "r.json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    let warning = stderr(&o);
    assert!(
        warning.contains("tests/all.T:4: test bad: normaliser <lambda> raised")
            && warning.contains("compared without it"),
        "{warning}"
    );
    let rs = results(&f, "r.json");
    let bad = record(&rs, "bad(normal)", "wasmtime");
    assert!(
        bad["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("note: a normaliser could not run"),
        "{bad}"
    );
    assert_eq!(record(&rs, "ok(normal)", "wasmtime")["status"], "pass");
}

#[test]
fn pre_cmd_failures_fail_the_test_unless_it_is_expected_to_fail() {
    let f = suite("");
    f.file(
        "tests/all.T",
        "test('pre_bad', pre_cmd('echo about to fail; exit 3'), compile_and_run, [''])\n\
         test('pre_broken', [pre_cmd('exit 3'), expect_broken(1)], compile_and_run, [''])\n",
    );
    let prog = "#include <stdio.h>\nint main(void) { puts(\"ran\"); return 0; }\n";
    f.file("tests/pre_bad.c", prog);
    f.file("tests/pre_broken.c", prog);
    f.file("tests/pre_broken.stdout", "not what it prints\n");
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
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let rs = results(&f, "r.json");
    for engine in ["wasmtime", "wasmer"] {
        let bad = record(&rs, "pre_bad(normal)", engine);
        assert_eq!(bad["status"], "fail");
        let detail = bad["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains("pre_cmd failed (exited with code 3)")
                && detail.contains("about to fail"),
            "{bad}"
        );
        // Expected to fail: the failed pre_cmd is ignored, the test runs
        // and fails as expected.
        assert_eq!(record(&rs, "pre_broken(normal)", engine)["status"], "xfail");
    }
}

/// Processes whose command line mentions `text`.
fn processes_mentioning(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if cmdline.contains(text) {
            found.push(format!(
                "{}: {cmdline}",
                entry.file_name().to_string_lossy()
            ));
        }
    }
    found
}

#[test]
fn a_shell_test_that_overruns_is_killed_whole_and_leaves_nothing_behind() {
    let f = suite("");
    // A sleep long enough to be told apart from any other process.
    let stamp = format!("9{}", std::process::id());
    f.file(
        "tests/all.T",
        "test('hangs', normal, makefile_test, [])\n\
         test('lingers', normal, makefile_test, [])\n",
    );
    f.file(
        "tests/Makefile",
        format!(
            "hangs:\n\tsleep {stamp}\n\n\
             lingers:\n\t(sleep {stamp}1; true) > /dev/null 2>&1 &\n\techo started\n"
        ),
    );
    f.file("tests/lingers.stdout", "started\n");
    let o = f.run(&[
        "--suite",
        "ghc-testsuite",
        "--root",
        "tests",
        "--engine",
        "wasmtime",
        "--json",
        "r.json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let rs = results(&f, "r.json");
    // A test ends when every process it started has ended: one left
    // running keeps it going until its deadline, and then all are killed.
    for case in ["hangs(normal)", "lingers(normal)"] {
        let r = record(&rs, case, "wasmtime");
        assert_eq!(r["status"], "fail", "{r}");
        assert_eq!(r["reason"], "timeout", "{r}");
    }
    let left = processes_mentioning(&format!("sleep {stamp}"));
    assert!(
        left.is_empty(),
        "processes of the tests outlived them: {left:?}"
    );
}

#[test]
fn make_sees_the_configured_toolchain_and_runs_wasm_programs_as_prog() {
    let f = suite("compiler_always_flags = [\"-DFROM_OPTS\"]\n");
    f.file(
        "tests/all.T",
        "test('mk', normal, makefile_test, [])\n\
         test('cmd', exit_code(4), run_command, ['{compiler} cmd.c -o cmd && ./cmd; exit 4'])\n",
    );
    // TOP is GHC's testsuite folder (the root's parent), whatever the
    // Makefile says, as the driver rewrites it.
    f.file(
        "tests/Makefile",
        format!(
            "TOP=../wherever\n\
             mk:\n\t'$(TEST_HC)' $(TEST_HC_OPTS) mk.c -o mk\n\t./mk\n\t\
             test '$(TOP)' = '{}' && echo top\n",
            f.path().display()
        ),
    );
    f.file(
        "tests/mk.c",
        "#include <stdio.h>\nint main(void) {\n#ifdef FROM_OPTS\n puts(\"opts\");\n#endif\n return 0;\n}\n",
    );
    f.file("tests/mk.stdout", "opts\ntop\n");
    f.file(
        "tests/cmd.c",
        "#include <stdio.h>\nint main(void) { fputs(\"to stderr\\n\", stderr); return 0; }\n",
    );
    f.file("tests/cmd.stderr", "to stderr\n");
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
    let rs = results(&f, "r.json");
    for engine in ["wasmtime", "wasmer"] {
        assert_eq!(record(&rs, "mk(normal)", engine)["status"], "pass");
        assert_eq!(record(&rs, "cmd(normal)", engine)["status"], "pass");
    }
}
