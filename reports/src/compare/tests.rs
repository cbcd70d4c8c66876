//! Tests of `report compare`'s logic.
use super::*;
use crate::Reason;

fn record(case: &str, engine: &str, status: Status, instructions: Option<u64>) -> CaseResult {
    let mut r = CaseResult::new(case, engine, status);
    r.instructions = instructions;
    r.stdout = Some(digest("a"));
    r.stderr = Some(digest("0"));
    if status.is_failure() {
        r.reason = Some(Reason::OutputMismatch);
    }
    r
}

fn digest(d: &str) -> OutputRecord {
    OutputRecord {
        digest: d.repeat(64),
        bytes: 1,
        truncated: false,
        dropped: None,
        text: None,
    }
}

fn run(results: Vec<CaseResult>) -> SavedRun {
    SavedRun {
        suite: "s".into(),
        engines: vec!["wasmtime".into(), "wasmer".into()],
        results,
        ..SavedRun::default()
    }
}

fn baseline() -> Vec<CaseResult> {
    vec![
        record("loop", "wasmtime", Status::Pass, Some(1000)),
        record("loop", "wasmer", Status::Pass, Some(1500)),
        record("small", "wasmtime", Status::Pass, Some(100)),
        record("broken", "wasmtime", Status::Fail, Some(50)),
    ]
}

#[test]
fn identical_runs_have_no_change_and_are_not_worse() {
    let c = Comparison::new(&run(baseline()), &run(baseline()), 5.0);
    assert!(!c.is_worse());
    assert_eq!(
        (c.costs.len(), c.verdicts.len(), c.outputs.len()),
        (0, 0, 0)
    );
    assert_eq!((c.paired, c.counted), (4, 4));
    assert_eq!(
        c.render(),
        "instructions: no count changed by more than 5% (4 records counted in both)\n\
         verdicts: none changed\n\
         outputs: none changed\n\
         0 costlier, 0 cheaper, 0 newly failing, 0 newly passing, 0 with changed output (4 records compared)\n"
    );
}

#[test]
fn a_count_past_the_threshold_is_listed_per_engine() {
    let mut after = baseline();
    after[0].instructions = Some(1250); // +25%
    after[1].instructions = Some(1530); // +2%: under 5%
    after[2].instructions = Some(90); // -10%
    let c = Comparison::new(&run(baseline()), &run(after), 5.0);
    let listed: Vec<(String, u64, u64)> = c
        .costs
        .iter()
        .map(|x| (x.key.to_string(), x.before, x.after))
        .collect();
    assert_eq!(
        listed,
        [
            ("loop::wasmtime".to_string(), 1000, 1250),
            ("small::wasmtime".to_string(), 100, 90)
        ]
    );
    assert_eq!(c.costlier(), 1);
    assert!(c.is_worse());
    let text = c.render();
    assert!(
        text.contains("    +25.0%  loop::wasmtime  1,000 -> 1,250\n"),
        "{text}"
    );
    assert!(
        text.contains("    -10.0%  small::wasmtime  100 -> 90\n"),
        "{text}"
    );
    assert!(text.ends_with("1 costlier, 1 cheaper, 0 newly failing, 0 newly passing, 0 with changed output (4 records compared)\n"), "{text}");
}

#[test]
fn the_threshold_is_respected_and_only_growth_is_worse() {
    let mut after = baseline();
    after[0].instructions = Some(1100); // +10%
    let c = Comparison::new(&run(baseline()), &run(after.clone()), 10.0);
    assert!(
        c.costs.is_empty() && !c.is_worse(),
        "exactly at the threshold"
    );
    assert!(Comparison::new(&run(baseline()), &run(after), 9.9).is_worse());
    let mut cheaper = baseline();
    cheaper[0].instructions = Some(500);
    let c = Comparison::new(&run(baseline()), &run(cheaper), 5.0);
    assert_eq!(c.costs.len(), 1);
    assert!(!c.is_worse(), "a cheaper case is not worse");
}

