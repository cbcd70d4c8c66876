//! Two saved runs compared record by record: `xharness report compare BEFORE.json
//! AFTER.json [--threshold 5%]`.
//!
//! Records are paired by (suite, case, engine) and three kinds of change are listed:
//! - **instructions** (`--count-instructions`): a count that grew or shrank by more than
//!   the threshold, in percent of the count before ([`CostChange`]); a count is only
//!   ever compared with the same engine's, as engines count differently;
//! - **verdicts**: a record that newly fails (failed, errored, passed unexpectedly or
//!   did not run, where it did not before; a new case that fails counts too), newly
//!   passes, or otherwise changed status ([`VerdictChange`]);
//! - **outputs**: a record whose normalised stdout or stderr digest differs
//!   ([`OutputChange`]).
//!
//! The comparison got *worse* ([`Comparison::is_worse`]) when a count grew past the
//! threshold or a record newly fails; the command exits 1 then. Nothing here reads a
//! file or prints: the command does, with [`Comparison::render`].

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

use crate::costs::grouped;
use crate::{CaseResult, OutputRecord, SavedRun, Status};

/// The threshold `report compare` uses when none is given, in percent.
pub const DEFAULT_THRESHOLD: f64 = 5.0;

/// Which record: its suite (empty in a run of one suite), case and engine.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key {
    /// The suite the record names, if it names one.
    pub suite: String,
    /// The case.
    pub case: String,
    /// The engine.
    pub engine: String,
}

impl Key {
    fn of(r: &CaseResult) -> Self {
        Key {
            suite: r.suite.clone(),
            case: r.case.clone(),
            engine: r.engine.clone(),
        }
    }
}

impl fmt::Display for Key {
    /// `case::engine`, or `suite::case::engine` when the record names its suite.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.suite.is_empty() {
            write!(f, "{}::", self.suite)?;
        }
        write!(f, "{}::{}", self.case, self.engine)
    }
}

/// An instruction count that changed past the threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct CostChange {
    /// The record.
    pub key: Key,
    /// Its count in BEFORE.
    pub before: u64,
    /// Its count in AFTER.
    pub after: u64,
}

impl CostChange {
    /// The change in percent of the count before (infinite from a count of 0).
    pub fn percent(&self) -> f64 {
        percent(self.before, self.after)
    }
}

fn percent(before: u64, after: u64) -> f64 {
    if before == 0 {
        return if after == 0 { 0.0 } else { f64::INFINITY };
    }
    (after as f64 - before as f64) / before as f64 * 100.0
}

/// How a record's verdict changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum VerdictKind {
    /// It fails now (or did not run), and did not before.
    NewlyFailing,
    /// It failed (or did not run) before, and does not now.
    NewlyPassing,
    /// Another change of status (a pass that is skipped now, a failure that is an
    /// error now).
    Changed,
}

/// A record whose status differs between the runs.
#[derive(Debug, Clone, PartialEq)]
pub struct VerdictChange {
    /// The record.
    pub key: Key,
    /// Its status in BEFORE; `None` for a case BEFORE did not have.
    pub before: Option<Status>,
    /// Its status in AFTER.
    pub after: Status,
    /// Why it fails now, when it does.
    pub reason: Option<crate::Reason>,
}

impl VerdictChange {
    /// Newly failing, newly passing, or another change.
    pub fn kind(&self) -> VerdictKind {
        let before = self.before.is_some_and(failing);
        match (before, failing(self.after)) {
            (false, true) => VerdictKind::NewlyFailing,
            (true, false) => VerdictKind::NewlyPassing,
            _ => VerdictKind::Changed,
        }
    }
}

/// Whether a status counts against a run: a failure, or a job that never ran.
fn failing(s: Status) -> bool {
    s.is_failure() || s == Status::NotRun
}

/// A record whose normalised output differs between the runs.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputChange {
    /// The record.
    pub key: Key,
    /// The streams whose digests differ: `stdout`, `stderr` or both.
    pub streams: Vec<&'static str>,
}

