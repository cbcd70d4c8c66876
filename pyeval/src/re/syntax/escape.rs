//! Escapes, literals and character classes of Python patterns, written in
//! `fancy_regex`'s syntax.

use super::{Last, Tr, err};

/// One member of a character class: a single character, or a set (`\d`).
enum ClassAtom {
    Char(char),
    Set(String),
}

/// `c` as a literal outside a class.
pub(super) fn lit(out: &mut String, c: char) {
    match c {
        '<' | '>' => out.push(c),
        c if c.is_ascii_punctuation() => {
            out.push('\\');
            out.push(c);
        }
        c if c.is_ascii_control() || c == ' ' => out.push_str(&format!("\\x{:02X}", c as u32)),
        c => out.push(c),
    }
}

/// `c` as a literal inside a class.
fn class_lit(out: &mut String, c: char) {
    match c {
        c if c.is_ascii_punctuation() => {
            out.push('\\');
            out.push(c);
        }
        c if c.is_ascii_control() || c == ' ' => out.push_str(&format!("\\x{:02X}", c as u32)),
        c => out.push(c),
    }
}

fn hex_value(digits: &[char]) -> Option<u32> {
    let s: String = digits.iter().collect();
    u32::from_str_radix(&s, 16).ok()
}

impl Tr {
    pub(super) fn escape(&mut self, at: usize) -> Result<Last, String> {
        let Some(c) = self.peek() else {
            return err("bad escape (end of pattern)", at);
        };
        self.i += 1;
        let ascii = self.mode.ascii;
        let anchor = match c {
            'A' => Some("\\A"),
            'Z' => Some("\\z"),
            'b' => Some("\\b"),
            // Python's `\B` does not match in an empty string.
            'B' => Some("(?:(?!\\A\\z)\\B)"),
            _ => None,
        };
        if let Some(a) = anchor {
            self.out.push_str(a);
            return Ok(Last::Anchor);
        }
        let s = match c {
            'd' if ascii => "[0-9]",
            'D' if ascii => "[^0-9]",
            'w' if ascii => "[0-9A-Za-z_]",
            'W' if ascii => "[^0-9A-Za-z_]",
            's' if ascii => "[ \\t\\n\\r\\x0B\\x0C]",
            'S' if ascii => "[^ \\t\\n\\r\\x0B\\x0C]",
            'd' => "\\d",
            'D' => "\\D",
            'w' => "\\w",
            'W' => "\\W",
            's' => "[\\s\\x1C-\\x1F]",
            'S' => "[^\\s\\x1C-\\x1F]",
            '1'..='9' if !self.octal_ahead(c) => {
                let mut n = c.to_string();
                if let Some(d) = self.peek().filter(char::is_ascii_digit) {
                    n.push(d);
                    self.i += 1;
                }
                let g = n.parse::<usize>().unwrap_or(usize::MAX);
                self.backref(g, at, at + 1)?;
                self.out.push_str(&format!("(?:\\{n})"));
                return Ok(Last::Atom);
            }
            _ => {
                let ch = self.char_escape(c, at)?;
                lit(&mut self.out, ch);
                return Ok(Last::Atom);
            }
        };
        self.out.push_str(s);
        Ok(Last::Atom)
    }

    /// Whether `\c` (with `c` a digit, already consumed) starts a three-digit
    /// octal escape.
    fn octal_ahead(&self, c: char) -> bool {
        let oct = |c: Option<char>| c.is_some_and(|c| ('0'..='7').contains(&c));
        oct(Some(c)) && oct(self.peek()) && oct(self.peek_at(1))
    }

