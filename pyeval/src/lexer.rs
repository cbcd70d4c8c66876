//! Tokenizer: turns source text into tokens, with Python's INDENT/DEDENT/NEWLINE rules
//! (tabs advance to the next multiple of 8, as in Python 2), line continuations,
//! implicit joining inside brackets, CRLF, and a leading BOM.
//!
//! The lexer is pulled one token at a time and can be restarted at any line, which is
//! how the parser recovers from a syntax error.

/// String literal prefix flags.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StrFlags {
    pub raw: bool,
    pub fmt: bool,
}

/// A token kind. Text is borrowed from the source.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok<'a> {
    Name(&'a str),
    Int(i64),
    /// An integer literal too large for 64 bits.
    BigInt,
    Float(f64),
    /// A string literal: its flags and the raw text between the quotes.
    Str(StrFlags, &'a str),
    Op(&'static str),
    Newline,
    Indent,
    Dedent,
    Eof,
    Error(String),
}

/// A token and the line it starts on.
#[derive(Clone, Debug)]
pub struct Token<'a> {
    pub tok: Tok<'a>,
    pub line: u32,
}

/// The operator starting with bytes `c`, `d`, `e`, if any.
fn operator(c: u8, d: u8, e: u8) -> Option<&'static str> {
    let eq = d == b'=';
    Some(match c {
        b'(' => "(",
        b')' => ")",
        b'[' => "[",
        b']' => "]",
        b'{' => "{",
        b'}' => "}",
        b',' => ",",
        b';' => ";",
        b'~' => "~",
        b':' if eq => ":=",
        b':' => ":",
        b'.' if d == b'.' && e == b'.' => "...",
        b'.' => ".",
        b'=' if eq => "==",
        b'=' => "=",
        b'!' if eq => "!=",
        b'-' if eq => "-=",
        b'-' if d == b'>' => "->",
        b'-' => "-",
        b'+' if eq => "+=",
        b'+' => "+",
        b'%' if eq => "%=",
        b'%' => "%",
        b'@' if eq => "@=",
        b'@' => "@",
        b'&' if eq => "&=",
        b'&' => "&",
        b'|' if eq => "|=",
        b'|' => "|",
        b'^' if eq => "^=",
        b'^' => "^",
        b'*' if d == b'*' && e == b'=' => "**=",
        b'*' if d == b'*' => "**",
        b'*' if eq => "*=",
        b'*' => "*",
        b'/' if d == b'/' && e == b'=' => "//=",
        b'/' if d == b'/' => "//",
        b'/' if eq => "/=",
        b'/' => "/",
        b'<' if d == b'<' && e == b'=' => "<<=",
        b'<' if d == b'<' => "<<",
        b'<' if eq => "<=",
        b'<' => "<",
        b'>' if d == b'>' && e == b'=' => ">>=",
        b'>' if d == b'>' => ">>",
        b'>' if eq => ">=",
        b'>' => ">",
        _ => return None,
    })
}

/// The tokenizer state.
pub struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    line: u32,
    indents: Vec<u32>,
    dedents: u32,
    parens: u32,
    at_bol: bool,
    line_has_tokens: bool,
    done: bool,
}

impl<'a> Lexer<'a> {
    /// A lexer starting at byte `pos` (the start of line `line`) with no indentation.
    pub fn new(src: &'a str, pos: usize, line: u32) -> Self {
        let pos = if pos == 0 && src.starts_with('\u{feff}') {
            3
        } else {
            pos
        };
        Lexer {
            src,
            pos,
            line,
            indents: vec![0],
            dedents: 0,
            parens: 0,
            at_bol: true,
            line_has_tokens: false,
            done: false,
        }
    }

    /// Act as if inside brackets (newlines and indentation are ignored): for the
    /// expressions of f-string fields.
    pub fn open_bracket(&mut self) {
        self.parens = 1;
        self.at_bol = false;
    }

    fn peek_byte(&self, off: usize) -> u8 {
        self.src
            .as_bytes()
            .get(self.pos + off)
            .copied()
            .unwrap_or(0)
    }

