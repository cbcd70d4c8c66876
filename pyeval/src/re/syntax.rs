//! Python's regular-expression syntax, rewritten into `fancy_regex`'s.
//!
//! The two differ in more than spelling, and each difference is handled here
//! so that a pattern means what it means in Python:
//!
//! - anchors: Python's `$` (without `re.MULTILINE`) also matches before a
//!   final `\n`, its `\Z` is the very end (`\z`), and `^`/`$` follow the
//!   `re.M` flag, inline `(?m)` and scoped `(?m:...)` alike;
//! - literals: `{` that does not start a valid `{m,n}` repeat, `[` and
//!   `&&`/`--`/`~~` inside a class, `\<`/`\>` are plain characters in Python
//!   and special in `fancy_regex`, so every literal is written out escaped;
//! - escapes: `\x`, `\u`, `\U` and octal escapes become characters, Python's
//!   unknown escapes of ASCII letters are errors (`fancy_regex` gives some of
//!   them meanings), `\s` also matches `\x1c`-`\x1f` as `str.isspace` does;
//! - groups: `(?P=name)` back-references, `(?#...)` comments, `(?(name)...)`
//!   conditionals, `{,n}` repeats; verbose mode (`re.X`) is applied here.
//!
//! Errors are Python's `re.error` messages, with the position in characters.

mod escape;

use escape::lit;

/// `re.IGNORECASE`.
pub const I: i64 = 2;
/// `re.LOCALE`.
pub const L: i64 = 4;
/// `re.MULTILINE`.
pub const M: i64 = 8;
/// `re.DOTALL`.
pub const S: i64 = 16;
/// `re.UNICODE`.
pub const U: i64 = 32;
/// `re.VERBOSE`.
pub const X: i64 = 64;
/// `re.ASCII`.
pub const A: i64 = 256;

/// The flags that change how a pattern is translated (the rest are passed on).
#[derive(Clone, Copy, Default)]
struct Mode {
    multiline: bool,
    verbose: bool,
    ascii: bool,
}

/// What the pattern ends with so far, for Python's repeat errors.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Last {
    /// The start of the pattern, of a group or of an alternative.
    Nothing,
    /// An anchor (`^`, `\b`, …): Python cannot repeat it.
    Anchor,
    /// Something that can be repeated.
    Atom,
    /// A lookaround, written from this byte of the output on: Python can
    /// repeat it, `fancy_regex` cannot.
    Look(usize),
    /// A repeat: repeating it again is an error.
    Repeat,
}

/// What kind of group is open.
#[derive(Clone, Copy)]
enum Group {
    Capture(usize),
    /// A lookaround, written from this byte of the output on.
    Look(usize),
    Other,
}

struct Tr {
    src: Vec<char>,
    i: usize,
    out: String,
    mode: Mode,
    /// The mode outside each open group, where the group opens, and its kind.
    stack: Vec<(Mode, usize, Group)>,
    last: Last,
    /// Whether anything but comments and global flags has been seen.
    started: bool,
    /// Whether each capturing group so far (numbered from 1) is closed.
    closed: Vec<bool>,
    /// Group names and numbers.
    names: Vec<(String, usize)>,
    /// The group numbers that conditionals test, with their positions.
    cond_refs: Vec<(usize, usize)>,
}

/// Translate Python pattern `src` under `flags` into a `fancy_regex` pattern.
pub fn translate(src: &str, flags: i64) -> Result<String, String> {
    if flags & L != 0 {
        return Err("cannot use LOCALE flag with a str pattern".into());
    }
    let mut t = Tr {
        src: src.chars().collect(),
        i: 0,
        out: String::with_capacity(src.len() + 8),
        mode: Mode {
            multiline: flags & M != 0,
            verbose: flags & X != 0,
            ascii: flags & A != 0,
        },
        stack: Vec::new(),
        last: Last::Nothing,
        started: false,
        closed: Vec::new(),
        names: Vec::new(),
        cond_refs: Vec::new(),
    };
    if flags & I != 0 {
        t.out.push_str("(?i)");
    }
    if flags & S != 0 {
        t.out.push_str("(?s)");
    }
    t.run()?;
    Ok(t.out)
}

