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
    let c = run(&args(|_| {}));
    assert_eq!((c.num_passed, c.num_failed, c.num_ignored), (13, 0, 1));
}

#[test]
fn filter_and_exact() {
    let c = run(&args(|a| a.filter = Some("basics/sum".into())));
    assert_eq!((c.num_passed, c.num_filtered_out), (2, 12));
    let c = run(&args(|a| {
        a.filter = Some("wat-demo::basics/sum::wasmer".into());
        a.exact = true;
    }));
    assert_eq!((c.num_passed, c.num_filtered_out), (1, 13));
}

#[test]
fn ignored_runs_the_expected_failure_and_counts_it_as_passing() {
    let c = run(&args(|a| a.ignored = true));
    assert_eq!((c.num_passed, c.num_failed), (1, 0));
    let c = run(&args(|a| a.include_ignored = true));
    assert_eq!((c.num_passed, c.num_failed, c.num_ignored), (14, 0, 0));
}
