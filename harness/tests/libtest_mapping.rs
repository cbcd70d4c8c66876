//! The libtest mapping: names, filters, and expectations as ignored trials.

use libtest_mimic::Arguments;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/wat-demo");

fn args(f: impl FnOnce(&mut Arguments)) -> Arguments {
    let mut a = Arguments {
        test_threads: Some(2),
        quiet: true,
        ..Arguments::default()
    };
    f(&mut a);
    a
}

/// The demo suite's shape, read from its files: (case, engine) pairs, and
/// the pairs its suite.toml expects to fail (run only with `--ignored`).
struct Shape {
    trials: u64,
    expected: u64,
    /// The trials whose name contains `basics/sum`.
    sums: u64,
}

fn shape() -> Shape {
    let suite = xharness_suites::load(std::path::Path::new(DEMO)).expect("demo suite loads");
    let registry = xharness::default_registry();
    let engines = registry.names();
    let pairs = (suite.cases.len() * engines.len()) as u64;
    let expected = suite
        .cases
        .iter()
        .map(|c| {
            engines
                .iter()
                .filter(|e| c.expectation(e).is_some())
                .count() as u64
        })
        .sum();
    let sums = (suite
        .cases
        .iter()
        .filter(|c| c.name.contains("basics/sum"))
        .count()
        * engines.len()) as u64;
    assert!(
        expected > 0 && sums > 0,
        "the demo suite lost its xfail or its sum case"
    );
    Shape {
        trials: pairs,
        expected,
        sums,
    }
}

fn run(a: &Arguments) -> libtest_mimic::Conclusion {
    let trials = xharness::libtest::trials(std::path::Path::new(DEMO)).expect("demo suite loads");
    libtest_mimic::run(a, trials)
}

#[test]
fn trial_names_are_suite_case_engine() {
    let trials = xharness::libtest::trials(std::path::Path::new(DEMO)).expect("demo suite loads");
    let names: Vec<&str> = trials.iter().map(|t| t.name()).collect();
    assert!(
        names.contains(&"wat-demo::basics/hello::wasmtime"),
        "{names:?}"
    );
    assert!(
        names.contains(&"wat-demo::basics/hello::wasmer"),
        "{names:?}"
    );
    let ignored: Vec<&str> = trials
        .iter()
        .filter(|t| t.has_ignored_flag())
        .map(|t| t.name())
        .collect();
    assert_eq!(ignored, ["wat-demo::io/write-file::wasmer"]);
}

#[test]
fn default_run_passes_and_ignores_the_expected_failure() {
    let s = shape();
    let c = run(&args(|_| {}));
    assert_eq!(
        (c.num_passed, c.num_failed, c.num_ignored),
        (s.trials - s.expected, 0, s.expected)
    );
}

#[test]
fn filter_and_exact() {
    let s = shape();
    let c = run(&args(|a| a.filter = Some("basics/sum".into())));
    assert_eq!(
        (c.num_passed, c.num_filtered_out),
        (s.sums, s.trials - s.sums)
    );
    let c = run(&args(|a| {
        a.filter = Some("wat-demo::basics/sum::wasmer".into());
        a.exact = true;
    }));
    assert_eq!((c.num_passed, c.num_filtered_out), (1, s.trials - 1));
}

#[test]
fn ignored_runs_the_expected_failure_and_counts_it_as_passing() {
    let s = shape();
    let c = run(&args(|a| a.ignored = true));
    assert_eq!((c.num_passed, c.num_failed), (s.expected, 0));
    let c = run(&args(|a| a.include_ignored = true));
    assert_eq!(
        (c.num_passed, c.num_failed, c.num_ignored),
        (s.trials, 0, 0)
    );
}
