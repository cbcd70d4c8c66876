//! Statements: simple and compound statements, blocks, `def` parameters and
//! imports (the `Parser` itself is in `parser.rs`).

use std::rc::Rc;

use super::ast::{BinOp, Body, Expr, FuncDef, Handler, Name, Param, ParamKind, Stmt, StmtKind};
use super::lexer::Tok;
use super::parser::{PResult, Parser};

impl Parser<'_> {
    pub(crate) fn statement(&mut self, out: &mut Vec<Stmt>) -> PResult<()> {
        let line = self.cur.line;
        let kind = match self.cur.tok {
            Tok::Name("if") => self.if_stmt()?,
            Tok::Name("while") => self.while_stmt()?,
            Tok::Name("for") => self.for_stmt()?,
            Tok::Name("try") => self.try_stmt()?,
            Tok::Name("def") => self.def_stmt(Vec::new())?,
            Tok::Op("@") => self.decorated()?,
            Tok::Name("class") => self.skip_compound("class")?,
            Tok::Name("with") => self.skip_compound("with")?,
            Tok::Name("async") => {
                self.advance();
                match self.cur.tok {
                    Tok::Name("def") => self.def_stmt(Vec::new())?,
                    Tok::Name("for") => self.for_stmt()?,
                    Tok::Name("with") => self.skip_compound("with")?,
                    _ => return Err(self.unexpected()),
                }
            }
            _ => return self.simple_stmts(out),
        };
        out.push(Stmt { line, kind });
        Ok(())
    }

    fn simple_stmts(&mut self, out: &mut Vec<Stmt>) -> PResult<()> {
        loop {
            let line = self.cur.line;
            let kind = self.small_stmt()?;
            out.push(Stmt { line, kind });
            if !self.eat_op(";") || matches!(self.cur.tok, Tok::Newline | Tok::Eof) {
                break;
            }
        }
        match self.cur.tok {
            Tok::Newline => {
                self.advance();
                Ok(())
            }
            Tok::Eof => Ok(()),
            _ => Err(self.unexpected()),
        }
    }

    /// A block after `:`: a simple statement list on the same line, or an indented block.
    pub(crate) fn suite(&mut self) -> PResult<Vec<Stmt>> {
        self.expect_op(":")?;
        self.enter()?;
        let mut out = Vec::new();
        if self.cur.tok != Tok::Newline {
            self.simple_stmts(&mut out)?;
            self.depth -= 1;
            return Ok(out);
        }
        self.advance();
        if self.cur.tok != Tok::Indent {
            return Err(self.error("expected an indented block".into()));
        }
        self.advance();
        while !matches!(self.cur.tok, Tok::Dedent | Tok::Eof) {
            if self.cur.tok == Tok::Newline {
                self.advance();
                continue;
            }
            self.statement(&mut out)?;
        }
        self.advance();
        self.depth -= 1;
        Ok(out)
    }

    fn if_stmt(&mut self) -> PResult<StmtKind> {
        self.advance();
        let mut arms = Vec::new();
        let cond = self.test()?;
        arms.push((cond, self.suite()?));
        let mut orelse = Vec::new();
        loop {
            if self.eat_kw("elif") {
                let cond = self.test()?;
                arms.push((cond, self.suite()?));
            } else if self.eat_kw("else") {
                orelse = self.suite()?;
                break;
            } else {
                break;
            }
        }
        Ok(StmtKind::If(arms, orelse))
    }

    fn while_stmt(&mut self) -> PResult<StmtKind> {
        self.advance();
        let cond = self.test()?;
        let body = self.suite()?;
        let orelse = if self.eat_kw("else") {
            self.suite()?
        } else {
            Vec::new()
        };
        Ok(StmtKind::While(cond, body, orelse))
    }

    fn for_stmt(&mut self) -> PResult<StmtKind> {
        self.advance();
        let target = self.target_list()?;
        self.expect_kw("in")?;
        let iter = self.exprlist(true)?;
        let body = self.suite()?;
        let orelse = if self.eat_kw("else") {
            self.suite()?
        } else {
            Vec::new()
        };
        Ok(StmtKind::For(target, iter, body, orelse))
    }

    fn try_stmt(&mut self) -> PResult<StmtKind> {
        self.advance();
        let body = self.suite()?;
        let mut handlers = Vec::new();
        while self.eat_kw("except") {
            self.eat_op("*");
            let mut name = None;
            if !self.is_op(":") {
                self.test()?;
                if self.eat_kw("as") || self.eat_op(",") {
                    name = Some(self.name()?);
                }
            }
            handlers.push(Handler {
                name,
                body: self.suite()?,
            });
        }
        let orelse = if self.eat_kw("else") {
            self.suite()?
        } else {
            Vec::new()
        };
        let finally = if self.eat_kw("finally") {
            self.suite()?
        } else {
            Vec::new()
        };
        if handlers.is_empty() && finally.is_empty() {
            return Err(self.error("expected 'except' or 'finally'".into()));
        }
        Ok(StmtKind::Try {
            body,
            handlers,
            orelse,
            finally,
        })
    }

    fn decorated(&mut self) -> PResult<StmtKind> {
        let mut decorators = Vec::new();
        while self.eat_op("@") {
            decorators.push(self.test()?);
            if self.cur.tok != Tok::Newline {
                return Err(self.unexpected());
            }
            self.advance();
        }
        self.eat_kw("async");
        match self.cur.tok {
            Tok::Name("def") => self.def_stmt(decorators),
            Tok::Name("class") => self.skip_compound("class"),
            _ => Err(self.unexpected()),
        }
    }

    fn def_stmt(&mut self, decorators: Vec<Expr>) -> PResult<StmtKind> {
        self.advance();
        let name = self.name()?;
        self.expect_op("(")?;
        let params = self.params(")", true)?;
        self.expect_op(")")?;
        if self.eat_op("->") {
            self.test()?;
        }
        let body = self.suite()?;
        let (mut globals, mut nonlocals) = (Vec::new(), Vec::new());
        collect_decls(&body, &mut globals, &mut nonlocals);
        let def = FuncDef {
            name,
            params,
            body: Body::Block(body),
            globals,
            nonlocals,
        };
        Ok(StmtKind::Def(Rc::new(def), decorators))
    }

    /// Parameters up to `close` (`)` for def, `:` for lambda).
    pub(crate) fn params(&mut self, close: &str, annotations: bool) -> PResult<Vec<Param>> {
        let mut params: Vec<Param> = Vec::new();
        let mut kw_only = false;
        while !self.is_op(close) {
            let kind = if self.eat_op("**") {
                ParamKind::VarKw
            } else if self.eat_op("*") {
                kw_only = true;
                if self.is_op(",") || self.is_op(close) {
                    self.eat_op(",");
                    continue;
                }
                ParamKind::VarArgs
            } else if self.eat_op("/") {
                self.eat_op(",");
                continue;
            } else if kw_only {
                ParamKind::KwOnly
            } else {
                ParamKind::Normal
            };
            let name = self.name()?;
            if annotations && self.eat_op(":") {
                self.test()?;
            }
            let default = if self.eat_op("=") {
                Some(self.test()?)
            } else {
                None
            };
            if params.iter().any(|p| p.name == name) {
                return Err(self.error(format!("duplicate argument '{name}'")));
            }
            params.push(Param {
                name,
                kind,
                default,
            });
            if !self.eat_op(",") {
                break;
            }
        }
        Ok(params)
    }

    /// `class` and `with`: parsed (header skipped) but not supported.
    fn skip_compound(&mut self, what: &'static str) -> PResult<StmtKind> {
        self.advance();
        let mut depth = 0u32;
        loop {
            match self.cur.tok {
                Tok::Op("(" | "[" | "{") => depth += 1,
                Tok::Op(")" | "]" | "}") => depth = depth.saturating_sub(1),
                Tok::Op(":") if depth == 0 => break,
                Tok::Newline | Tok::Eof | Tok::Error(_) => return Err(self.unexpected()),
                _ => {}
            }
            self.advance();
        }
        self.suite()?;
        Ok(StmtKind::Unsupported(what))
    }

    fn small_stmt(&mut self) -> PResult<StmtKind> {
        let Tok::Name(word) = self.cur.tok else {
            return self.expr_stmt();
        };
        Ok(match word {
            "pass" => {
                self.advance();
                StmtKind::Pass
            }
            "break" => {
                self.advance();
                StmtKind::Break
            }
            "continue" => {
                self.advance();
                StmtKind::Continue
            }
            "return" => {
                self.advance();
                StmtKind::Return(if self.at_stmt_end() {
                    None
                } else {
                    Some(self.exprlist(true)?)
                })
            }
            "raise" => {
                self.advance();
                let e = if self.at_stmt_end() {
                    None
                } else {
                    Some(self.test()?)
                };
                if self.eat_kw("from") {
                    self.test()?;
                }
                StmtKind::Raise(e)
            }
            "global" | "nonlocal" => {
                self.advance();
                let mut names = vec![self.name()?];
                while self.eat_op(",") {
                    names.push(self.name()?);
                }
                if word == "global" {
                    StmtKind::Global(names)
                } else {
                    StmtKind::Nonlocal(names)
                }
            }
            "del" => {
                self.advance();
                let mut targets = vec![self.primary_expr()?];
                while self.eat_op(",") && !self.at_stmt_end() {
                    targets.push(self.primary_expr()?);
                }
                StmtKind::Del(targets)
            }
            "assert" => {
                self.advance();
                let cond = self.test()?;
                let msg = if self.eat_op(",") {
                    Some(self.test()?)
                } else {
                    None
                };
                StmtKind::Assert(cond, msg)
            }
            "import" => self.import()?,
            "from" => self.import_from()?,
            _ => self.expr_stmt()?,
        })
    }

    fn at_stmt_end(&self) -> bool {
        matches!(self.cur.tok, Tok::Newline | Tok::Eof | Tok::Op(";"))
    }

    fn dotted(&mut self) -> PResult<Name> {
        let mut s = String::new();
        while self.eat_op(".") || self.eat_op("...") {
            s.push('.');
        }
        s.push_str(&self.name()?);
        while self.eat_op(".") {
            s.push('.');
            s.push_str(&self.name()?);
        }
        Ok(Rc::from(s))
    }

    fn import(&mut self) -> PResult<StmtKind> {
        self.advance();
        let mut items = Vec::new();
        loop {
            let m = self.dotted()?;
            let alias = if self.eat_kw("as") {
                Some(self.name()?)
            } else {
                None
            };
            items.push((m, alias));
            if !self.eat_op(",") {
                return Ok(StmtKind::Import(items));
            }
        }
    }

    fn import_from(&mut self) -> PResult<StmtKind> {
        self.advance();
        let m = self.dotted()?;
        self.expect_kw("import")?;
        if self.eat_op("*") {
            return Ok(StmtKind::ImportFrom(m, vec![(Rc::from("*"), None)]));
        }
        let paren = self.eat_op("(");
        let mut items = Vec::new();
        loop {
            let n = self.name()?;
            let alias = if self.eat_kw("as") {
                Some(self.name()?)
            } else {
                None
            };
            items.push((n, alias));
            if !self.eat_op(",") || (paren && self.is_op(")")) {
                break;
            }
        }
        if paren {
            self.expect_op(")")?;
        }
        Ok(StmtKind::ImportFrom(m, items))
    }

    fn expr_stmt(&mut self) -> PResult<StmtKind> {
        let first = self.exprlist(true)?;
        if let Tok::Op(op) = self.cur.tok {
            if let Some(bin) = aug_op(op) {
                self.advance();
                let value = self.exprlist(true)?;
                return Ok(StmtKind::AugAssign(first, bin, value));
            }
            if op == ":" {
                self.advance();
                self.test()?;
                let value = if self.eat_op("=") {
                    Some(self.exprlist(true)?)
                } else {
                    None
                };
                return Ok(StmtKind::AnnAssign(first, value));
            }
        }
        if !self.is_op("=") {
            return Ok(StmtKind::Expr(first));
        }
        let mut exprs = vec![first];
        while self.eat_op("=") {
            exprs.push(self.exprlist(true)?);
        }
        let value = exprs.pop().ok_or_else(|| self.unexpected())?;
        Ok(StmtKind::Assign(exprs, value))
    }
}