    /// The next token.
    pub fn next_token(&mut self) -> Token<'a> {
        let tok = self.next_inner();
        let line = self.line;
        match tok {
            Ok(t) => t,
            Err(msg) => {
                self.done = true;
                Token {
                    tok: Tok::Error(msg),
                    line,
                }
            }
        }
    }

    fn tok(&self, tok: Tok<'a>, line: u32) -> Result<Token<'a>, String> {
        Ok(Token { tok, line })
    }

    fn next_inner(&mut self) -> Result<Token<'a>, String> {
        if self.done {
            return self.tok(Tok::Eof, self.line);
        }
        if self.dedents > 0 {
            self.dedents -= 1;
            return self.tok(Tok::Dedent, self.line);
        }
        if self.at_bol
            && self.parens == 0
            && let Some(t) = self.indentation()?
        {
            return Ok(t);
        }
        loop {
            let c = self.peek_byte(0);
            match c {
                b' ' | b'\t' | 0x0c => self.pos += 1,
                b'#' => self.skip_comment(),
                b'\\' if matches!(self.peek_byte(1), b'\n' | b'\r') => {
                    self.pos += 1;
                    self.eat_newline();
                }
                b'\n' | b'\r' => {
                    let line = self.line;
                    self.eat_newline();
                    if self.parens == 0 {
                        self.at_bol = true;
                        if self.line_has_tokens {
                            self.line_has_tokens = false;
                            return self.tok(Tok::Newline, line);
                        }
                        if let Some(t) = self.indentation()? {
                            return Ok(t);
                        }
                    }
                }
                0 if self.pos >= self.src.len() => return self.eof(),
                _ => {
                    self.line_has_tokens = true;
                    return self.token();
                }
            }
        }
    }

    fn eof(&mut self) -> Result<Token<'a>, String> {
        if self.line_has_tokens {
            self.line_has_tokens = false;
            return self.tok(Tok::Newline, self.line);
        }
        if self.indents.len() > 1 {
            self.indents.pop();
            return self.tok(Tok::Dedent, self.line);
        }
        self.done = true;
        self.tok(Tok::Eof, self.line)
    }

    fn skip_comment(&mut self) {
        let rest = self.src.get(self.pos..).unwrap_or("");
        self.pos += rest.find(['\n', '\r']).unwrap_or(rest.len());
    }

    fn eat_newline(&mut self) {
        if self.peek_byte(0) == b'\r' && self.peek_byte(1) == b'\n' {
            self.pos += 2;
        } else {
            self.pos += 1;
        }
        self.line += 1;
    }

    /// At the start of a line: measure its indentation, skipping blank lines.
    fn indentation(&mut self) -> Result<Option<Token<'a>>, String> {
        loop {
            let mut col: u32 = 0;
            loop {
                match self.peek_byte(0) {
                    b' ' => col = col.saturating_add(1),
                    b'\t' => col = (col / 8 + 1).saturating_mul(8),
                    0x0c => col = 0,
                    _ => break,
                }
                self.pos += 1;
            }
            match self.peek_byte(0) {
                b'#' => self.skip_comment(),
                b'\n' | b'\r' => self.eat_newline(),
                b'\\' if matches!(self.peek_byte(1), b'\n' | b'\r') => {
                    self.at_bol = false;
                    return Ok(None);
                }
                0 if self.pos >= self.src.len() => {
                    self.at_bol = false;
                    return Ok(None);
                }
                _ => {
                    self.at_bol = false;
                    return self.indent_to(col);
                }
            }
        }
    }

    fn indent_to(&mut self, col: u32) -> Result<Option<Token<'a>>, String> {
        let top = self.indents.last().copied().unwrap_or(0);
        if col > top {
            self.indents.push(col);
            self.line_has_tokens = true;
            return Ok(Some(Token {
                tok: Tok::Indent,
                line: self.line,
            }));
        }
        let mut n = 0;
        while self.indents.last().copied().unwrap_or(0) > col {
            self.indents.pop();
            n += 1;
        }
        if self.indents.last().copied().unwrap_or(0) != col {
            return Err("unindent does not match any outer indentation level".into());
        }
        if n > 0 {
            self.dedents = n - 1;
            return Ok(Some(Token {
                tok: Tok::Dedent,
                line: self.line,
            }));
        }
        Ok(None)
    }

    fn token(&mut self) -> Result<Token<'a>, String> {
        let line = self.line;
        let c = self.peek_byte(0);
        if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            return self.name_or_string(line);
        }
        if c.is_ascii_digit() || (c == b'.' && self.peek_byte(1).is_ascii_digit()) {
            return self.number(line);
        }
        if c == b'"' || c == b'\'' {
            return self.string(StrFlags::default(), line);
        }
        if let Some(op) = operator(c, self.peek_byte(1), self.peek_byte(2)) {
            self.pos += op.len();
            match c {
                b'(' | b'[' | b'{' => self.parens = self.parens.saturating_add(1),
                b')' | b']' | b'}' => self.parens = self.parens.saturating_sub(1),
                _ => {}
            }
            return self.tok(Tok::Op(op), line);
        }
        let rest = self.src.get(self.pos..).unwrap_or("");
        let ch = rest.chars().next().unwrap_or('?');
        Err(format!("invalid character {ch:?}"))
    }

    fn name_or_string(&mut self, line: u32) -> Result<Token<'a>, String> {
        let start = self.pos;
        let rest = self.src.get(start..).unwrap_or("");
        let ascii = rest
            .bytes()
            .position(|b| !(b.is_ascii_alphanumeric() || b == b'_'));
        let len = match ascii {
            Some(i) if rest.as_bytes().get(i).is_some_and(|&b| b < 0x80) => i,
            None => rest.len(),
            Some(_) => rest
                .char_indices()
                .find(|&(_, ch)| !(ch.is_alphanumeric() || ch == '_'))
                .map_or(rest.len(), |(i, _)| i),
        };
        if len == 0 {
            let ch = rest.chars().next().unwrap_or('?');
            self.pos += ch.len_utf8().max(1);
            return Err(format!("invalid character {ch:?}"));
        }
        let word = rest.get(..len).unwrap_or("");
        self.pos += len;
        let q = self.peek_byte(0);
        if len <= 2 && (q == b'"' || q == b'\'') {
            let mut flags = StrFlags::default();
            let mut ok = true;
            for b in word.bytes() {
                match b.to_ascii_lowercase() {
                    b'r' => flags.raw = true,
                    b'f' => flags.fmt = true,
                    b'b' | b'u' => {}
                    _ => ok = false,
                }
            }
            if ok {
                return self.string(flags, line);
            }
        }
        self.tok(Tok::Name(word), line)
    }

    fn string(&mut self, flags: StrFlags, line: u32) -> Result<Token<'a>, String> {
        let q = self.peek_byte(0);
        let triple = self.peek_byte(1) == q && self.peek_byte(2) == q;
        let qlen = if triple { 3 } else { 1 };
        self.pos += qlen;
        let start = self.pos;
        loop {
            let c = self.peek_byte(0);
            if c == 0 && self.pos >= self.src.len() {
                return Err("unterminated string literal".into());
            }
            if c == b'\\' {
                self.pos += 1;
                if matches!(self.peek_byte(0), b'\n' | b'\r') {
                    self.eat_newline();
                } else {
                    self.pos += 1;
                }
                continue;
            }
            if c == b'\n' || c == b'\r' {
                if !triple {
                    return Err("unterminated string literal".into());
                }
                self.eat_newline();
                continue;
            }
            if c == q && (!triple || (self.peek_byte(1) == q && self.peek_byte(2) == q)) {
                let body = self.src.get(start..self.pos).unwrap_or("");
                self.pos += qlen;
                return self.tok(Tok::Str(flags, body), line);
            }
            self.pos += 1;
        }
    }

    fn number(&mut self, line: u32) -> Result<Token<'a>, String> {
        let bytes = self.src.as_bytes();
        let start = self.pos;
        let radix = match (self.peek_byte(0), self.peek_byte(1).to_ascii_lowercase()) {
            (b'0', b'x') => 16,
            (b'0', b'o') => 8,
            (b'0', b'b') => 2,
            _ => 10,
        };
        if radix != 10 {
            self.pos += 2;
            let s = self.pos;
            while bytes
                .get(self.pos)
                .is_some_and(|b| b.is_ascii_hexdigit() || *b == b'_')
            {
                self.pos += 1;
            }
            let digits: String = self.src.get(s..self.pos).unwrap_or("").replace('_', "");
            return match i64::from_str_radix(&digits, radix) {
                Ok(v) => self.tok(Tok::Int(v), line),
                Err(_) if !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix)) => {
                    self.tok(Tok::BigInt, line)
                }
                Err(_) => Err("invalid number literal".into()),
            };
        }
        let mut is_float = false;
        while let Some(&b) = bytes.get(self.pos) {
            if b.is_ascii_digit() || b == b'_' {
                self.pos += 1;
            } else if b == b'.' && !is_float {
                is_float = true;
                self.pos += 1;
            } else if (b == b'e' || b == b'E')
                && (bytes.get(self.pos + 1).is_some_and(u8::is_ascii_digit)
                    || (matches!(bytes.get(self.pos + 1), Some(b'+' | b'-'))
                        && bytes.get(self.pos + 2).is_some_and(u8::is_ascii_digit)))
            {
                is_float = true;
                self.pos += 2;
            } else {
                break;
            }
        }
        if matches!(bytes.get(self.pos), Some(b'j' | b'J')) {
            return Err("unsupported: complex literals".into());
        }
        let text = self.src.get(start..self.pos).unwrap_or("").replace('_', "");
        if is_float {
            return match text.parse::<f64>() {
                Ok(f) => self.tok(Tok::Float(f), line),
                Err(_) => Err("invalid number literal".into()),
            };
        }
        match text.parse::<i64>() {
            Ok(v) => self.tok(Tok::Int(v), line),
            Err(_) => self.tok(Tok::BigInt, line),
        }
    }
}

/// The byte offset and line number of the first line after `line` that starts at
/// column 0 with something other than whitespace or a comment, scanning from `from`
/// (the byte offset and number of a line at or before `line`).
pub fn next_col0_line(src: &str, from: (usize, u32), line: u32) -> Option<(usize, u32)> {
    let (mut pos, mut n) = from;
    let bytes = src.as_bytes();
    while pos < bytes.len() {
        let end = src
            .get(pos..)
            .and_then(|r| r.find('\n'))
            .map_or(bytes.len(), |i| pos + i);
        if n > line {
            let first = bytes.get(pos).copied().unwrap_or(b' ');
            if !matches!(first, b' ' | b'\t' | b'\r' | b'\n' | b'#' | 0x0c) {
                return Some((pos, n));
            }
        }
        pos = end + 1;
        n += 1;
    }
    None
}