#[test]
fn verdict_changes_are_classified_and_newly_failing_is_worse() {
    let mut after = baseline();
    after[2] = record("small", "wasmtime", Status::Fail, Some(100));
    after[3] = record("broken", "wasmtime", Status::Pass, Some(50));
    after[1] = record("loop", "wasmer", Status::Skip, None);
    after.push(record("fresh", "wasmtime", Status::Error, None));
    after.push(record("fresh", "wasmer", Status::Pass, None));
    let c = Comparison::new(&run(baseline()), &run(after), 5.0);
    let kinds: Vec<(VerdictKind, String)> = c
        .verdicts
        .iter()
        .map(|v| (v.kind(), v.key.to_string()))
        .collect();
    assert_eq!(
        kinds,
        [
            (VerdictKind::NewlyFailing, "fresh::wasmtime".into()),
            (VerdictKind::NewlyFailing, "small::wasmtime".into()),
            (VerdictKind::NewlyPassing, "broken::wasmtime".into()),
            (VerdictKind::Changed, "loop::wasmer".into()),
        ]
    );
    assert!(c.is_worse());
    assert_eq!((c.only_after, c.only_before), (2, 0));
    let text = c.render();
    assert!(
        text.contains("  newly failing  small::wasmtime  PASS -> FAIL (output-mismatch)\n"),
        "{text}"
    );
    assert!(
        text.contains("  newly failing  fresh::wasmtime  (new case) -> ERROR"),
        "{text}"
    );
    assert!(
        text.contains("  newly passing  broken::wasmtime  FAIL -> PASS\n"),
        "{text}"
    );
    assert!(
        text.contains("(4 records compared, 2 only after)"),
        "{text}"
    );
}

#[test]
fn a_changed_output_digest_is_listed_with_its_streams() {
    let mut after = baseline();
    after[0].stdout = Some(digest("b"));
    after[1].stderr = Some(digest("c"));
    after[1].stdout = Some(digest("d"));
    let c = Comparison::new(&run(baseline()), &run(after), 5.0);
    let listed: Vec<(String, Vec<&str>)> = c
        .outputs
        .iter()
        .map(|o| (o.key.to_string(), o.streams.clone()))
        .collect();
    assert_eq!(
        listed,
        [
            ("loop::wasmer".to_string(), vec!["stdout", "stderr"]),
            ("loop::wasmtime".to_string(), vec!["stdout"]),
        ]
    );
    assert!(!c.is_worse(), "a changed output alone is not worse");
}

#[test]
fn runs_without_counts_say_how_to_get_them() {
    let plain: Vec<CaseResult> = baseline()
        .into_iter()
        .map(|mut r| {
            r.instructions = None;
            r
        })
        .collect();
    let c = Comparison::new(&run(plain), &run(baseline()), 5.0);
    assert_eq!(c.counted, 0);
    assert!(c.render().starts_with(
        "instructions: no record has a count in both runs (run both with --count-instructions)\n"
    ));
}

#[test]
fn from_a_count_of_zero_any_count_is_past_the_threshold() {
    let mut before = baseline();
    before[0].instructions = Some(0);
    let c = Comparison::new(&run(before), &run(baseline()), 5.0);
    assert_eq!(c.costs.len(), 1);
    assert!(
        c.render()
            .contains("  from 0  loop::wasmtime  0 -> 1,000\n")
    );
}

#[test]
fn thresholds_parse_with_or_without_a_percent_sign() {
    assert_eq!(parse_threshold("5%"), Ok(5.0));
    assert_eq!(parse_threshold("0.5"), Ok(0.5));
    assert_eq!(parse_threshold(" 12 % "), Ok(12.0));
    for bad in ["", "%", "-1%", "five", "NaN", "inf"] {
        let err = parse_threshold(bad).unwrap_err();
        assert!(err.contains("is not a threshold"), "{bad}: {err}");
    }
}
