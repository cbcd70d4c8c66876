//! Tests of the GHC layer: driver options, config, test functions and
//! goldens, on small `.T` texts (the evaluator has its own tests in `py`).

use std::path::PathBuf;

use super::cases::{self, Defaults};
use super::config::{Config, ConfigValue};
use super::discover::{FileTests, evaluate_source};
use super::host::{Arg, Declared};
use super::normalise::Norm;
use super::setup::Expect;
use crate::{Expectation, Mode};

fn eval(src: &str) -> Vec<Declared> {
    eval_with(src, &Config::default())
}

fn eval_with(src: &str, config: &Config) -> Vec<Declared> {
    let e = evaluate_source(src, config);
    assert!(e.warnings.is_empty(), "{:?}", e.warnings);
    e.tests
}

fn one(src: &str) -> Declared {
    let mut t = eval(src);
    assert_eq!(t.len(), 1, "{t:?}");
    t.remove(0)
}

fn defaults() -> Defaults {
    Defaults {
        config: Config::default(),
        source_ext: "hs".into(),
        timeout: std::time::Duration::from_secs(10),
        max_memory: 1 << 30,
        max_output: 1 << 20,
        shell_env: Default::default(),
        plain_norms: std::sync::Arc::new(super::normalise::for_test(&[], &[], None)),
    }
}

fn file(listing: &[&str]) -> FileTests {
    let mut listing: Vec<String> = listing.iter().map(|s| s.to_string()).collect();
    listing.sort();
    FileTests {
        file: "a/all.T".into(),
        dir: PathBuf::from("/t/a"),
        listing,
        tests: Vec::new(),
    }
}

#[test]
fn conditions_on_the_wasm_target_decide_options() {
    let t = one(
        "test('T1', [when(arch('wasm32') or arch('javascript'), fragile(7)), \
         exit_code(1 if arch('wasm32') else 251), unless(wordsize(32), skip), \
         when(platform('x86_64-unknown-linux'), expect_broken(9))], compile_and_run, [''])",
    );
    assert_eq!(t.opts.fragile, Some((7, vec![])));
    assert_eq!(t.opts.exit_code, 1);
    assert_eq!(t.opts.skip, None);
    assert_eq!(t.opts.expect, Expect::Pass);
}

#[test]
fn wasm_markers_and_lists_under_when() {
    let t = eval(
        "test('a', wasm_broken(10), compile_and_run, [''])\n\
         test('b', when(arch('wasm32'), [skip, ignore_stdout]), compile_and_run, [''])\n\
         test('c', [js_skip, js_broken(3), run_timeout_multiplier(2.5), high_memory_usage], compile_and_run, [''])\n\
         test('d', wasm_skip, compile_and_run, [''])\n",
    );
    assert_eq!(t[0].opts.expect, Expect::Broken(10));
    assert_eq!(t[1].opts.skip.as_deref(), Some("marked skip"));
    assert!(t[1].opts.ignore_stdout);
    assert_eq!(t[2].opts.skip, None);
    assert_eq!(t[2].opts.expect, Expect::Pass);
    assert_eq!(t[2].opts.run_timeout_multiplier, 2.5);
    assert!(t[2].opts.high_memory);
    assert!(t[3].opts.skip.is_some());
}

#[test]
fn requirements_skip_unless_the_config_has_the_feature() {
    let src = "test('th', req_th, compile, [''])\ntest('p', req_profiling, compile, [''])";
    let t = eval(src);
    assert_eq!(
        t[0].opts.skip.as_deref(),
        Some("req_th: config.have_interp is false")
    );
    let mut config = Config::default();
    config.set("have_interp", ConfigValue::Bool(true));
    let t = eval_with(src, &config);
    assert_eq!(t[0].opts.skip, None);
    assert!(t[1].opts.skip.is_some());
}

#[test]
fn file_wide_settings_apply_before_each_tests_own() {
    let t = eval(
        "setTestOpts([extra_hc_opts('-O'), only_ways(['normal'])])\n\
         test('x', extra_hc_opts('-g'), compile, [''])\n\
         setTestOpts(expect_fail)\n\
         test('y', normal, compile, [''])\n",
    );
    assert_eq!(t[0].opts.extra_hc_opts, " -O -g");
    assert_eq!(t[0].opts.expect, Expect::Pass);
    assert_eq!(t[1].opts.expect, Expect::Fail);
}

