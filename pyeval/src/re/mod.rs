//! Python's `re` module on `fancy_regex`: compiled patterns, match objects,
//! and the search loop that gives Python's results for empty matches.
//!
//! Patterns are translated from Python's syntax first (`syntax.rs`), so that
//! back-references, lookaround and Python's anchors mean what they mean in
//! Python. Every `re` function, `Pattern` method and `Match` method is in
//! `api.rs`; replacement templates are in `template.rs`.
//!
//! A pattern that does not compile is a Python error (`re.error: ...`), and so
//! is a search that exceeds the backtracking limit: never a panic or a hang.

mod api;
mod syntax;
mod template;

use std::cell::{OnceCell, RefCell};
use std::rc::Rc;

use super::interp::{Interp, R, lift};

pub use api::{call, index, method, module_attr, object_attr};

/// Backtracking steps one search may take before it fails.
const BACKTRACK_LIMIT: usize = 1_000_000;

/// Compiled patterns kept for reuse (a normaliser compiles its pattern on
/// every call).
const CACHE_SIZE: usize = 64;

/// A compiled pattern (`re.compile`).
pub struct Pattern {
    /// The Python source of the pattern.
    source: Rc<str>,
    /// The flags it was compiled with (`re.UNICODE` included).
    flags: i64,
    /// The translated pattern.
    translated: String,
    regex: fancy_regex::Regex,
    /// `(?:pattern)\z`, for `fullmatch`, compiled on first use.
    full: OnceCell<Result<fancy_regex::Regex, String>>,
    /// The pattern when it may not match the empty string, compiled on first
    /// use (`None` if then it can never match).
    not_empty: OnceCell<Option<fancy_regex::Regex>>,
    /// Group names and numbers, in number order.
    names: Vec<(Rc<str>, usize)>,
    /// Number of groups, not counting group 0.
    groups: usize,
}

impl std::fmt::Debug for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "re.compile({:?})", self.source)
    }
}

/// A match: the searched text and the byte span of each group.
#[derive(Debug)]
pub struct Match {
    text: Rc<str>,
    spans: Vec<Option<(usize, usize)>>,
    pattern: Rc<Pattern>,
    /// The `pos` and `endpos` of the search, in characters.
    pos: usize,
    endpos: usize,
}

/// A regex value: a compiled pattern or a match.
#[derive(Debug)]
pub enum ReObj {
    Pattern(Rc<Pattern>),
    Match(Match),
}

/// Where a search may match: anywhere, only at its start, or exactly the
/// whole text.
#[derive(Clone, Copy, PartialEq, Eq)]
enum How {
    Search,
    Match,
    Full,
    /// A match at the start that is not empty.
    NotEmpty,
}

type Spans = Vec<Option<(usize, usize)>>;

thread_local! {
    static CACHE: RefCell<Vec<Rc<Pattern>>> = const { RefCell::new(Vec::new()) };
}

/// Run `f`, a call into `fancy_regex`; should it panic on a pattern that
/// the translation let through, the panic is an error like any other.
fn guarded<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err("RuntimeError: the regex engine failed on this pattern".into()))
}

fn build(pattern: &str) -> Result<fancy_regex::Regex, String> {
    guarded(|| {
        fancy_regex::RegexBuilder::new(pattern)
            .backtrack_limit(BACKTRACK_LIMIT)
            .delegate_size_limit(1 << 22)
            .build()
            .map_err(|e| format!("re.error: {e}"))
    })
}

/// Compile Python pattern `source` with `flags`.
pub fn compile(source: &Rc<str>, flags: i64) -> Result<Rc<Pattern>, String> {
    if flags & syntax::A != 0 && flags & syntax::U != 0 {
        return Err("ValueError: ASCII and UNICODE flags are incompatible".into());
    }
    let flags = if flags & syntax::A != 0 {
        flags
    } else {
        flags | syntax::U
    };
    let hit = CACHE.with(|c| {
        c.borrow()
            .iter()
            .find(|p| p.flags == flags && p.source == *source)
            .cloned()
    });
    if let Some(p) = hit {
        return Ok(p);
    }
    let translated = syntax::translate(source, flags).map_err(|e| format!("re.error: {e}"))?;
    let regex = build(&translated)?;
    let names = regex
        .capture_names()
        .enumerate()
        .filter_map(|(i, n)| n.map(|n| (Rc::from(n), i)))
        .collect();
    let groups = regex.captures_len().saturating_sub(1);
    let p = Rc::new(Pattern {
        source: source.clone(),
        flags,
        translated,
        regex,
        full: OnceCell::new(),
        not_empty: OnceCell::new(),
        names,
        groups,
    });
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= CACHE_SIZE {
            c.remove(0);
        }
        c.push(p.clone());
    });
    Ok(p)
}

impl Pattern {
    /// The number of the group called `name`.
    fn group_number(&self, name: &str) -> Option<usize> {
        self.names.iter().find(|n| &*n.0 == name).map(|n| n.1)
    }

