//! The console's closing lines: the failure groups, the totals of each suite (in a run
//! of several) and the run's totals, its very last line the plain
//! `N passed, N failed[, N flaky][, N skipped][, N not run]` that CI log readers
//! look for.

use std::fmt::Write as _;

use crate::Summary;

/// How many cases a group shows by name on the console.
const GROUP_CASES_SHOWN: usize = 3;

/// `N failures in K groups:`, then each group (biggest first): its count,
/// signature, engines and first cases.
pub(crate) fn push_groups(text: &mut String, groups: &[crate::Group]) {
    if groups.is_empty() {
        return;
    }
    let failures: usize = groups.iter().map(|g| g.cases.len()).sum();
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            one.to_string()
        } else {
            many.to_string()
        }
    };
    let _ = writeln!(
        text,
        "\n{failures} {} in {} {}:",
        plural(failures, "failure", "failures"),
        groups.len(),
        plural(groups.len(), "group", "groups")
    );
    for g in groups {
        let _ = writeln!(
            text,
            "  {:>4}  {}  [{}]",
            g.cases.len(),
            g.signature,
            g.engines.join(", ")
        );
        let shown: Vec<&str> = g
            .cases
            .iter()
            .take(GROUP_CASES_SHOWN)
            .map(String::as_str)
            .collect();
        let more = g.cases.len().saturating_sub(GROUP_CASES_SHOWN);
        let tail = if more > 0 {
            format!(", and {more} more")
        } else {
            String::new()
        };
        let _ = writeln!(text, "        {}{tail}", shown.join(", "));
    }
}

/// The line before the totals: expected failures, unexpected passes, worker errors,
/// divergent cases and wall time.
pub(crate) fn totals_detail(s: &Summary) -> String {
    let mut parts = Vec::new();
    if s.xfailed > 0 {
        parts.push(format!("{} expected to fail", s.xfailed));
    }
    if s.xpassed > 0 {
        parts.push(format!("{} unexpectedly passed", s.xpassed));
    }
    if s.errors > 0 {
        parts.push(format!("{} errored (worker died)", s.errors));
    }
    if s.divergent > 0 {
        let cases = if s.divergent == 1 {
            "case diverges"
        } else {
            "cases diverge"
        };
        let mut text = format!("{} {cases} between engines", s.divergent);
        if !s.odd_one_out.is_empty() {
            let odd: Vec<String> = s
                .odd_one_out
                .iter()
                .map(|(engine, n)| format!("{engine} {n}"))
                .collect();
            text.push_str(&format!(" (odd one out: {})", odd.join(", ")));
        }
        parts.push(text);
    }
    if let Some((known, new)) = s.baseline {
        parts.push(format!("{known} known from the baseline, {new} new"));
    }
    parts.push(format!("finished in {:.2} s", s.duration.as_secs_f64()));
    format!("{}\n", parts.join("; "))
}

/// The very last line: `N passed, N failed`, then `, N flaky`, `, N skipped` and
/// `, N not run`, each only when there are any.
pub(crate) fn totals_line(s: &Summary) -> String {
    let mut line = format!("{} passed, {} failed", s.passed, s.failed);
    for (n, what) in [
        (s.flaky, "flaky"),
        (s.skipped, "skipped"),
        (s.not_run, "not run"),
    ] {
        if n > 0 {
            let _ = write!(line, ", {n} {what}");
        }
    }
    line.push('\n');
    line
}

/// In a run of several suites, `suites:` and one line per suite (by name): its
/// totals as [`totals_line`] writes them, then `; N divergent` when any case of it
/// diverges. Nothing for a run of one suite.
pub(crate) fn suite_totals(s: &Summary) -> String {
    if s.suites.len() < 2 {
        return String::new();
    }
    let mut text = String::from("suites:\n");
    for (name, s) in &s.suites {
        let _ = write!(text, "  {name}: {}", totals_line(s).trim_end());
        if s.divergent > 0 {
            let _ = write!(text, "; {} divergent", s.divergent);
        }
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Status;

    #[test]
    fn totals_line_parts_appear_only_when_non_zero() {
        let mut s = Summary::default();
        s.add(Status::Pass);
        s.add(Status::Fail);
        assert_eq!(totals_line(&s), "1 passed, 1 failed\n");
        s.add(Status::NotRun);
        assert_eq!(totals_line(&s), "1 passed, 1 failed, 1 not run\n");
        s.add(Status::Flaky);
        assert_eq!(totals_line(&s), "1 passed, 1 failed, 1 flaky, 1 not run\n");
    }

    #[test]
    fn each_suite_gets_a_line_when_there_are_several() {
        let mut s = Summary::default();
        s.add(Status::Pass);
        assert_eq!(suite_totals(&s), "");
        let mut one = Summary::default();
        one.add(Status::Pass);
        one.divergent = 1;
        let mut two = Summary::default();
        two.add(Status::Fail);
        two.add(Status::Skip);
        s.suites = [("b".to_string(), two), ("a".to_string(), one)].into();
        assert_eq!(
            suite_totals(&s),
            "suites:\n  a: 1 passed, 0 failed; 1 divergent\n  b: 0 passed, 1 failed, 1 skipped\n"
        );
    }
}