/// What changed between two runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The threshold, in percent.
    pub threshold: f64,
    /// Counts that changed past the threshold, the biggest growth first.
    pub costs: Vec<CostChange>,
    /// Records whose status changed: newly failing first, then newly passing, then
    /// the other changes.
    pub verdicts: Vec<VerdictChange>,
    /// Records whose output changed.
    pub outputs: Vec<OutputChange>,
    /// Records in both runs.
    pub paired: usize,
    /// Records in both runs with a count in both.
    pub counted: usize,
    /// Records only BEFORE has.
    pub only_before: usize,
    /// Records only AFTER has.
    pub only_after: usize,
}

impl Comparison {
    /// Compares `before` with `after`; `threshold` is in percent.
    pub fn new(before: &SavedRun, after: &SavedRun, threshold: f64) -> Self {
        let earlier: BTreeMap<Key, &CaseResult> =
            before.results.iter().map(|r| (Key::of(r), r)).collect();
        let mut c = Comparison {
            threshold,
            costs: Vec::new(),
            verdicts: Vec::new(),
            outputs: Vec::new(),
            paired: 0,
            counted: 0,
            only_before: 0,
            only_after: 0,
        };
        for r in &after.results {
            let key = Key::of(r);
            match earlier.get(&key) {
                Some(b) => c.pair(key, b, r),
                None => {
                    c.only_after += 1;
                    if failing(r.status) {
                        c.verdicts.push(verdict(key, None, r));
                    }
                }
            }
        }
        c.only_before = before.results.len().saturating_sub(c.paired);
        c.costs.sort_by(|a, b| {
            b.percent()
                .total_cmp(&a.percent())
                .then_with(|| a.key.cmp(&b.key))
        });
        c.verdicts
            .sort_by(|a, b| (a.kind(), &a.key).cmp(&(b.kind(), &b.key)));
        c.outputs.sort_by(|a, b| a.key.cmp(&b.key));
        c
    }

