//! The costliest records of a run by wasm instructions executed
//! (`--count-instructions`), which the console lists after the failures.
//!
//! Counts are deterministic, so unlike a duration they show where a suite's
//! time goes without noise; engines count in their own ways, so a record is
//! always shown with its engine.

use std::fmt::Write as _;

/// How many of the costliest records the console lists.
pub const SHOWN: usize = 10;

/// The records with the highest counts offered so far, at most `limit`.
#[derive(Debug, Clone)]
pub(crate) struct Costliest {
    limit: usize,
    /// Highest count first; ties in the order of the records' names.
    top: Vec<(u64, String)>,
}

impl Costliest {
    /// None kept yet; keeps at most `limit`.
    pub fn new(limit: usize) -> Self {
        Costliest {
            limit,
            top: Vec::new(),
        }
    }

    /// Consider the record named `id` (`suite::case::engine`) that counted
    /// `instructions`.
    pub fn offer(&mut self, instructions: u64, id: String) {
        let at = self.top.partition_point(|(n, name)| {
            (*n, std::cmp::Reverse(name)) > (instructions, std::cmp::Reverse(&id))
        });
        if at < self.limit {
            self.top.insert(at, (instructions, id));
            self.top.truncate(self.limit);
        }
    }

    /// Appends the list under its heading; nothing when no record counted.
    pub fn push_section(&self, text: &mut String) {
        if self.top.is_empty() {
            return;
        }
        let _ = writeln!(
            text,
            "\ncostliest cases (wasm instructions executed, as each engine counts them):"
        );
        let width = self
            .top
            .iter()
            .map(|(n, _)| grouped(*n).len())
            .max()
            .unwrap_or(0);
        for (n, id) in &self.top {
            let _ = writeln!(text, "  {:>width$}  {id}", grouped(*n));
        }
    }
}

/// `n` with its digits in groups of three: `12,345,678`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_highest_counts_in_order() {
        let mut c = Costliest::new(3);
        for (n, id) in [
            (5, "e"),
            (900, "a"),
            (7, "b"),
            (900, "0"),
            (1_234_567, "big"),
            (1, "x"),
        ] {
            c.offer(n, id.to_string());
        }
        let mut text = String::new();
        c.push_section(&mut text);
        assert_eq!(
            text,
            "\ncostliest cases (wasm instructions executed, as each engine counts them):\n  1,234,567  big\n        900  0\n        900  a\n"
        );
    }

    #[test]
    fn the_console_lists_them_after_the_failures_and_before_the_totals() {
        use crate::test_data::{Capture, feed, sample_results};
        let mut results = sample_results();
        for (r, n) in results.iter_mut().zip([40_000u64, 7, 1_000_000]) {
            r.instructions = Some(n);
        }
        let capture = Capture::default();
        let mut console = crate::Console::new(Box::new(capture.clone()), false, false, false);
        feed(&mut console, &results);
        drop(console);
        let text = capture.text();
        let list = text
            .split("costliest cases")
            .nth(1)
            .unwrap_or_else(|| panic!("no list of the costliest cases:\n{text}"));
        let lines: Vec<&str> = list.lines().skip(1).take_while(|l| !l.is_empty()).collect();
        let named = |r: &crate::CaseResult| format!("c-basic::{}::{}", r.case, r.engine);
        assert_eq!(
            lines,
            [
                format!("  1,000,000  {}", named(&results[2])),
                format!("     40,000  {}", named(&results[0])),
                format!("          7  {}", named(&results[1])),
            ]
        );
        assert!(
            text.find("failures:") < text.find("costliest cases"),
            "{text}"
        );
    }

    #[test]
    fn nothing_counted_prints_nothing() {
        let mut text = String::new();
        Costliest::new(SHOWN).push_section(&mut text);
        assert_eq!(text, "");
    }

    #[test]
    fn digits_are_grouped_by_three() {
        let cases = [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (123_456_789, "123,456,789"),
        ];
        for (n, want) in cases {
            assert_eq!(grouped(n), want);
        }
    }
}
