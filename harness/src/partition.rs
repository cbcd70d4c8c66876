//! Shards of a suite, the way CI matrices split big suites across machines.
//!
//! Three kinds, as `--partition KIND:K/N` (shard K of N, counting from 1):
//! - `count:K/N`: the selected cases in name order are dealt out in turn;
//!   shard K gets cases K, K+N, K+2N, … Shards differ by at most one case,
//!   but adding a case moves the cases after it to other shards.
//! - `hash:K/N`: a case goes to the shard its name's hash picks. Shards are
//!   less even, but a case stays in its shard when others come and go.
//! - `duration:K/N` with `--timings RUN.json`: shards are balanced by how
//!   long each case took in an earlier run ([`Timings`]), dealt greedily
//!   longest first ([`deal_longest_first`]). Without `--timings` it is
//!   `count:K/N`, and says so.
//!
//! Every case is in exactly one shard, decided from the selected names (and,
//! for `duration:`, the timings file) alone, so N machines running shards
//! 1..N of the same checkout with the same timings file run every case
//! once. The hash is FNV-1a (64-bit), fixed here so it never changes between
//! builds or platforms.
//!
//! [`Partition::plan`] decides purely; [`select`] is the CLI's edge: it reads
//! the timings file and says on stderr what a shard predicts.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use xharness_reports::{CaseResult, ReportError, SavedRun, Status};
use xharness_suites::Case;

/// One shard of a suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    /// Which way cases are dealt.
    pub kind: Kind,
    /// This shard, 1-based.
    pub shard: u64,
    /// How many shards there are.
    pub total: u64,
}

/// How cases are dealt to shards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// In turn, by position in name order.
    Count,
    /// By a hash of the case name.
    Hash,
    /// Longest first, by each case's time in an earlier run.
    Duration,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Count => "count",
            Kind::Hash => "hash",
            Kind::Duration => "duration",
        }
    }
}

impl FromStr for Partition {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let usage = || {
            format!(
                "invalid partition {s:?}: use hash:K/N or count:K/N (or duration:K/N with --timings RUN.json) with 1 <= K <= N, e.g. hash:2/4"
            )
        };
        let (kind, rest) = s.split_once(':').ok_or_else(usage)?;
        let kind = match kind {
            "hash" => Kind::Hash,
            "count" => Kind::Count,
            "duration" => Kind::Duration,
            _ => return Err(usage()),
        };
        let (k, n) = rest.split_once('/').ok_or_else(usage)?;
        let shard: u64 = k.trim().parse().map_err(|_| usage())?;
        let total: u64 = n.trim().parse().map_err(|_| usage())?;
        if shard == 0 || total == 0 || shard > total {
            return Err(usage());
        }
        Ok(Partition { kind, shard, total })
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}/{}", self.kind.as_str(), self.shard, self.total)
    }
}

/// Each case's time in an earlier run, read from its `--json` report (or a
/// merged one): the sum of the case's `duration_ms` over every engine the
/// file has a record for, whichever engines this run uses. Records of jobs
/// that never started (`not-run`) do not count; a case with only those has
/// no timing. In a merge of several suites, whose records name their suite,
/// only this suite's records count; a run of one suite counts whatever its
/// name (a renamed suite keeps its timings).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timings {
    /// The file they were read from (empty when built in memory).
    pub file: PathBuf,
    /// Milliseconds per case name.
    pub ms: BTreeMap<String, f64>,
}

impl Timings {
    /// The timings of the saved run at `path`. A missing file is a usage
    /// error (exit 2), one that is not a `--json` report a configuration
    /// error naming the file and line.
    pub fn load(path: &Path, suite: &str) -> crate::Result<Timings> {
        let run = SavedRun::load(path).map_err(|e| match e {
            ReportError::Read { path, source } => {
                crate::Error::io("read the --timings file", path, source)
            }
            ReportError::Parse { path, source } => crate::Error::config_at(
                &path,
                Some(source.line()),
                format!(
                    "--timings {}: not an xharness JSON report ({source}); pass the --json file of an earlier run, or one from `xharness report merge`",
                    path.display()
                ),
            ),
            other => other.into(),
        })?;
        Ok(Timings::from_results(path, suite, &run.results))
    }