fn err<T>(msg: impl Into<String>, pos: usize) -> Result<T, String> {
    Err(format!("{} at position {pos}", msg.into()))
}

impl Tr {
    fn peek(&self) -> Option<char> {
        self.src.get(self.i).copied()
    }

    fn peek_at(&self, off: usize) -> Option<char> {
        self.src.get(self.i + off).copied()
    }

    fn starts_with(&self, s: &str) -> bool {
        s.chars()
            .enumerate()
            .all(|(k, c)| self.peek_at(k) == Some(c))
    }

    fn run(&mut self) -> Result<(), String> {
        while let Some(c) = self.peek() {
            let at = self.i;
            self.i += 1;
            if self.mode.verbose && (c.is_whitespace() || c == '#') {
                while c == '#' && self.peek().is_some_and(|c| c != '\n') {
                    self.i += 1;
                }
                continue;
            }
            if c != '(' {
                self.started = true;
            }
            self.last = match c {
                '\\' => self.escape(at)?,
                '[' => {
                    self.class(at)?;
                    Last::Atom
                }
                '(' => self.group(at)?,
                ')' => self.close(at)?,
                '|' => {
                    self.out.push('|');
                    Last::Nothing
                }
                '{' => match self.brace()? {
                    Some(q) => self.repeat(at, &q)?,
                    None => {
                        self.out.push_str("\\{");
                        Last::Atom
                    }
                },
                '*' | '+' | '?' => self.repeat(at, &c.to_string())?,
                '$' | '^' => {
                    self.out.push_str(match (c, self.mode.multiline) {
                        ('$', true) => "(?m:$)",
                        ('$', false) => "(?=\\n?\\z)",
                        (_, true) => "(?m:^)",
                        (_, false) => "^",
                    });
                    Last::Anchor
                }
                '.' => {
                    self.out.push('.');
                    Last::Atom
                }
                c => {
                    lit(&mut self.out, c);
                    Last::Atom
                }
            };
        }
        if let Some((_, open, _)) = self.stack.last() {
            return err("missing ), unterminated subpattern", *open);
        }
        if let Some(&(n, at)) = self.cond_refs.iter().find(|r| r.0 > self.closed.len()) {
            return err(format!("invalid group reference {n}"), at);
        }
        Ok(())
    }

    /// A `)` at `at`.
    fn close(&mut self, at: usize) -> Result<Last, String> {
        let Some((m, _, group)) = self.stack.pop() else {
            return err("unbalanced parenthesis", at);
        };
        match group {
            Group::Capture(g) => {
                if let Some(slot) = self.closed.get_mut(g - 1) {
                    *slot = true;
                }
                self.out.push(')');
            }
            Group::Look(start) => {
                self.out.push(')');
                self.mode = m;
                return Ok(Last::Look(start));
            }
            Group::Other => self.out.push(')'),
        }
        self.mode = m;
        Ok(Last::Atom)
    }

    /// The repeat `q` at `at` (its `?` or `+` modifier follows).
    fn repeat(&mut self, at: usize, q: &str) -> Result<Last, String> {
        let modifier = match self.peek() {
            Some(m @ ('?' | '+')) => {
                self.i += 1;
                Some(m)
            }
            _ => None,
        };
        match self.last {
            Last::Nothing | Last::Anchor => return err("nothing to repeat", at),
            Last::Repeat => return err("multiple repeat", at),
            Last::Atom => {
                self.out.push_str(q);
                self.out.extend(modifier);
            }
            // A repeated lookaround is the lookaround once, or optional when
            // it may be repeated zero times.
            Last::Look(start) => {
                let optional = matches!(q, "*" | "?") || q.starts_with("{0");
                if optional {
                    self.out.insert_str(start, "(?:");
                    self.out.push_str("|)");
                }
            }
        }
        Ok(Last::Repeat)
    }

