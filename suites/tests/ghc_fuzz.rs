//! Fuzzing the GHC layer as discovery uses it: the real host (driver
//! names, options, `config`), the evaluator, and turning what a `.T` text
//! declares into cases. Mutated `.T`-like text and random option soup must
//! never panic or hang.
//!
//! `PROPTEST_CASES=20000 cargo test -p xharness-suites --test ghc_fuzz` runs it longer.

use proptest::prelude::*;
use xharness_suites::ghc::{Config, Defaults, FileTests, cases, evaluate_source};

const SNIPPETS: [&str; 25] = [
    "test('T17', run_timeout_multiplier(float('nan')), compile_and_run, [''])\n",
    "test('T1', normal, compile_and_run, [''])\n",
    "test('T2', [when(arch('wasm32'), skip), exit_code(1)], compile, ['-O'])\n",
    "setTestOpts(extra_hc_opts('-x'))\n",
    "def f(n):\n    return test('T' + str(n), expect_broken(n), compile_fail, [''])\n",
    "for i in range(3):\n    f(i)\n",
    "test('T3', [extra_files(['a', 'b/']), normalise_version('base')], multimod_compile_and_run, ['Main', ''])\n",
    "test('T4', [omit_ways(prof_ways), only_ways(['normal']), fragile(4)], multi_compile, ['M', [('A.hs', '')], ''])\n",
    "test('T5', unless(config.have_interp, [skip, req_th]), ghci_script, ['T5.script'])\n",
    "def s(name, opts):\n    opts.skip = True\n    opts.exit_code = 'x'\n",
    "test('T6', s, compile, [''])\n",
    "test(name='T7', setup=normal, func=compile, args=[''])\n",
    "test('T8', use_specs({'stdout': 'x.out'}), compile_and_run, [''])\n",
    "test('T9', normalise_fun(lambda s: s.replace('a', 'b')), compile_and_run, [''])\n",
    "test(1, 2, 3, 4)\n",
    "test('T10')\n",
    "config.have_interp = True\n",
    "when(expect_broken, skip)(1, 2)\n",
    "test('T11', compose(normal, expect_fail), warn_and_run, [''])\n",
    "test('T12', run_timeout_multiplier(1e308), compile_and_run, [''])\n",
    "test('T13', exit_code(2**62), compile_and_run, [''])\n",
    "test('T14', extra_run_opts('\"unterminated'), compile_and_run, [''])\n",
    "test('', normal, compile, [''])\n",
    "test('T15', [[[[normal]]]], makefile_test, [])\n",
    "\tif x:\n  test('T16', normal, compile, [''])\n",
];

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            prop::sample::select(SNIPPETS.to_vec()).prop_map(str::to_owned),
            "[ -~\t\n]{0,40}",
        ],
        0..12,
    )
    .prop_map(|parts| parts.concat())
}

/// Evaluate `src` and build a case of every test it declares.
fn check(src: &str) {
    let config = Config::default();
    let evaluated = evaluate_source(src, &config);
    let defaults = Defaults {
        config,
        source_ext: "hs".into(),
        timeout: std::time::Duration::from_secs(1),
        max_memory: 1 << 20,
        max_output: 1 << 10,
        shell_env: Default::default(),
        plain_norms: std::sync::Arc::new(xharness_suites::ghc::plain_norms()),
    };
    let file = FileTests {
        file: "f/all.T".into(),
        dir: "/nonexistent/f".into(),
        listing: vec!["T1.stdout".into(), "T1.stdout-ws-32".into()],
        tests: Vec::new(),
    };
    for t in &evaluated.tests {
        for c in cases(&file, t, &defaults) {
            // `NAME(WAY)`, or `NAME` for a test with no way to run in.
            assert!(
                c.name == t.name || c.name.starts_with(&format!("{}(", t.name)),
                "{} for {}",
                c.name,
                t.name
            );
            assert_eq!(c.info_value("test"), Some(t.name.as_str()));
            assert!(c.run.timeout <= std::time::Duration::from_secs(1000));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn snippet_soup_never_panics(src in soup()) {
        check(&src);
    }

    #[test]
    fn mutated_snippets_never_panic(
        src in soup(),
        cuts in prop::collection::vec((any::<prop::sample::Index>(), "[ -~\n]{0,3}"), 0..6),
    ) {
        let mut text = src.into_bytes();
        for (at, insert) in cuts {
            if text.is_empty() {
                break;
            }
            let i = at.index(text.len());
            text.splice(i..i, insert.bytes());
        }
        check(&String::from_utf8_lossy(&text));
    }
}

#[test]
fn the_snippets_declare_what_they_say() {
    let all = SNIPPETS.concat();
    let e = evaluate_source(&all, &Config::default());
    let names: Vec<&str> = e.tests.iter().map(|t| t.name.as_str()).collect();
    for n in [
        "T1", "T2", "T0", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "T11", "T12",
    ] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
    // Bad calls and bad indentation are warnings, not lost files.
    assert!(!e.warnings.is_empty());
}