fn aug_op(op: &str) -> Option<BinOp> {
    Some(match op {
        "+=" => BinOp::Add,
        "-=" => BinOp::Sub,
        "*=" => BinOp::Mul,
        "/=" => BinOp::Div,
        "//=" => BinOp::FloorDiv,
        "%=" => BinOp::Mod,
        "**=" => BinOp::Pow,
        "@=" => BinOp::MatMul,
        "<<=" => BinOp::LShift,
        ">>=" => BinOp::RShift,
        "|=" => BinOp::BitOr,
        "&=" => BinOp::BitAnd,
        "^=" => BinOp::BitXor,
        _ => return None,
    })
}

/// `global` / `nonlocal` names declared in a function body (not in nested defs).
fn collect_decls(body: &[Stmt], globals: &mut Vec<Name>, nonlocals: &mut Vec<Name>) {
    for s in body {
        match &s.kind {
            StmtKind::Global(n) => globals.extend(n.iter().cloned()),
            StmtKind::Nonlocal(n) => nonlocals.extend(n.iter().cloned()),
            StmtKind::If(arms, orelse) => {
                for (_, b) in arms {
                    collect_decls(b, globals, nonlocals);
                }
                collect_decls(orelse, globals, nonlocals);
            }
            StmtKind::For(_, _, b, e) | StmtKind::While(_, b, e) => {
                collect_decls(b, globals, nonlocals);
                collect_decls(e, globals, nonlocals);
            }
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finally,
            } => {
                collect_decls(body, globals, nonlocals);
                for h in handlers {
                    collect_decls(&h.body, globals, nonlocals);
                }
                collect_decls(orelse, globals, nonlocals);
                collect_decls(finally, globals, nonlocals);
            }
            _ => {}
        }
    }
}