#[test]
fn python_setup_functions_get_an_options_object() {
    let t = one(
        "def mine(name, opts):\n    opts.extra_run_opts += ' --flag'\n    skip(name, opts)\n\
         test('z', [exit_code(2), mine], compile_and_run, [''])",
    );
    assert_eq!(t.opts.exit_code, 2);
    assert_eq!(t.opts.extra_run_opts, " --flag");
    assert_eq!(t.opts.skip.as_deref(), Some("marked skip"));
}

#[test]
fn tests_declared_by_helpers_in_loops_keep_their_function_and_args() {
    let t = eval(
        "def run(n):\n    return test(f'T{n}', normal, multi_compile_and_run, ['Main', [('A.hs', ''), ('B.hs', '-O')], '-v0'])\n\
         for i in range(2):\n    run(i)\n\
         async def later():\n    await run(9)\n",
    );
    assert_eq!(t.len(), 2);
    assert_eq!(t[1].name, "T1");
    assert_eq!(t[1].func, "multi_compile_and_run");
    assert_eq!(
        t[1].args,
        [
            Arg::Text("Main".into()),
            Arg::List(vec!["A.hs".into(), "B.hs".into()]),
            Arg::Text("-v0".into())
        ]
    );
}

#[test]
fn unknown_names_keep_evaluation_going_and_are_counted() {
    let e = evaluate_source(
        "test('u', [some_future_option(3), normal], compile, [''])\n\
         if config.some_new_flag:\n    test('hidden', normal, compile, [''])\n\
         test('v', normal, compile, [''])\n",
        &Config::default(),
    );
    assert!(e.warnings.is_empty(), "{:?}", e.warnings);
    let names: Vec<&str> = e.tests.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["u", "v"]);
    assert!(
        e.unknown.contains_key("some_future_option"),
        "{:?}",
        e.unknown
    );
    assert!(
        e.unknown.contains_key("config.some_new_flag"),
        "{:?}",
        e.unknown
    );
    assert!(
        e.tests[0]
            .opts
            .unknown
            .iter()
            .any(|u| u.contains("some_future_option"))
    );
}

#[test]
fn way_classes_from_the_config_file_are_defined() {
    let t = one("test('w', [omit_ways(prof_ways + ghci_ways)], compile_and_run, [''])");
    assert!(t.opts.omit_ways.iter().any(|w| w == "prof"));
    assert!(t.opts.omit_ways.iter().any(|w| w == "ghci"));
}

#[test]
fn normalisers_the_driver_knows_are_kept_as_data() {
    let t = one(
        "test('n', [normalise_version('base', 'ghc-prim'), normalise_slashes, \
         normalise_errmsg_fun(normalise_errmsg), normalise_fun(lambda s: s)], compile_and_run, [''])",
    );
    assert!(
        t.opts
            .stdout_norms
            .contains(&Norm::Version(vec!["base".into(), "ghc-prim".into()]))
    );
    assert!(t.opts.stdout_norms.contains(&Norm::Slashes));
    assert!(t.opts.stderr_norms.contains(&Norm::Errmsg));
    assert!(
        t.opts
            .stdout_norms
            .contains(&Norm::Python("<lambda>".into()))
    );
}

#[test]
fn test_functions_choose_the_mode() {
    let d = defaults();
    let f = file(&["a.hs", "b.hs", "c.hs"]);
    let modes: Vec<(Mode, Option<Expectation>)> = eval(
        "test('a', normal, compile_and_run, [''])\n\
         test('b', normal, compile_fail, [''])\n\
         test('c', normal, compile, [''])\n\
         test('d', normal, ghci_script, ['d.script'])\n\
         test('e', normal, makefile_test, ['e'])\n",
    )
    .iter()
    .map(|t| {
        let c = cases::case(&f, t, &d);
        (c.expect.mode, c.expectation("wasmtime").cloned())
    })
    .collect();
    assert_eq!(modes[0], (Mode::CompileAndRun, None));
    assert_eq!(modes[1], (Mode::CompileFail, None));
    assert_eq!(modes[2], (Mode::Compile, None));
    assert!(matches!(&modes[3].1, Some(Expectation::Skip(w)) if w.starts_with("ghci_script")));
    assert_eq!(modes[4], (Mode::Shell, None));
}

