//! Finishing a case once every engine has run it: does any engine
//! disagree, and (under `--bless`) may its goldens be rewritten?
//!
//! A golden is written only when every engine that ran the case to a
//! comparable end produced the same normalised output; engines with an
//! `xfail` expectation for the case are not asked. When they disagree,
//! nothing is written and each mismatching result fails with
//! `engines-disagree`, keeping every engine's output for the reporters.

use xharness_reports::{CaseResult, Reason, Status};
use xharness_suites::{Case, Expectation};

use crate::verdict::{JobRecord, Norms};

/// Mark divergence and bless, in place.
pub fn finish_case(case: &Case, records: &mut [JobRecord], bless: bool, norms: &Norms) {
    mark_divergence(records);
    if bless {
        bless_case(case, records, norms);
    }
}

/// The reports' rule ([`xharness_reports::divergence`]), on this case's
/// records: do the engines that ran it disagree, and is one the odd one out?
fn mark_divergence(records: &mut [JobRecord]) {
    let mut results: Vec<&mut CaseResult> = records.iter_mut().map(|r| &mut r.result).collect();
    xharness_reports::divergence::mark_case(&mut results);
}

fn bless_case(case: &Case, records: &mut [JobRecord], norms: &Norms) {
    let candidates: Vec<usize> = (0..records.len())
        .filter(|&i| {
            let r = &records[i].result;
            r.outcome.is_some()
                && !matches!(case.expectation(&r.engine), Some(Expectation::XFail(_)))
        })
        .collect();
    let Some(&first) = candidates.first() else {
        return;
    };
    if candidates
        .iter()
        .all(|&i| records[i].result.mismatches.is_empty())
    {
        return;
    }
    let blocker = candidates.iter().find(|&&i| {
        let r = &records[i].result;
        r.status.is_failure() && r.reason != Some(Reason::OutputMismatch)
    });
    if let Some(&b) = blocker {
        let why = format!(
            "not blessed: {} did not run to a comparable end ({})",
            records[b].result.engine,
            records[b].result.reason.map_or("failed", |r| r.as_str())
        );
        note_unblessed(records, &candidates, &why);
        return;
    }
    let disagree = disagreement(records, &candidates);
    if !disagree.is_empty() {
        for &i in &candidates {
            let r = &mut records[i].result;
            if !r.mismatches.is_empty() {
                r.reason = Some(Reason::EnginesDisagree);
            }
            r.detail = format!(
                "not blessed: the engines disagree on {}; each engine's output is shown against the golden\n{}",
                disagree.join(" and "),
                r.detail
            );
        }
        return;
    }
    write_goldens(case, records, &candidates, first, norms);
}

/// The streams on which the candidates' normalised outputs differ.
fn disagreement(records: &[JobRecord], candidates: &[usize]) -> Vec<&'static str> {
    let mut streams = Vec::new();
    for (name, get) in [
        (
            "stdout",
            (|r: &CaseResult| r.stdout.as_ref().map(|o| o.digest.clone()))
                as fn(&CaseResult) -> Option<String>,
        ),
        ("stderr", |r: &CaseResult| {
            r.stderr.as_ref().map(|o| o.digest.clone())
        }),
    ] {
        let first = get(&records[candidates[0]].result);
        if candidates.iter().any(|&i| get(&records[i].result) != first) {
            streams.push(name);
        }
    }
    streams
}

fn write_goldens(
    case: &Case,
    records: &mut [JobRecord],
    candidates: &[usize],
    first: usize,
    norms: &Norms,
) {
    let mut notes = Vec::new();
    let mut ok = true;
    for m in records[first].result.mismatches.clone() {
        let (path, raw) = match m.stream.as_str() {
            "stdout" => (&case.expect.golden_stdout, &records[first].raw_stdout),
            _ => (&case.expect.golden_stderr, &records[first].raw_stderr),
        };
        if m.truncated {
            ok = false;
            notes.push(format!(
                "not blessed: {} was truncated at the output cap (raise max_output)",
                m.stream
            ));
            continue;
        }
        match xharness_golden::bless(path, raw) {
            Ok(()) => notes.push(format!("blessed {}", path.display())),
            Err(e) => {
                ok = false;
                notes.push(format!("not blessed: {e}"));
            }
        }
    }
    for &i in candidates {
        let rec = &mut records[i];
        let mismatches =
            crate::verdict::mismatches(case, &rec.raw_stdout, &rec.raw_stderr, &rec.result, norms);
        let r = &mut rec.result;
        r.mismatches = mismatches;
        if ok && r.mismatches.is_empty() && r.reason == Some(Reason::OutputMismatch) {
            r.status = Status::Pass;
            r.reason = None;
        }
        r.detail = notes.join("\n");
    }
}

fn note_unblessed(records: &mut [JobRecord], candidates: &[usize], why: &str) {
    for &i in candidates {
        let r = &mut records[i].result;
        if !r.mismatches.is_empty() {
            r.detail = format!("{why}\n{}", r.detail);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xharness_reports::{OutcomeKind, OutcomeRecord, OutputRecord};

    fn ran(engine: &str, exit: i32, stdout_digest: &str) -> JobRecord {
        let mut r = CaseResult::new("c", engine, Status::Pass);
        r.outcome = Some(OutcomeRecord {
            kind: OutcomeKind::Exited,
            exit_code: Some(exit),
            message: None,
        });
        r.stdout = Some(OutputRecord {
            digest: stdout_digest.into(),
            bytes: 1,
            truncated: false,
            dropped: None,
            text: Some("x".into()),
        });
        JobRecord::bare(r)
    }

    #[test]
    fn engines_that_differ_in_output_or_exit_code_diverge() {
        let mut same = vec![ran("a", 0, "d1"), ran("b", 0, "d1")];
        mark_divergence(&mut same);
        assert!(same.iter().all(|r| !r.result.divergent));
        let mut output = vec![ran("a", 0, "d1"), ran("b", 0, "d2")];
        mark_divergence(&mut output);
        assert!(output.iter().all(|r| r.result.divergent));
        let mut exit = vec![ran("a", 0, "d1"), ran("b", 1, "d1")];
        mark_divergence(&mut exit);
        assert!(exit.iter().all(|r| r.result.divergent));
    }

    #[test]
    fn a_skipped_engine_does_not_make_a_case_divergent() {
        let mut records = vec![
            ran("a", 0, "d1"),
            JobRecord::bare(CaseResult::new("c", "b", Status::Skip)),
        ];
        mark_divergence(&mut records);
        assert!(records.iter().all(|r| !r.result.divergent));
    }

    #[test]
    fn disagreement_names_the_streams() {
        let records = vec![ran("a", 0, "d1"), ran("b", 0, "d2")];
        assert_eq!(disagreement(&records, &[0, 1]), ["stdout"]);
        assert!(disagreement(&records, &[0]).is_empty());
    }

    #[test]
    fn a_trap_against_an_exit_diverges_and_one_engine_never_does() {
        let mut trapped = ran("b", 0, "d1");
        if let Some(o) = trapped.result.outcome.as_mut() {
            o.kind = OutcomeKind::Trapped;
            o.exit_code = None;
        }
        let mut records = vec![ran("a", 0, "d1"), trapped];
        mark_divergence(&mut records);
        assert!(records.iter().all(|r| r.result.divergent));
        let mut alone = vec![ran("a", 3, "d9")];
        mark_divergence(&mut alone);
        assert!(!alone[0].result.divergent);
    }
}