    /// The character that escape `\c` (with `c` consumed) stands for.
    fn char_escape(&mut self, c: char, at: usize) -> Result<char, String> {
        let ch = match c {
            'a' => '\x07',
            'f' => '\x0c',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\x0b',
            'x' => self.hex(2, at)?,
            'u' => self.hex(4, at)?,
            'U' => self.hex(8, at)?,
            '0'..='7' => {
                let mut v = c.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match self.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            self.i += 1;
                        }
                        None => break,
                    }
                }
                if v > 0o377 {
                    return err(
                        format!("octal escape value \\{v:o} outside of range 0-0o377"),
                        at,
                    );
                }
                char::from_u32(v).unwrap_or('\0')
            }
            c if c.is_ascii_alphanumeric() => return err(format!("bad escape \\{c}"), at),
            c => c,
        };
        Ok(ch)
    }

    fn hex(&mut self, n: usize, at: usize) -> Result<char, String> {
        let digits: Vec<char> = (0..n).filter_map(|k| self.peek_at(k)).collect();
        if digits.len() < n || !digits.iter().all(char::is_ascii_hexdigit) {
            let shown: String = self.src[at..(self.i + digits.len()).min(self.src.len())]
                .iter()
                .take_while(|c| **c == '\\' || c.is_ascii_alphanumeric())
                .collect();
            return err(format!("incomplete escape {shown}"), at);
        }
        self.i += n;
        match hex_value(&digits).and_then(char::from_u32) {
            Some(c) => Ok(c),
            None => err("bad escape: not a Unicode character", at),
        }
    }

    pub(super) fn class(&mut self, at: usize) -> Result<(), String> {
        self.out.push('[');
        if self.peek() == Some('^') {
            self.i += 1;
            self.out.push('^');
        }
        let mut first = true;
        loop {
            let Some(c) = self.peek() else {
                return err("unterminated character set", at);
            };
            if c == ']' && !first {
                self.i += 1;
                break;
            }
            first = false;
            let lo_at = self.i;
            let lo = self.class_atom()?;
            let range = self.peek() == Some('-') && self.peek_at(1).is_some_and(|c| c != ']');
            if !range {
                self.push_atom(lo);
                continue;
            }
            let dash = self.i;
            self.i += 1;
            let hi = self.class_atom()?;
            match (lo, hi) {
                (ClassAtom::Char(a), ClassAtom::Char(b)) if a <= b => {
                    class_lit(&mut self.out, a);
                    self.out.push('-');
                    class_lit(&mut self.out, b);
                }
                (ClassAtom::Char(a), ClassAtom::Char(b)) => {
                    return err(format!("bad character range {a}-{b}"), lo_at);
                }
                _ => return err("bad character range", dash),
            }
        }
        self.out.push(']');
        Ok(())
    }

    fn push_atom(&mut self, a: ClassAtom) {
        match a {
            ClassAtom::Char(c) => class_lit(&mut self.out, c),
            ClassAtom::Set(s) => self.out.push_str(&s),
        }
    }

    fn class_atom(&mut self) -> Result<ClassAtom, String> {
        let at = self.i;
        let Some(c) = self.peek() else {
            return err("unterminated character set", at);
        };
        self.i += 1;
        if c != '\\' {
            return Ok(ClassAtom::Char(c));
        }
        let Some(e) = self.peek() else {
            return err("bad escape (end of pattern)", at);
        };
        self.i += 1;
        let ascii = self.mode.ascii;
        let set = match e {
            'd' if ascii => "0-9",
            'w' if ascii => "0-9A-Za-z_",
            's' if ascii => " \\t\\n\\r\\x0B\\x0C",
            'd' => "\\d",
            'w' => "\\w",
            's' => "\\s\\x1C-\\x1F",
            'D' if ascii => "[^0-9]",
            'W' if ascii => "[^0-9A-Za-z_]",
            'S' if ascii => "[^ \\t\\n\\r\\x0B\\x0C]",
            'D' => "\\D",
            'W' => "\\W",
            'S' => "\\S",
            'b' => return Ok(ClassAtom::Char('\x08')),
            '8' | '9' | 'A' | 'Z' | 'B' => return err(format!("bad escape \\{e}"), at),
            _ => return Ok(ClassAtom::Char(self.char_escape(e, at)?)),
        };
        Ok(ClassAtom::Set(set.into()))
    }
}
