//! What a record that did not pass carries beyond its verdict: its failure
//! signature, its repro lines, the baseline entry that applies, and its raw
//! outputs kept for `xharness repro`. Runs nothing.

use std::sync::PoisonError;

use xharness_reports::{CaseResult, Status};

use super::Session;
use crate::verdict::JobRecord;

impl Session {
    /// Give each record of case `c` that did not pass its signature and
    /// its repro lines.
    pub(super) fn annotate(&self, c: usize, records: &mut [JobRecord]) {
        use xharness_reports::groups;
        let case = &self.suite.cases[c];
        let signatures: Vec<Option<String>> = (0..records.len())
            .map(|i| {
                let r = &records[i].result;
                let peers: Vec<&CaseResult> = records
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, p)| &p.result)
                    .collect();
                groups::needs_signature(r).then(|| groups::signature(r, &peers))
            })
            .collect();
        let module = self.artifacts[c]
            .get()
            .and_then(|a| a.as_ref().ok())
            .map(|a| a.path.as_path());
        for (record, signature) in records.iter_mut().zip(signatures) {
            if signature.is_some() {
                let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
                kept.insert(
                    (case.name.clone(), record.result.engine.clone()),
                    (record.raw_stdout.clone(), record.raw_stderr.clone()),
                );
            }
            let r = &mut record.result;
            if let (Some(origin), true) = (&self.opts.origin, signature.is_some()) {
                r.repro = Some(crate::repro::repro(origin, case, &r.engine, module));
            }
            r.signature = signature;
            if let Some(at) = self
                .opts
                .baselines
                .get(&(case.name.clone(), r.engine.clone()))
            {
                r.baseline = Some(at.clone());
                if r.status == Status::XPass {
                    r.detail = format!(
                        "passed, but the baseline expects it to fail on {}: delete its entry at {at}",
                        r.engine
                    );
                }
            }
        }
    }
}