    /// The timings of suite `suite` in `results`, a run read from `file`.
    pub fn from_results(file: &Path, suite: &str, results: &[CaseResult]) -> Timings {
        let ms = results
            .iter()
            .filter(|r| r.status != Status::NotRun)
            .filter(|r| r.suite.is_empty() || r.suite == suite)
            .map(|r| (r.case.clone(), r.duration_ms));
        Timings {
            file: file.to_path_buf(),
            ..ms.collect::<Timings>()
        }
    }
}

/// Sums the milliseconds of every (case, ms) pair by case.
impl FromIterator<(String, f64)> for Timings {
    fn from_iter<I: IntoIterator<Item = (String, f64)>>(pairs: I) -> Self {
        let mut ms: BTreeMap<String, f64> = BTreeMap::new();
        for (case, t) in pairs {
            *ms.entry(case).or_default() += t.max(0.0);
        }
        Timings {
            file: PathBuf::new(),
            ms,
        }
    }
}

/// What one shard runs, as [`Partition::plan`] decides it.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Positions, among the names given, of this shard's cases, ascending.
    pub positions: Vec<usize>,
    /// For `duration:` with timings, what the deal predicts.
    pub prediction: Option<Prediction>,
}

/// The times a `duration:` deal predicts, from the timings file.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// Predicted milliseconds of every shard, shard 1 first; shards past
    /// the number of cases are empty and not listed.
    pub shards_ms: Vec<f64>,
    /// How many of the selected cases the timings file has no time for.
    pub untimed: usize,
    /// What each of those counts as: the median of the known times (0 if none).
    pub median_ms: f64,
    /// How many cases of the timings file are not among the selected ones.
    pub unused: usize,
}

impl Prediction {
    /// Predicted milliseconds of all shards together.
    pub fn total_ms(&self) -> f64 {
        self.shards_ms.iter().sum()
    }
}

impl Partition {
    /// Whether the case `name`, at `position` among the selected cases in
    /// name order, belongs to this shard. `duration:` shards depend on every
    /// case's time, not one name: this answers as `count:` (which is what
    /// `duration:` without timings is); use [`Partition::plan`].
    pub fn contains(&self, position: usize, name: &str) -> bool {
        let slot = match self.kind {
            Kind::Count | Kind::Duration => position as u64 % self.total,
            Kind::Hash => fnv1a(name.as_bytes()) % self.total,
        };
        slot + 1 == self.shard
    }

    /// This shard's cases among `names` (the selected cases, in name order).
    /// `timings` is used by `duration:` only; without it, `duration:` deals
    /// as `count:`.
    pub fn plan(&self, names: &[&str], timings: Option<&Timings>) -> Plan {
        let Some(timings) = timings.filter(|_| self.kind == Kind::Duration) else {
            let positions = (0..names.len())
                .filter(|&i| self.contains(i, names[i]))
                .collect();
            return Plan {
                positions,
                prediction: None,
            };
        };
        let known: Vec<Option<f64>> = names.iter().map(|n| timings.ms.get(*n).copied()).collect();
        let median_ms = median(known.iter().flatten().copied().collect());
        let costs: Vec<f64> = known.iter().map(|t| t.unwrap_or(median_ms)).collect();
        let slots = deal_longest_first(names, &costs, self.total);
        let mut shards_ms = vec![0.0; shard_count(self.total, names.len())];
        for (slot, cost) in slots.iter().zip(&costs) {
            shards_ms[*slot] += cost;
        }
        let selected: std::collections::BTreeSet<&str> = names.iter().copied().collect();
        let positions = (0..names.len())
            .filter(|&i| slots[i] as u64 + 1 == self.shard)
            .collect();
        Plan {
            positions,
            prediction: Some(Prediction {
                shards_ms,
                untimed: known.iter().filter(|t| t.is_none()).count(),
                median_ms,
                unused: timings
                    .ms
                    .keys()
                    .filter(|n| !selected.contains(n.as_str()))
                    .count(),
            }),
        }
    }
}

/// How many shards can have cases: `total`, but no more than there are
/// cases (at least one), so an absurd N allocates nothing.
fn shard_count(total: u64, cases: usize) -> usize {
    usize::try_from(total)
        .unwrap_or(usize::MAX)
        .min(cases)
        .max(1)
}