#[test]
fn goldens_pick_word_size_and_platform_variants_in_the_drivers_order() {
    let d = defaults();
    let t = one("test('T', normal, compile_and_run, [''])");
    let golden = |listing: &[&str]| {
        let c = cases::case(&file(listing), &t, &d);
        (
            c.expect
                .golden_stdout
                .file_name()
                .map(|n| n.to_string_lossy().into_owned()),
            c.expect
                .golden_stderr
                .file_name()
                .map(|n| n.to_string_lossy().into_owned()),
        )
    };
    let (out, err) = golden(&["T.hs", "T.stdout", "T.stdout-ws-32", "T.stderr-ws-64"]);
    assert_eq!(out.as_deref(), Some("T.stdout-ws-32"));
    assert_eq!(err.as_deref(), Some("T.stderr"));
    let (out, _) = golden(&[
        "T.stdout-ws-32",
        "T.stdout-wasm32-unknown-wasi",
        "T.stdout-wasi",
    ]);
    assert_eq!(out.as_deref(), Some("T.stdout-wasm32-unknown-wasi"));
    let (out, _) = golden(&["T.stdout", "T.stdout-wasi"]);
    assert_eq!(out.as_deref(), Some("T.stdout-wasi"));
}

#[test]
fn inputs_are_the_tests_files_and_its_extra_files() {
    let d = defaults();
    let t = one(
        "test('T5', [extra_files(['Lib.hs', 'data/']), extra_hc_opts('-O2')], multimod_compile_and_run, ['Main', '-v0'])",
    );
    let f = file(&[
        "Main.hs",
        "T5.stdout",
        "T5.stdin",
        "T5.o",
        "T50.hs",
        "T5",
        "Other.hs",
    ]);
    let c = cases::case(&f, &t, &d);
    let dests: Vec<&str> = c.inputs().iter().map(|i| i.dest.as_str()).collect();
    assert_eq!(
        dests,
        [
            "T5.stdin",
            "T5.stdout",
            "T50.hs",
            "Lib.hs",
            "data",
            "Main.hs"
        ]
    );
    assert_eq!(c.source.src, PathBuf::from("/t/a/Main.hs"));
    // The driver's order: the options' extra_hc_opts, then the test's own.
    assert_eq!(c.flags(), "-O2 -v0");
    assert_eq!(c.run.stdin, Some(PathBuf::from("/t/a/T5.stdin")));
}

#[test]
fn expectations_follow_ways() {
    let d = defaults();
    let f = file(&[]);
    let t = eval(
        "test('a', expect_broken_for(1, ['normal']), compile_and_run, [''])\n\
         test('b', expect_broken_for(1, ['ghci']), compile_and_run, [''])\n\
         test('c', only_ways(['ghci']), compile_and_run, [''])\n\
         test('d', omit_ways(['normal']), compile, [''])\n",
    );
    let e: Vec<Option<Expectation>> = t
        .iter()
        .map(|t| cases::case(&f, t, &d).expectation("wasmer").cloned())
        .collect();
    assert!(matches!(&e[0], Some(Expectation::XFail(_))));
    assert_eq!(e[1], None);
    assert!(
        matches!(&e[2], Some(Expectation::Skip(w)) if w.contains("only_ways ghci")),
        "{e:?}"
    );
    assert!(matches!(&e[3], Some(Expectation::Skip(w)) if w.contains("omit_ways normal")));
}

#[test]
fn fragile_markers_map_to_fragile_expectations_in_their_ways() {
    let d = defaults();
    let f = file(&[]);
    let t = eval(
        "test('a', fragile(7), compile_and_run, [''])\n\
         test('b', fragile_for(8, ['normal']), compile_and_run, [''])\n\
         test('c', fragile_for(9, ['ghci']), compile_and_run, [''])\n\
         test('d', [fragile(10), expect_broken(11)], compile_and_run, [''])\n",
    );
    let e: Vec<Option<Expectation>> = t
        .iter()
        .map(|t| cases::case(&f, t, &d).expectation("wasmtime").cloned())
        .collect();
    assert_eq!(e[0], Some(Expectation::Fragile("fragile(#7)".into())));
    // fragile_for applies only when the test runs in one of its ways.
    assert_eq!(e[1], Some(Expectation::Fragile("fragile(#8)".into())));
    assert_eq!(e[2], None);
    // An expected failure wins over fragility, as in the driver.
    assert_eq!(e[3], Some(Expectation::XFail("expect_broken(#11)".into())));
}

#[test]
fn a_test_that_depends_on_a_stub_is_warned_about_with_its_line() {
    let e = evaluate_source(
        "test('a', normal, compile, [''])\n\
         if os.path.exists('gen.hs'):\n    test('b', normal, compile, [''])\n\
         home = os.environ.get('HOME', '/')\n",
        &Config::default(),
    );
    let lines: Vec<u32> = e.warnings.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, [2, 4], "{:?}", e.warnings);
    assert!(
        e.warnings[0]
            .1
            .contains("os.path.exists is a stub here (always False)")
    );
    assert!(e.warnings[1].1.contains("os.environ is a stub here"));
    assert_eq!(e.tests.len(), 1);
}