    /// After a `{`: a repeat `{m}`, `{m,}`, `{,n}`, `{m,n}` (in
    /// `fancy_regex`'s syntax), or `None` for a literal `{`.
    fn brace(&mut self) -> Result<Option<String>, String> {
        let digits = |t: &mut Tr| {
            let start = t.i;
            while t.peek().is_some_and(|c| c.is_ascii_digit()) {
                t.i += 1;
            }
            t.src[start..t.i].iter().collect::<String>()
        };
        let here = self.i;
        let lo = digits(self);
        let hi = if self.peek() == Some(',') {
            self.i += 1;
            Some(digits(self))
        } else {
            None
        };
        let valid = self.peek() == Some('}') && !(lo.is_empty() && hi.is_none());
        if !valid {
            self.i = here;
            return Ok(None);
        }
        self.i += 1;
        let lo = if lo.is_empty() { "0".into() } else { lo };
        let n = |s: &str| s.parse::<u64>().unwrap_or(u64::MAX);
        if n(&lo) > 65535 || hi.as_deref().is_some_and(|h| !h.is_empty() && n(h) > 65535) {
            return err("the repetition number is too large", here);
        }
        Ok(Some(match hi {
            None => format!("{{{lo}}}"),
            Some(hi) if hi.is_empty() => format!("{{{lo},}}"),
            Some(hi) if n(&hi) < n(&lo) => return err("min repeat greater than max repeat", here),
            Some(hi) => format!("{{{lo},{hi}}}"),
        }))
    }

    /// Check a back-reference to group `g` (at `at`, its number at `num_at`).
    fn backref(&self, g: usize, at: usize, num_at: usize) -> Result<(), String> {
        match self.closed.get(g.wrapping_sub(1)) {
            None => err(format!("invalid group reference {g}"), num_at),
            Some(false) => err("cannot refer to an open group", at),
            Some(true) => Ok(()),
        }
    }

    /// Open capturing group `name` (if named).
    fn open_group(&mut self, at: usize, name: Option<(String, usize)>) -> Result<(), String> {
        self.closed.push(false);
        let n = self.closed.len();
        if let Some((name, name_at)) = name {
            if let Some((_, old)) = self.names.iter().find(|x| x.0 == name) {
                return err(
                    format!("redefinition of group name '{name}' as group {n}; was group {old}"),
                    name_at,
                );
            }
            self.names.push((name, n));
        }
        self.stack.push((self.mode, at, Group::Capture(n)));
        Ok(())
    }

    /// After a `(` at `at`.
    fn group(&mut self, at: usize) -> Result<Last, String> {
        if self.peek() != Some('?') {
            self.started = true;
            self.open_group(at, None)?;
            self.out.push('(');
            return Ok(Last::Nothing);
        }
        self.i += 1;
        if self.starts_with("#") {
            while let Some(c) = self.peek() {
                self.i += 1;
                if c == ')' {
                    return Ok(self.last);
                }
            }
            return err("missing ), unterminated comment", at);
        }
        let flags_ahead = self.peek().is_some_and(|c| "aiLmsux-".contains(c));
        if !flags_ahead {
            self.started = true;
        }
        for (plain, look) in [
            (":", false),
            (">", false),
            ("=", true),
            ("!", true),
            ("<=", true),
            ("<!", true),
        ] {
            if self.starts_with(plain) {
                self.i += plain.chars().count();
                let kind = if look {
                    Group::Look(self.out.len())
                } else {
                    Group::Other
                };
                self.stack.push((self.mode, at, kind));
                self.out.push_str("(?");
                self.out.push_str(plain);
                return Ok(Last::Nothing);
            }
        }
        if self.starts_with("P<") {
            self.i += 2;
            let name_at = self.i;
            let name = self.name('>', at)?;
            self.open_group(at, Some((name.clone(), name_at)))?;
            self.out.push_str(&format!("(?P<{name}>"));
            return Ok(Last::Nothing);
        }
        if self.starts_with("P=") {
            self.i += 2;
            let name_at = self.i;
            let name = self.name(')', at)?;
            let Some(&(_, g)) = self.names.iter().find(|x| x.0 == name) else {
                return err(format!("unknown group name '{name}'"), name_at);
            };
            self.backref(g, name_at, name_at)?;
            self.out.push_str(&format!("(?:\\k<{name}>)"));
            return Ok(Last::Atom);
        }
        if self.starts_with("(") {
            self.i += 1;
            self.conditional(at)?;
            return Ok(Last::Nothing);
        }
        self.flags(at)
    }