/// The greedy longest-first deal (LPT) of cases to `total` shards: cases by
/// cost descending, equal costs by name; each goes to the shard with the
/// least cost so far, then the fewest cases (so cases of equal cost, zeros
/// included, are dealt in turn), then the lowest number. Returns each
/// case's shard, 0-based, by position. Deterministic: the same names and
/// costs give the same deal on every machine.
pub fn deal_longest_first(names: &[&str], costs: &[f64], total: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&a, &b| {
        costs[b]
            .total_cmp(&costs[a])
            .then_with(|| names[a].cmp(names[b]))
    });
    let shards = shard_count(total, names.len());
    let mut load = vec![(0.0f64, 0usize); shards];
    let mut slots = vec![0; names.len()];
    for i in order {
        let mut best = 0;
        for s in 1..shards {
            let (ms, n) = load[s];
            let (best_ms, best_n) = load[best];
            if ms.total_cmp(&best_ms).then(n.cmp(&best_n)).is_lt() {
                best = s;
            }
        }
        load[best].0 += costs[i];
        load[best].1 += 1;
        slots[i] = best;
    }
    slots
}

/// The median of `values` (the mean of the middle two for an even count);
/// 0 when there are none.
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => 0.0,
        _ if n % 2 == 1 => values[n / 2],
        _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// The CLI's edge: the cases of shard `partition` among `cases` (the
/// selection of suite `suite`, in name order). For `duration:` it reads the
/// `timings` file and prints the shard's predicted time on stderr (and notes
/// on cases the file does not time, or times but the suite does not
/// select); without a file it falls back to `count:` and says so.
pub fn select<'c>(
    partition: &Partition,
    suite: &str,
    cases: Vec<&'c Case>,
    timings: Option<&Path>,
) -> crate::Result<Vec<&'c Case>> {
    let timings = match (partition.kind, timings) {
        (Kind::Duration, Some(path)) => Some(Timings::load(path, suite)?),
        (Kind::Duration, None) => {
            eprintln!(
                "xharness: --partition {partition} has no --timings RUN.json: dealing as count:{}/{} instead",
                partition.shard, partition.total
            );
            None
        }
        (_, Some(path)) => {
            eprintln!(
                "xharness: note: --timings {} is used by --partition duration:K/N only; {partition} ignores it",
                path.display()
            );
            None
        }
        (_, None) => None,
    };
    let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    let plan = partition.plan(&names, timings.as_ref());
    if let (Some(t), Some(p)) = (&timings, &plan.prediction) {
        print_prediction(partition, t, p, plan.positions.len(), names.len());
    }
    let mut mine = plan.positions.into_iter().peekable();
    Ok(cases
        .into_iter()
        .enumerate()
        .filter(|(i, _)| mine.next_if_eq(i).is_some())
        .map(|(_, c)| c)
        .collect())
}

/// The notes and the predicted-time line of a `duration:` shard, on stderr.
fn print_prediction(partition: &Partition, t: &Timings, p: &Prediction, cases: usize, of: usize) {
    let file = t.file.display();
    // Seconds, or milliseconds for a suite that takes less than one.
    let total_ms = p.total_ms();
    let time = |ms: f64| match total_ms < 1000.0 {
        true => format!("{ms:.1} ms"),
        false => format!("{:.1} s", ms / 1000.0),
    };
    if p.untimed > 0 {
        eprintln!(
            "xharness: note: {} of {of} cases have no timing in {file}; each counts as the median, {}",
            p.untimed,
            time(p.median_ms)
        );
    }
    if p.unused > 0 {
        eprintln!(
            "xharness: note: {file} times {} cases that are not among the {of} selected; their timings are not used",
            p.unused
        );
    }
    let shard_ms = usize::try_from(partition.shard - 1)
        .ok()
        .and_then(|i| p.shards_ms.get(i))
        .copied()
        .unwrap_or(0.0);
    eprintln!(
        "shard {}/{} (duration): {cases} cases, predicted {} of {} in all",
        partition.shard,
        partition.total,
        time(shard_ms),
        time(total_ms)
    );
}

/// 64-bit FNV-1a.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests;