    /// The spans of the first match in `text[..end]` at or after byte `at`.
    fn find(&self, text: &str, at: usize, end: usize, how: How) -> Result<Option<Spans>, String> {
        let hay = text.get(..end).unwrap_or(text);
        if at > hay.len() {
            return Ok(None);
        }
        let re = match how {
            How::Full => self
                .full
                .get_or_init(|| build(&format!("(?:{})\\z", self.translated)))
                .as_ref()
                .map_err(Clone::clone)?,
            How::NotEmpty => {
                let re = self.not_empty.get_or_init(|| {
                    guarded(|| {
                        fancy_regex::RegexBuilder::new(&self.translated)
                            .backtrack_limit(BACKTRACK_LIMIT)
                            .delegate_size_limit(1 << 22)
                            .find_not_empty(true)
                            .build()
                            .map_err(|e| e.to_string())
                    })
                    .ok()
                });
                match re {
                    Some(re) => re,
                    None => return Ok(None),
                }
            }
            How::Search | How::Match => &self.regex,
        };
        let input = fancy_regex::RegexInput::new(hay)
            .from_pos(at)
            .anchored(how != How::Search);
        guarded(|| match re.captures_input(input) {
            Ok(Some(c)) => Ok(Some(
                (0..=self.groups)
                    .map(|i| c.get(i).map(|m| (m.start(), m.end())))
                    .collect(),
            )),
            Ok(None) => Ok(None),
            Err(e) => Err(format!("RuntimeError: regular expression too costly: {e}")),
        })
    }

    /// The successive matches in `text[..end]` from byte `at`, as Python
    /// finds them: after an empty match, the next match may not be an empty
    /// one at the same place. At most `limit` matches (0: no limit); each
    /// search is a step of `it`.
    fn find_all(
        &self,
        it: &mut Interp,
        text: &str,
        at: usize,
        end: usize,
        limit: usize,
    ) -> R<Vec<Spans>> {
        it.charge(end.saturating_sub(at))?;
        let mut out = Vec::new();
        let mut at = at;
        let mut must_advance = false;
        while at <= end && (limit == 0 || out.len() < limit) {
            it.step()?;
            let Some(spans) = lift(self.find(text, at, end, How::Search))? else {
                break;
            };
            let (s, e) = spans.first().copied().flatten().unwrap_or((at, at));
            if must_advance && s == e && s == at {
                // Python retries here for a non-empty match, then moves on.
                if let Some(spans) = lift(self.find(text, at, end, How::NotEmpty))? {
                    at = spans.first().copied().flatten().map_or(at, |m| m.1);
                    must_advance = false;
                    out.push(spans);
                    continue;
                }
                match text.get(at..end).and_then(|t| t.chars().next()) {
                    Some(c) => at += c.len_utf8(),
                    None => break,
                }
                must_advance = false;
                continue;
            }
            must_advance = s == e;
            at = e;
            out.push(spans);
        }
        Ok(out)
    }
}

impl Match {
    /// Group `n`'s text, `None` if it did not take part.
    fn group(&self, n: usize) -> Option<&str> {
        let (s, e) = self.spans.get(n).copied().flatten()?;
        self.text.get(s..e)
    }

    /// Group `n`'s span in characters, `(-1, -1)` if it did not take part.
    fn char_span(&self, n: usize) -> (i64, i64) {
        match self.spans.get(n).copied().flatten() {
            Some((s, e)) => (char_index(&self.text, s), char_index(&self.text, e)),
            None => (-1, -1),
        }
    }
}