    fn pair(&mut self, key: Key, before: &CaseResult, after: &CaseResult) {
        self.paired += 1;
        if let (Some(b), Some(a)) = (before.instructions, after.instructions) {
            self.counted += 1;
            if percent(b, a).abs() > self.threshold {
                self.costs.push(CostChange {
                    key: key.clone(),
                    before: b,
                    after: a,
                });
            }
        }
        if before.status != after.status {
            self.verdicts
                .push(verdict(key.clone(), Some(before.status), after));
        }
        let streams: Vec<&'static str> = [
            ("stdout", &before.stdout, &after.stdout),
            ("stderr", &before.stderr, &after.stderr),
        ]
        .into_iter()
        .filter(|(_, b, a)| digests_differ(b.as_ref(), a.as_ref()))
        .map(|(name, _, _)| name)
        .collect();
        if !streams.is_empty() {
            self.outputs.push(OutputChange { key, streams });
        }
    }

    /// Counts that grew past the threshold.
    pub fn costlier(&self) -> usize {
        self.costs.iter().filter(|c| c.after > c.before).count()
    }

    /// Records that newly fail.
    pub fn newly_failing(&self) -> usize {
        self.of_kind(VerdictKind::NewlyFailing)
    }

    fn of_kind(&self, kind: VerdictKind) -> usize {
        self.verdicts.iter().filter(|v| v.kind() == kind).count()
    }

    /// Whether AFTER is worse: a count grew past the threshold, or a record newly
    /// fails.
    pub fn is_worse(&self) -> bool {
        self.costlier() > 0 || self.newly_failing() > 0
    }

    /// The comparison as text: a section per kind of change, then one summary line.
    pub fn render(&self) -> String {
        let mut text = String::new();
        self.push_costs(&mut text);
        self.push_verdicts(&mut text);
        self.push_outputs(&mut text);
        let _ = writeln!(
            text,
            "{} costlier, {} cheaper, {} newly failing, {} newly passing, {} with changed output ({} records compared{})",
            self.costlier(),
            self.costs.len() - self.costlier(),
            self.newly_failing(),
            self.of_kind(VerdictKind::NewlyPassing),
            self.outputs.len(),
            self.paired,
            self.unpaired_note(),
        );
        text
    }

    fn unpaired_note(&self) -> String {
        let mut note = String::new();
        if self.only_before > 0 {
            let _ = write!(note, ", {} only before", self.only_before);
        }
        if self.only_after > 0 {
            let _ = write!(note, ", {} only after", self.only_after);
        }
        note
    }

    fn push_costs(&self, text: &mut String) {
        let t = threshold_text(self.threshold);
        if self.counted == 0 {
            text.push_str(
                "instructions: no record has a count in both runs (run both with --count-instructions)\n",
            );
            return;
        }
        if self.costs.is_empty() {
            let _ = writeln!(
                text,
                "instructions: no count changed by more than {t} ({} records counted in both)",
                self.counted
            );
            return;
        }
        let _ = writeln!(
            text,
            "instructions: {} changed by more than {t} (of {} counted in both):",
            self.costs.len(),
            self.counted
        );
        for c in &self.costs {
            let _ = writeln!(
                text,
                "  {:>8}  {}  {} -> {}",
                percent_text(c.percent()),
                c.key,
                grouped(c.before),
                grouped(c.after)
            );
        }
    }

    fn push_verdicts(&self, text: &mut String) {
        if self.verdicts.is_empty() {
            text.push_str("verdicts: none changed\n");
            return;
        }
        let _ = writeln!(text, "verdicts: {} changed:", self.verdicts.len());
        for v in &self.verdicts {
            let label = match v.kind() {
                VerdictKind::NewlyFailing => "newly failing",
                VerdictKind::NewlyPassing => "newly passing",
                VerdictKind::Changed => "changed",
            };
            let before = v.before.map_or("(new case)", |s| s.label());
            let _ = write!(
                text,
                "  {label:<13}  {}  {before} -> {}",
                v.key,
                v.after.label()
            );
            if let Some(reason) = v.reason {
                let _ = write!(text, " ({reason})");
            }
            text.push('\n');
        }
    }

    fn push_outputs(&self, text: &mut String) {
        if self.outputs.is_empty() {
            text.push_str("outputs: none changed\n");
            return;
        }
        let _ = writeln!(text, "outputs: {} changed:", self.outputs.len());
        for o in &self.outputs {
            let _ = writeln!(text, "  {}  {}", o.key, o.streams.join(", "));
        }
    }
}

fn verdict(key: Key, before: Option<Status>, after: &CaseResult) -> VerdictChange {
    VerdictChange {
        key,
        before,
        after: after.status,
        reason: after.reason.filter(|_| failing(after.status)),
    }
}

/// Whether both records of a stream exist and their digests differ.
fn digests_differ(before: Option<&OutputRecord>, after: Option<&OutputRecord>) -> bool {
    matches!((before, after), (Some(b), Some(a)) if b.digest != a.digest)
}

/// `+25.0%`, `-3.2%`, `from 0`.
fn percent_text(p: f64) -> String {
    if p.is_infinite() {
        "from 0".to_string()
    } else {
        format!("{p:+.1}%")
    }
}

/// `5%`, `0.5%`.
fn threshold_text(t: f64) -> String {
    format!("{t}%")
}

/// A threshold as the command line gives it: `5%`, `5` or `0.5%`, in percent; not
/// negative, not a NaN.
pub fn parse_threshold(text: &str) -> Result<f64, String> {
    let number = text.trim().trim_end_matches('%').trim();
    match number.parse::<f64>() {
        Ok(t) if t.is_finite() && t >= 0.0 => Ok(t),
        _ => Err(format!(
            "`{text}` is not a threshold: give a percentage such as 5% or 0.5%"
        )),
    }
}

#[cfg(test)]
mod tests;
