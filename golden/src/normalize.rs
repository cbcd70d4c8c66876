//! Output normalisation, applied identically to the golden and the actual output.
//!
//! The order is fixed: CRLF → LF first, then the caller's own first [`Step`] if
//! any, then trailing whitespace per line, then the user's regex rules in the
//! order given (so a rule never sees a `\r` or a trailing blank that the earlier
//! steps would have removed), then the caller's step after the rules, then
//! whitespace collapsing.

use std::borrow::Cow;

use std::sync::Arc;

use regex::bytes::Regex;

use crate::GoldenError;

/// The function behind a [`Step`].
pub type StepFn = dyn Fn(&[u8]) -> Vec<u8> + Send + Sync;

/// A normalisation step of the caller's own (a GHC test's normaliser
/// written in Python), run after CRLF and before the rest.
#[derive(Clone)]
pub struct Step(pub Arc<StepFn>);

impl std::fmt::Debug for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Step(..)")
    }
}

/// A compiled set of normalisation steps.
#[derive(Debug, Clone)]
pub struct Normalizer {
    rules: Vec<(Regex, Vec<u8>)>,
    trim_trailing_whitespace: bool,
    normalize_crlf: bool,
    collapse_whitespace: bool,
    first: Option<Step>,
    after_rules: Option<Step>,
}

impl Normalizer {
    /// Compiles `rules` as `(pattern, replacement)` pairs.
    ///
    /// Patterns use `regex::bytes` syntax (so they also match non-UTF-8 output);
    /// replacements may refer to groups as `$1` or `${name}`.
    pub fn new(
        rules: &[(String, String)],
        trim_trailing_whitespace: bool,
        normalize_crlf: bool,
    ) -> Result<Self, GoldenError> {
        let rules = rules
            .iter()
            .map(|(pattern, replacement)| {
                Regex::new(pattern)
                    .map(|re| (re, replacement.as_bytes().to_vec()))
                    .map_err(|source| GoldenError::InvalidRegex {
                        pattern: pattern.clone(),
                        source,
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            rules,
            trim_trailing_whitespace,
            normalize_crlf,
            collapse_whitespace: false,
            first: None,
            after_rules: None,
        })
    }

    /// The same normaliser, finishing by turning every run of whitespace
    /// (newlines included) into one space and trimming both ends, the way
    /// GHC's driver compares stderr (`' '.join(s.split())`).
    pub fn collapsing_whitespace(mut self, collapse: bool) -> Self {
        self.collapse_whitespace = collapse;
        self
    }

    /// The same normaliser, running `step` first (after CRLF).
    pub fn with_first_step(mut self, step: Step) -> Self {
        self.first = Some(step);
        self
    }

    /// The same normaliser, running `step` after the regex rules (and
    /// before whitespace is collapsed), as GHC's driver runs a test's own
    /// normalisers on a compiler's output.
    pub fn with_step_after_rules(mut self, step: Step) -> Self {
        self.after_rules = Some(step);
        self
    }

    /// A normaliser that changes nothing.
    pub fn identity() -> Self {
        Self {
            rules: Vec::new(),
            trim_trailing_whitespace: false,
            normalize_crlf: false,
            collapse_whitespace: false,
            first: None,
            after_rules: None,
        }
    }

    /// Normalises `bytes`: CRLF first, then trailing whitespace per line, then the rules.
    pub fn apply(&self, bytes: &[u8]) -> Vec<u8> {
        let mut out = if self.normalize_crlf {
            crlf_to_lf(bytes)
        } else {
            bytes.to_vec()
        };
        if let Some(step) = &self.first {
            out = (step.0)(&out);
        }
        if self.trim_trailing_whitespace {
            out = trim_trailing_whitespace(&out);
        }
        for (re, replacement) in &self.rules {
            if let Cow::Owned(replaced) = re.replace_all(&out, replacement.as_slice()) {
                out = replaced;
            }
        }
        if let Some(step) = &self.after_rules {
            out = (step.0)(&out);
        }
        if self.collapse_whitespace {
            out = collapse_whitespace(&out);
        }
        out
    }
}

/// Python's `' '.join(s.split())` on bytes (ASCII whitespace).
fn collapse_whitespace(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for word in bytes
        .split(|b| b.is_ascii_whitespace() || *b == 0x0b)
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(b' ');
        }
        out.extend_from_slice(word);
    }
    out
}