/// The character index of byte offset `b` of `text`.
fn char_index(text: &str, b: usize) -> i64 {
    let n = if text.is_ascii() {
        b
    } else {
        text.get(..b).map_or(0, |p| p.chars().count())
    };
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The byte offset of character index `c` of `text`, clamped to `0..=len`
/// (as Python clamps `pos` and `endpos`).
fn byte_index(text: &str, c: i64) -> usize {
    let c = usize::try_from(c.max(0)).unwrap_or(0);
    if text.is_ascii() {
        return c.min(text.len());
    }
    text.char_indices().nth(c).map_or(text.len(), |(b, _)| b)
}

/// `re.escape(s)`: a backslash before each character special in patterns.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        match c {
            '\t' => out.push_str("\\\t"),
            '\n' => out.push_str("\\\n"),
            '\r' => out.push_str("\\\r"),
            '\x0b' => out.push_str("\\\x0b"),
            '\x0c' => out.push_str("\\\x0c"),
            c if "()[]{}?*+-|^$\\.&~# ".contains(c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Python's `repr` of a regex value.
pub fn repr(r: &ReObj) -> String {
    let mut out = String::new();
    match r {
        ReObj::Pattern(p) => {
            out.push_str("re.compile(");
            super::ops::str_repr(&mut out, &p.source);
            let names: Vec<&str> = [
                (syntax::I, "re.IGNORECASE"),
                (syntax::L, "re.LOCALE"),
                (syntax::M, "re.MULTILINE"),
                (syntax::S, "re.DOTALL"),
                (syntax::X, "re.VERBOSE"),
                (syntax::A, "re.ASCII"),
            ]
            .iter()
            .filter(|f| p.flags & f.0 != 0)
            .map(|f| f.1)
            .collect();
            if !names.is_empty() {
                out.push_str(", ");
                out.push_str(&names.join("|"));
            }
            out.push(')');
        }
        ReObj::Match(m) => {
            let (s, e) = m.char_span(0);
            out.push_str(&format!("<re.Match object; span=({s}, {e}), match="));
            super::ops::str_repr(&mut out, m.group(0).unwrap_or(""));
            out.push('>');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use crate::{Host, HostValue, Interp, Limits, Value, parse};

    /// A host that knows `re` only.
    struct ReOnly;

    impl Host for ReOnly {
        fn global(&mut self, name: &str) -> Option<Value> {
            crate::stdlib(name).filter(|_| name == "re")
        }
        fn call(
            &mut self,
            _: &mut Interp,
            _: &Rc<dyn HostValue>,
            _: Vec<Value>,
            _: Vec<(Rc<str>, Value)>,
            _: u32,
        ) -> Result<Value, String> {
            Err("no host functions".into())
        }
        fn get_attr(&mut self, _: &Rc<dyn HostValue>, _: &str) -> Result<Value, String> {
            Err("no attributes".into())
        }
        fn set_attr(&mut self, _: &Rc<dyn HostValue>, _: &str, _: Value) -> Result<(), String> {
            Err("no attributes".into())
        }
    }

    /// `repr` of expression `e`, or the warning it gave.
    fn eval(e: &str) -> String {
        let limits = Limits::default();
        let module = parse(&format!("r = {e}\n"), &limits).load(&mut ReOnly, &limits);
        match (module.global("r"), module.warnings().first()) {
            (Some(v), None) => v.repr(),
            (_, Some(w)) => format!("warning: {}", w.message),
            (None, None) => "unbound".into(),
        }
    }

    #[test]
    fn empty_matches_follow_python() {
        assert_eq!(eval("re.sub('x*', '-', 'abxd')"), "'-a-b--d-'");
        assert_eq!(
            eval("re.split('x*', 'axbc')"),
            "['', 'a', '', 'b', 'c', '']"
        );
        assert_eq!(eval("re.findall('x*', 'axxb')"), "['', 'xx', '', '']");
        // After an empty match, a non-empty one at the same place is taken.
        assert_eq!(eval("re.sub('c{,2}|d+', '_', 'xdd')"), "'_x___'");
        assert_eq!(eval("re.sub('a*?', '-', 'baac')"), "'-b-----c-'");
    }

    #[test]
    fn anchors_groups_and_templates_follow_python() {
        assert_eq!(eval("re.sub('$', '!', 'a\\n')"), "'a!\\n!'");
        assert_eq!(eval("re.sub('\\\\Z', '!', 'a\\n')"), "'a\\n!'");
        assert_eq!(eval("re.sub('(?m)^', '> ', 'a\\nb')"), "'> a\\n> b'");
        assert_eq!(eval("re.sub(r'(a)(b)?', r'[\\2\\g<1>]', 'ac')"), "'[a]c'");
        assert_eq!(
            eval("re.sub(r\"(?<!('|‘))\\\\\", '/', 'a\\\\b\\'\\\\c')"),
            "\"a/b'\\\\c\""
        );
        assert_eq!(
            eval("re.search(r'(?P<k>\\w)(?P=k)', 'abccd').span()"),
            "(2, 4)"
        );
        assert_eq!(eval("re.sub('é+', 'e', 'caféé!')"), "'cafe!'");
        assert_eq!(eval("re.search('b', 'aéb').start()"), "2");
    }

    #[test]
    fn bad_patterns_and_templates_are_python_errors() {
        for (e, msg) in [
            (
                "re.compile('(')",
                "re.error: missing ), unterminated subpattern at position 0",
            ),
            (
                "re.compile('\\\\h')",
                "re.error: bad escape \\h at position 0",
            ),
            (
                "re.sub('a', r'\\2', 'a')",
                "re.error: invalid group reference 2 at position 1",
            ),
            (
                "re.sub('a', r'\\g<x>', 'a')",
                "IndexError: unknown group name 'x'",
            ),
            (
                "re.search('a', 1)",
                "TypeError: expected string or bytes-like object, got 'int'",
            ),
            (
                "re.compile(re.compile('a'), re.I)",
                "ValueError: cannot process flags argument with a compiled pattern",
            ),
        ] {
            assert_eq!(eval(e), format!("warning: {msg}"), "{e}");
        }
        assert!(eval("re.compile('a**')").starts_with("warning: re.error: "));
    }

    #[test]
    fn catastrophic_backtracking_is_an_error_not_a_hang() {
        // Python takes exponential time on this; fancy_regex gives up.
        let r = eval("re.sub(r'(x+x+)+\\1y', '', 'x' * 40)");
        assert!(
            r.starts_with("warning: RuntimeError: regular expression too costly"),
            "{r}"
        );
    }

    #[test]
    fn compiled_patterns_are_reused() {
        let a = super::compile(&Rc::from("a+b"), 0);
        let b = super::compile(&Rc::from("a+b"), 0);
        assert!(matches!((a, b), (Ok(a), Ok(b)) if Rc::ptr_eq(&a, &b)));
    }
}
