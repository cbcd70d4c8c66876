//! Jobs grouped by case, so that a case is finished (divergence, blessing)
//! exactly once, when the last of its engines is done. No I/O.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::verdict::JobRecord;

/// Jobs grouped by case, so a case is finished once all its engines are.
pub(super) struct Groups {
    /// Job index → (group, position in group).
    place: Vec<(usize, usize)>,
    /// Group → its job indices.
    members: Vec<Vec<usize>>,
    slots: Vec<Mutex<Vec<Option<JobRecord>>>>,
    remaining: Vec<AtomicUsize>,
}

impl Groups {
    pub(super) fn new(jobs: &[(usize, usize)]) -> Self {
        let mut index: std::collections::HashMap<usize, usize> = Default::default();
        let mut members: Vec<Vec<usize>> = Vec::new();
        let place = jobs
            .iter()
            .enumerate()
            .map(|(i, &(c, _))| {
                let g = *index.entry(c).or_insert_with(|| {
                    members.push(Vec::new());
                    members.len() - 1
                });
                members[g].push(i);
                (g, members[g].len() - 1)
            })
            .collect();
        Groups {
            place,
            slots: members
                .iter()
                .map(|m| Mutex::new((0..m.len()).map(|_| None).collect()))
                .collect(),
            remaining: members.iter().map(|m| AtomicUsize::new(m.len())).collect(),
            members,
        }
    }

    /// Store job `i`'s record; when it was its case's last, take all of
    /// the case's records with their job indices.
    pub(super) fn record(&self, i: usize, record: JobRecord) -> Option<Vec<(usize, JobRecord)>> {
        let (g, pos) = self.place[i];
        let mut slot = self.slots[g].lock().unwrap_or_else(PoisonError::into_inner);
        slot[pos] = Some(record);
        if self.remaining[g].fetch_sub(1, Ordering::AcqRel) != 1 {
            return None;
        }
        let records = slot.drain(..).flatten();
        Some(self.members[g].iter().copied().zip(records).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xharness_reports::{CaseResult, Status};

    fn record(case: &str, engine: &str) -> JobRecord {
        JobRecord::bare(CaseResult::new(case, engine, Status::Pass))
    }

    #[test]
    fn a_case_is_handed_back_once_all_its_engines_finished() {
        // case 0 on engines 0 and 1, case 1 on engine 1 only.
        let jobs = [(0, 0), (0, 1), (1, 1)];
        let groups = Groups::new(&jobs);
        assert!(groups.record(1, record("a", "e1")).is_none());
        let single = groups.record(2, record("b", "e1")).expect("case 1 done");
        assert_eq!(single.len(), 1);
        assert_eq!(single[0].0, 2);
        let both = groups.record(0, record("a", "e0")).expect("case 0 done");
        let order: Vec<(usize, &str)> = both
            .iter()
            .map(|(i, r)| (*i, r.result.engine.as_str()))
            .collect();
        assert_eq!(order, [(0, "e0"), (1, "e1")]);
    }
}
