//! The parser: recursive descent over the token stream, one top-level statement
//! at a time, so that a syntax error only loses the statement it is in. This
//! file holds the parser's state and token helpers; statements are parsed in
//! `stmt.rs`, expressions in `expr.rs`.

use std::rc::Rc;

use super::ast::{Expr, Name, Stmt};
use super::lexer::{Lexer, Tok, Token, next_col0_line};

/// A syntax error: line and message.
#[derive(Debug)]
pub struct SyntaxError {
    pub line: u32,
    pub msg: String,
}

/// Parse result.
pub type PResult<T> = Result<T, SyntaxError>;

/// Whether `n` is a Python keyword (never an identifier).
pub fn is_keyword(n: &str) -> bool {
    matches!(
        n,
        "False"
            | "None"
            | "True"
            | "and"
            | "as"
            | "assert"
            | "async"
            | "await"
            | "break"
            | "class"
            | "continue"
            | "def"
            | "del"
            | "elif"
            | "else"
            | "except"
            | "finally"
            | "for"
            | "from"
            | "global"
            | "if"
            | "import"
            | "in"
            | "is"
            | "lambda"
            | "nonlocal"
            | "not"
            | "or"
            | "pass"
            | "raise"
            | "return"
            | "try"
            | "while"
            | "with"
            | "yield"
    )
}

/// The parser: owns a lexer and one token of lookahead (plus one more on demand).
pub struct Parser<'a> {
    pub(crate) src: &'a str,
    lex: Lexer<'a>,
    pub(crate) cur: Token<'a>,
    peeked: Option<Token<'a>>,
    pub(crate) depth: u32,
    pub(crate) max_depth: u32,
    restart: (usize, u32),
}

impl<'a> Parser<'a> {
    /// A parser over a whole file; nesting deeper than `max_depth` is a syntax error.
    pub fn new(src: &'a str, max_depth: u32) -> Self {
        let mut lex = Lexer::new(src, 0, 1);
        let cur = lex.next_token();
        Parser {
            src,
            lex,
            cur,
            peeked: None,
            depth: 0,
            max_depth,
            restart: (0, 1),
        }
    }

    /// The next top-level statements (one logical line or one compound statement):
    /// `None` at the end of the file. After an error, parsing resumes at the next line
    /// that starts at column 0.
    pub fn next_stmts(&mut self) -> Option<PResult<Vec<Stmt>>> {
        while matches!(self.cur.tok, Tok::Newline | Tok::Indent | Tok::Dedent) {
            if self.cur.tok == Tok::Indent {
                let line = self.cur.line;
                self.recover(line);
                return Some(Err(SyntaxError {
                    line,
                    msg: "unexpected indent".into(),
                }));
            }
            self.advance();
        }
        if self.cur.tok == Tok::Eof {
            return None;
        }
        let mut out = Vec::new();
        self.depth = 0;
        match self.statement(&mut out) {
            Ok(()) => Some(Ok(out)),
            Err(e) => {
                self.recover(e.line);
                Some(Err(e))
            }
        }
    }

    fn recover(&mut self, line: u32) {
        match next_col0_line(self.src, self.restart, line.max(self.restart.1)) {
            Some((pos, n)) => {
                self.restart = (pos, n);
                self.lex = Lexer::new(self.src, pos, n);
            }
            None => self.lex = Lexer::new("", 0, line),
        }
        self.peeked = None;
        self.cur = self.lex.next_token();
    }

    /// Parse an f-string field's expression text.
    pub(crate) fn sub_expr(&self, text: &str, line: u32) -> PResult<Expr> {
        let mut lex = Lexer::new(text, 0, line);
        lex.open_bracket();
        let cur = lex.next_token();
        let mut p = Parser {
            src: text,
            lex,
            cur,
            peeked: None,
            depth: self.depth + 1,
            max_depth: self.max_depth,
            restart: (0, line),
        };
        let e = p.exprlist(true)?;
        if !matches!(p.cur.tok, Tok::Eof | Tok::Newline) {
            return Err(p.unexpected());
        }
        Ok(e)
    }

    pub(crate) fn advance(&mut self) -> Token<'a> {
        let next = match self.peeked.take() {
            Some(t) => t,
            None => self.lex.next_token(),
        };
        std::mem::replace(&mut self.cur, next)
    }

    pub(crate) fn peek(&mut self) -> &Tok<'a> {
        if self.peeked.is_none() {
            self.peeked = Some(self.lex.next_token());
        }
        match &self.peeked {
            Some(t) => &t.tok,
            None => &Tok::Eof,
        }
    }

    pub(crate) fn is_op(&self, op: &str) -> bool {
        matches!(self.cur.tok, Tok::Op(o) if o == op)
    }

    pub(crate) fn is_kw(&self, kw: &str) -> bool {
        matches!(self.cur.tok, Tok::Name(n) if n == kw)
    }

    pub(crate) fn eat_op(&mut self, op: &str) -> bool {
        let yes = self.is_op(op);
        if yes {
            self.advance();
        }
        yes
    }

    pub(crate) fn eat_kw(&mut self, kw: &str) -> bool {
        let yes = self.is_kw(kw);
        if yes {
            self.advance();
        }
        yes
    }

    pub(crate) fn expect_op(&mut self, op: &str) -> PResult<()> {
        if self.eat_op(op) {
            Ok(())
        } else {
            Err(self.error(format!("expected '{op}'")))
        }
    }

    pub(crate) fn expect_kw(&mut self, kw: &str) -> PResult<()> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            Err(self.error(format!("expected '{kw}'")))
        }
    }

    pub(crate) fn error(&self, what: String) -> SyntaxError {
        if let Tok::Error(m) = &self.cur.tok {
            return SyntaxError {
                line: self.cur.line,
                msg: format!("syntax error: {m}"),
            };
        }
        SyntaxError {
            line: self.cur.line,
            msg: format!("syntax error: {what}"),
        }
    }

    pub(crate) fn unexpected(&self) -> SyntaxError {
        let what = match &self.cur.tok {
            Tok::Name(n) => format!("unexpected '{n}'"),
            Tok::Op(o) => format!("unexpected '{o}'"),
            Tok::Newline => "unexpected end of line".into(),
            Tok::Indent => "unexpected indent".into(),
            Tok::Dedent => "unexpected dedent".into(),
            Tok::Eof => "unexpected end of file".into(),
            _ => "unexpected token".into(),
        };
        self.error(what)
    }

    /// An identifier (not a keyword).
    pub(crate) fn name(&mut self) -> PResult<Name> {
        match self.cur.tok {
            Tok::Name(n) if !is_keyword(n) => {
                self.advance();
                Ok(Rc::from(n))
            }
            _ => Err(self.error("expected a name".into())),
        }
    }

    pub(crate) fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(self.error("too deeply nested".into()));
        }
        Ok(())
    }
}
