//! The divergence rule, once for the harness and the reports: the engines
//! that ran a case to an end diverge when they disagree on the outcome
//! kind, exit code, stdout or stderr ([`fingerprint`]).
//!
//! A divergent case says which engines agree with which
//! ([`Divergence::agree`], largest group first). With three or more
//! engines, when all but one agree, the one left is the odd one out
//! ([`Divergence::odd_one_out`]): with engines that share no code
//! generator, most likely the engine with the bug. With two engines there
//! is no majority and no odd one out.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{CaseResult, OutcomeKind, OutputRecord};

/// How the engines of a divergent case split.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Divergence {
    /// Engines that agree with each other, a group each: largest group
    /// first, then by name; names sorted within a group.
    pub agree: Vec<Vec<String>>,
    /// The one engine that disagrees with all the others, when three or
    /// more engines ran the case and all but one agree.
    pub odd_one_out: Option<String>,
}

impl Divergence {
    /// `wasmer differs from wasmtime, wasmi`, or the groups apart:
    /// `wasmtime, wasmi | wasmer | ...`.
    pub fn describe(&self) -> String {
        match &self.odd_one_out {
            Some(odd) => {
                let rest: Vec<&str> = self
                    .agree
                    .iter()
                    .flatten()
                    .map(String::as_str)
                    .filter(|e| e != odd)
                    .collect();
                format!("{odd} differs from {}", rest.join(", "))
            }
            None => {
                let groups: Vec<String> = self.agree.iter().map(|g| g.join(", ")).collect();
                format!("the engines disagree: {}", groups.join(" | "))
            }
        }
    }
}

/// What engines must agree on: outcome kind, exit code, both output digests. `None`
/// for a result that never ran to an end (skip, compile error, not run).
pub fn fingerprint(r: &CaseResult) -> Option<(OutcomeKind, Option<i32>, &str, &str)> {
    let outcome = r.outcome.as_ref()?;
    Some((
        outcome.kind,
        outcome.exit_code,
        digest(r.stdout.as_ref()),
        digest(r.stderr.as_ref()),
    ))
}

/// A stream's digest; a missing stream is empty, with no digest.
fn digest(o: Option<&OutputRecord>) -> &str {
    o.map_or("", |o| o.digest.as_str())
}

/// How the results of one case split, or `None` when those that ran agree.
pub fn divergence<'a>(results: impl IntoIterator<Item = &'a CaseResult>) -> Option<Divergence> {
    let mut groups: Vec<(_, Vec<String>)> = Vec::new();
    for r in results {
        let Some(print) = fingerprint(r) else {
            continue;
        };
        match groups.iter_mut().find(|(p, _)| *p == print) {
            Some((_, engines)) => engines.push(r.engine.clone()),
            None => groups.push((print, vec![r.engine.clone()])),
        }
    }
    if groups.len() < 2 {
        return None;
    }
    let mut agree: Vec<Vec<String>> = groups
        .into_iter()
        .map(|(_, mut engines)| {
            engines.sort();
            engines
        })
        .collect();
    agree.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    let ran: usize = agree.iter().map(Vec::len).sum();
    let odd_one_out =
        (ran >= 3 && agree.len() == 2 && agree[1].len() == 1).then(|| agree[1][0].clone());
    Some(Divergence { agree, odd_one_out })
}

/// Mark one case's results: each that ran gets the case's divergence (or
/// none), the others none.
pub fn mark_case(results: &mut [&mut CaseResult]) {
    let split = divergence(results.iter().map(|r| &**r));
    for r in results.iter_mut() {
        let ran = r.outcome.is_some();
        r.divergent = ran && split.is_some();
        r.divergence = if ran { split.clone() } else { None };
    }
}

/// Mark, in place, the results of every case (in any order) by [`mark_case`]. A case
/// is a (suite, case) pair: same-named cases of two suites are never compared.
pub fn mark_divergence(results: &mut [CaseResult]) {
    let mut by_case: BTreeMap<(String, String), Vec<&mut CaseResult>> = BTreeMap::new();
    for r in results.iter_mut() {
        by_case
            .entry((r.suite.clone(), r.case.clone()))
            .or_default()
            .push(r);
    }
    for mut case in by_case.into_values() {
        mark_case(&mut case);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{OutcomeRecord, Status};

    fn ran(engine: &str, code: i32) -> CaseResult {
        let mut r = CaseResult::new("c", engine, Status::Pass);
        r.outcome = Some(OutcomeRecord {
            kind: OutcomeKind::Exited,
            exit_code: Some(code),
            message: None,
        });
        r
    }

    #[test]
    fn three_engines_name_the_odd_one_out() {
        let mut rs = vec![ran("wasmtime", 0), ran("wasmer", 1), ran("wasmi", 0)];
        mark_divergence(&mut rs);
        let d = rs[0].divergence.clone().expect("diverges");
        assert_eq!(
            d.agree,
            [
                vec!["wasmi".to_string(), "wasmtime".into()],
                vec!["wasmer".into()]
            ]
        );
        assert_eq!(d.odd_one_out.as_deref(), Some("wasmer"));
        assert_eq!(d.describe(), "wasmer differs from wasmi, wasmtime");
        assert!(rs.iter().all(|r| r.divergent));
    }

    #[test]
    fn two_engines_or_a_three_way_split_have_no_odd_one_out() {
        let two = divergence(&[ran("wasmtime", 0), ran("wasmer", 1)]).expect("diverges");
        assert_eq!(two.odd_one_out, None);
        assert_eq!(two.describe(), "the engines disagree: wasmer | wasmtime");
        let three = divergence(&[ran("a", 0), ran("b", 1), ran("c", 2)]).expect("diverges");
        assert_eq!(three.odd_one_out, None);
        assert_eq!(three.agree.len(), 3);
    }

    #[test]
    fn results_that_did_not_run_neither_count_nor_get_marked() {
        let mut skipped = CaseResult::new("c", "wasmi", Status::Skip);
        skipped.divergent = true;
        let mut rs = vec![ran("wasmtime", 0), ran("wasmer", 1), skipped];
        mark_divergence(&mut rs);
        assert_eq!(
            rs[0]
                .divergence
                .as_ref()
                .and_then(|d| d.odd_one_out.clone()),
            None
        );
        assert!(!rs[2].divergent && rs[2].divergence.is_none());
        let mut agree = vec![ran("wasmtime", 0), ran("wasmer", 0), ran("wasmi", 0)];
        mark_divergence(&mut agree);
        assert!(agree.iter().all(|r| !r.divergent && r.divergence.is_none()));
    }
}