impl Default for Normalizer {
    fn default() -> Self {
        Self::identity()
    }
}

/// Replaces every `\r\n` by `\n`; a lone `\r` is kept.
fn crlf_to_lf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while let Some((&b, tail)) = rest.split_first() {
        if !(b == b'\r' && tail.first() == Some(&b'\n')) {
            out.push(b);
        }
        rest = tail;
    }
    out
}

/// Removes spaces and tabs at the end of every line (and of the last, unterminated one).
fn trim_trailing_whitespace(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        let end = line
            .iter()
            .rposition(|&b| b != b' ' && b != b'\t')
            .map_or(0, |p| p + 1);
        out.extend_from_slice(&line[..end]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn append(tag: &'static str) -> Step {
        Step(Arc::new(move |b: &[u8]| {
            let mut v = b.to_vec();
            v.extend_from_slice(tag.as_bytes());
            v
        }))
    }

    #[test]
    fn the_callers_steps_run_before_and_after_the_rules() {
        // The rule turns the first step's mark into another; the second
        // step's mark comes after the rules, so it stays.
        let n = Normalizer::new(&rules(&[("<first>", "[ruled]")]), false, true)
            .expect("rule")
            .with_first_step(append("<first>"))
            .with_step_after_rules(append("<first>"))
            .collapsing_whitespace(true);
        assert_eq!(n.apply(b"a\r\n  b"), b"a b[ruled]<first>");
    }

    fn rules(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn crlf_becomes_lf_but_lone_cr_stays() {
        let n = Normalizer::new(&[], false, true).unwrap();
        assert_eq!(n.apply(b"a\r\nb\rc\r\n\r\n"), b"a\nb\rc\n\n");
    }

    #[test]
    fn crlf_kept_when_disabled() {
        let n = Normalizer::new(&[], false, false).unwrap();
        assert_eq!(n.apply(b"a\r\n"), b"a\r\n");
    }

    #[test]
    fn trailing_whitespace_trimmed_per_line() {
        let n = Normalizer::new(&[], true, false).unwrap();
        assert_eq!(
            n.apply(b"a  \nb\t\n  c \n\n last \t"),
            b"a\nb\n  c\n\n last"
        );
    }

    #[test]
    fn trailing_whitespace_after_crlf_is_trimmed() {
        let n = Normalizer::new(&[], true, true).unwrap();
        assert_eq!(n.apply(b"a \r\nb\t\r\n"), b"a\nb\n");
    }

    #[test]
    fn rules_apply_in_order_with_groups() {
        let n = Normalizer::new(
            &rules(&[
                (r"0x[0-9a-f]+", "0xADDR"),
                (r"(\d+) ms", "$1 <time>"),
                ("ADDR", "X"),
            ]),
            false,
            false,
        )
        .unwrap();
        assert_eq!(n.apply(b"at 0x1f2e took 12 ms"), b"at 0xX took 12 <time>");
    }

    #[test]
    fn rules_match_non_utf8() {
        let n = Normalizer::new(&rules(&[(r"(?-u)\xff+", "?")]), false, false).unwrap();
        assert_eq!(n.apply(b"a\xff\xffb"), b"a?b");
    }

    #[test]
    fn invalid_regex_names_the_pattern() {
        let err =
            Normalizer::new(&rules(&[("ok", ""), ("(unclosed", "")]), false, false).unwrap_err();
        assert!(
            matches!(&err, GoldenError::InvalidRegex { pattern, .. } if pattern == "(unclosed")
        );
        assert!(err.to_string().contains("`(unclosed`"), "{err}");
    }

    #[test]
    fn identity_changes_nothing() {
        assert_eq!(Normalizer::identity().apply(b"a \r\n"), b"a \r\n");
    }

    #[test]
    fn collapsing_whitespace_is_python_split_join() {
        let n = Normalizer::identity().collapsing_whitespace(true);
        assert_eq!(n.apply(b"  a\n\n\tb  c \r\n"), b"a b c");
        assert_eq!(n.apply(b" \n "), b"");
        assert_ne!(n.apply(b"ab"), n.apply(b"a b"));
    }
}