    /// After `(?(`: the group a conditional tests.
    fn conditional(&mut self, at: usize) -> Result<(), String> {
        let name_at = self.i;
        let name = self.name(')', at)?;
        if name.chars().all(|c| c.is_ascii_digit()) {
            match name.parse::<usize>() {
                Ok(0) | Err(_) => return err("bad group number", name_at),
                Ok(n) => self.cond_refs.push((n, name_at)),
            }
            self.out.push_str(&format!("(?({name})"));
        } else {
            if !self.names.iter().any(|x| x.0 == name) {
                return err(format!("unknown group name '{name}'"), name_at);
            }
            self.out.push_str(&format!("(?(<{name}>)"));
        }
        self.stack.push((self.mode, at, Group::Other));
        Ok(())
    }

    /// A group name up to `end` (consumed); it must be an identifier (or a
    /// number, for conditionals).
    fn name(&mut self, end: char, at: usize) -> Result<String, String> {
        let start = self.i;
        while let Some(c) = self.peek() {
            self.i += 1;
            if c == end {
                let name: String = self.src[start..self.i - 1].iter().collect();
                let ident = name
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_alphabetic() || c == '_')
                    && name.chars().all(|c| c.is_alphanumeric() || c == '_');
                let number = !name.is_empty() && name.chars().all(|c| c.is_ascii_digit());
                if ident || (end == ')' && number) {
                    return Ok(name);
                }
                return err(format!("bad character in group name '{name}'"), start);
            }
        }
        err("missing group name", at)
    }

    /// Inline flags: `(?aimsux)` (global: only at the start of the pattern),
    /// `(?imsx-imsx:...)`.
    fn flags(&mut self, at: usize) -> Result<Last, String> {
        let mut on = String::new();
        let mut off = String::new();
        let mut mode = self.mode;
        let mut negative = false;
        loop {
            let Some(c) = self.peek() else {
                return err("unexpected end of pattern", self.i);
            };
            self.i += 1;
            match c {
                ')' | ':' => {
                    if c == ')' && negative {
                        return err("missing :", self.i - 1);
                    }
                    let scoped = c == ':';
                    if scoped {
                        self.started = true;
                        self.stack.push((self.mode, at, Group::Other));
                    } else if self.started || !self.stack.is_empty() {
                        return err("global flags not at the start of the expression", at);
                    }
                    self.mode = mode;
                    let mut f = String::new();
                    if !on.is_empty() || !off.is_empty() {
                        f = format!("{on}{}{off}", if off.is_empty() { "" } else { "-" });
                    }
                    match (scoped, f.is_empty()) {
                        (true, true) => self.out.push_str("(?:"),
                        (true, false) => self.out.push_str(&format!("(?{f}:")),
                        (false, true) => {}
                        (false, false) => self.out.push_str(&format!("(?{f})")),
                    }
                    return Ok(if scoped { Last::Nothing } else { self.last });
                }
                '-' if !negative => negative = true,
                'i' | 's' => {
                    if negative { &mut off } else { &mut on }.push(c);
                }
                'm' => mode.multiline = !negative,
                'x' => mode.verbose = !negative,
                'a' if !negative => mode.ascii = true,
                'u' if !negative => {}
                'L' => {
                    return err(
                        "bad inline flags: cannot use 'L' flag with a str pattern",
                        at,
                    );
                }
                '<' => {
                    let next = self.peek().map(String::from).unwrap_or_default();
                    return err(format!("unknown extension ?<{next}"), at + 1);
                }
                c => return err(format!("unknown extension ?{c}"), at + 1),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_escaped_and_anchors_follow_python() {
        assert_eq!(translate("a{b}", 0).unwrap(), "a\\{b\\}");
        assert_eq!(translate("a{2,}", 0).unwrap(), "a{2,}");
        assert_eq!(translate("a{,3}", 0).unwrap(), "a{0,3}");
        assert_eq!(translate("x$", 0).unwrap(), "x(?=\\n?\\z)");
        assert_eq!(translate("^x$", M).unwrap(), "(?m:^)x(?m:$)");
        assert_eq!(translate("x\\Z", 0).unwrap(), "x\\z");
        assert_eq!(translate("[[&&]]", 0).unwrap(), "[\\[\\&\\&]\\]");
        assert_eq!(translate("\\<", 0).unwrap(), "<");
        assert_eq!(
            translate("(?P<n>a)(?P=n)", 0).unwrap(),
            "(?P<n>a)(?:\\k<n>)"
        );
        assert_eq!(translate("a # c\n b", X).unwrap(), "ab");
        assert_eq!(translate("(?x) a b", 0).unwrap(), "ab");
        assert_eq!(translate("(?i)a", 0).unwrap(), "(?i)a");
    }

    #[test]
    fn bad_patterns_are_python_errors() {
        assert_eq!(
            translate("\\h", 0).unwrap_err(),
            "bad escape \\h at position 0"
        );
        assert_eq!(
            translate("[a", 0).unwrap_err(),
            "unterminated character set at position 0"
        );
        assert_eq!(
            translate("(a", 0).unwrap_err(),
            "missing ), unterminated subpattern at position 0"
        );
        assert_eq!(
            translate("a)", 0).unwrap_err(),
            "unbalanced parenthesis at position 1"
        );
        assert!(translate("[z-a]", 0).is_err());
        for (p, e) in [
            ("(a)\\2", "invalid group reference 2 at position 4"),
            ("(a\\1)", "cannot refer to an open group at position 2"),
            ("(?P<x>a)(?P=y)", "unknown group name 'y' at position 12"),
            (
                "(?P<x>a(?P=x))",
                "cannot refer to an open group at position 11",
            ),
            ("(?(1)a|b)", "invalid group reference 1 at position 3"),
            ("(?(x)a)", "unknown group name 'x' at position 3"),
            ("(?(0)a)", "bad group number at position 3"),
            (
                "(?P<x>a)(?P<x>b)",
                "redefinition of group name 'x' as group 2; was group 1 at position 12",
            ),
        ] {
            assert_eq!(translate(p, 0).unwrap_err(), e, "{p}");
        }
        assert!(translate("(a)(?(1)b|c)\\1", 0).is_ok());
        for (p, e) in [
            ("\\b*", "nothing to repeat at position 2"),
            ("|*", "nothing to repeat at position 1"),
            ("a**", "multiple repeat at position 2"),
            ("a*?+", "multiple repeat at position 3"),
            ("a{2}{3}", "multiple repeat at position 4"),
            ("x{2,1}", "min repeat greater than max repeat at position 2"),
            (
                "a(?i)",
                "global flags not at the start of the expression at position 1",
            ),
            (
                "(?:(?i)a)",
                "global flags not at the start of the expression at position 3",
            ),
        ] {
            assert_eq!(translate(p, 0).unwrap_err(), e, "{p}");
        }
        assert_eq!(
            translate("(?=a)*b(?<!c){2}", 0).unwrap(),
            "(?:(?=a)|)b(?<!c)"
        );
        for p in [
            "(?=a)*",
            "a??",
            "a{2}+",
            "(?i)(?m)a",
            "(?#c)(?i)a",
            "(?x) (?i)a",
            "a{,}",
        ] {
            assert!(translate(p, 0).is_ok(), "{p}");
        }
    }
}
