//! Expression parser: precedence climbing for binary operators, displays,
//! comprehensions, calls, subscripts, lambdas and string literals.

use std::rc::Rc;

use super::ast::{
    Arg, BinOp, Body, CmpOp, Comp, CompFor, CompKind, DictItem, Expr, ExprKind, FPart, FuncDef,
    UnOp,
};
use super::lexer::Tok;
use super::parser::{PResult, Parser, SyntaxError, is_keyword};
use super::strlit;
use super::value::Value;

fn mk(line: u32, kind: ExprKind) -> Expr {
    Expr { line, kind }
}

fn bx(e: Expr) -> Box<Expr> {
    Box::new(e)
}

impl Parser<'_> {
    /// A comma-separated list of expressions (a tuple if there is a comma);
    /// `star` allows `*x` items.
    pub(crate) fn exprlist(&mut self, star: bool) -> PResult<Expr> {
        let line = self.cur.line;
        let first = self.test_or_star(star)?;
        if !self.is_op(",") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_op(",") {
            if self.at_list_end() {
                break;
            }
            items.push(self.test_or_star(star)?);
        }
        Ok(mk(line, ExprKind::Tuple(items)))
    }

    fn at_list_end(&self) -> bool {
        matches!(
            self.cur.tok,
            Tok::Newline | Tok::Eof | Tok::Op("=" | ")" | "]" | "}" | ":" | ";")
        ) || matches!(self.cur.tok, Tok::Op(o) if o.len() >= 2 && o.ends_with('='))
            || self.is_kw("in")
    }

    fn test_or_star(&mut self, star: bool) -> PResult<Expr> {
        if star && self.is_op("*") {
            let line = self.cur.line;
            self.advance();
            let e = self.binary(1)?;
            return Ok(mk(line, ExprKind::Starred(bx(e))));
        }
        self.test()
    }

    /// Targets of `for` (stops before `in`).
    pub(crate) fn target_list(&mut self) -> PResult<Expr> {
        let line = self.cur.line;
        let mut items = Vec::new();
        let mut comma = false;
        loop {
            let e = if self.eat_op("*") {
                mk(line, ExprKind::Starred(bx(self.binary(1)?)))
            } else {
                self.binary(1)?
            };
            items.push(e);
            if !self.eat_op(",") {
                break;
            }
            comma = true;
            if self.is_kw("in") {
                break;
            }
        }
        match items.pop() {
            Some(e) if !comma && items.is_empty() => Ok(e),
            Some(e) => {
                items.push(e);
                Ok(mk(line, ExprKind::Tuple(items)))
            }
            None => Err(self.unexpected()),
        }
    }

    /// A full expression: lambda, conditional expression, or `name := value`.
    pub(crate) fn test(&mut self) -> PResult<Expr> {
        if self.simple_atom_ahead() {
            return self.atom();
        }
        self.enter()?;
        let r = self.test_inner();
        self.depth -= 1;
        r
    }

    /// Fast path: a literal or name followed by a token that ends an expression
    /// (most arguments of `test(...)` calls) needs no descent through the precedence
    /// levels.
    fn simple_atom_ahead(&mut self) -> bool {
        let atom = match self.cur.tok {
            Tok::Str(..) | Tok::Int(_) | Tok::Float(_) => true,
            Tok::Name(n) => !is_keyword(n) || matches!(n, "True" | "False" | "None"),
            _ => false,
        };
        atom && match self.peek() {
            Tok::Op(o) => matches!(
                o.as_bytes(),
                [b','] | [b')'] | [b']'] | [b'}'] | [b':'] | [b'='] | [b';']
            ),
            Tok::Newline | Tok::Eof => true,
            _ => false,
        }
    }

    fn test_inner(&mut self) -> PResult<Expr> {
        let line = self.cur.line;
        if self.eat_kw("lambda") {
            return self.lambda(line);
        }
        let e = self.or_test()?;
        if self.is_kw("if") {
            self.advance();
            let cond = self.or_test()?;
            self.expect_kw("else")?;
            let other = self.test()?;
            return Ok(mk(line, ExprKind::IfExp(bx(cond), bx(e), bx(other))));
        }
        if self.is_op(":=")
            && let ExprKind::Name(n) = &e.kind
        {
            let n = n.clone();
            self.advance();
            let v = self.test()?;
            return Ok(mk(line, ExprKind::Walrus(n, bx(v))));
        }
        Ok(e)
    }

    fn lambda(&mut self, line: u32) -> PResult<Expr> {
        let params = self.params(":", false)?;
        self.expect_op(":")?;
        let body = self.test()?;
        let def = FuncDef {
            name: Rc::from("<lambda>"),
            params,
            body: Body::Lambda(body),
            globals: Vec::new(),
            nonlocals: Vec::new(),
        };
        Ok(mk(line, ExprKind::Lambda(Rc::new(def))))
    }

    fn or_test(&mut self) -> PResult<Expr> {
        let mut l = self.and_test()?;
        while self.is_kw("or") {
            let line = self.cur.line;
            self.advance();
            let r = self.and_test()?;
            l = mk(line, ExprKind::Or(bx(l), bx(r)));
        }
        Ok(l)
    }

    fn and_test(&mut self) -> PResult<Expr> {
        let mut l = self.not_test()?;
        while self.is_kw("and") {
            let line = self.cur.line;
            self.advance();
            let r = self.not_test()?;
            l = mk(line, ExprKind::And(bx(l), bx(r)));
        }
        Ok(l)
    }

    fn not_test(&mut self) -> PResult<Expr> {
        if self.is_kw("not") {
            let line = self.cur.line;
            self.advance();
            self.enter()?;
            let e = self.not_test();
            self.depth -= 1;
            return Ok(mk(line, ExprKind::Unary(UnOp::Not, bx(e?))));
        }
        self.comparison()
    }

    fn cmp_op(&mut self) -> Option<CmpOp> {
        let op = match self.cur.tok {
            Tok::Op("==") => CmpOp::Eq,
            Tok::Op("!=") => CmpOp::Ne,
            Tok::Op("<") => CmpOp::Lt,
            Tok::Op("<=") => CmpOp::Le,
            Tok::Op(">") => CmpOp::Gt,
            Tok::Op(">=") => CmpOp::Ge,
            Tok::Name("in") => CmpOp::In,
            Tok::Name("is") => {
                self.advance();
                return Some(if self.eat_kw("not") {
                    CmpOp::IsNot
                } else {
                    CmpOp::Is
                });
            }
            Tok::Name("not") => {
                if self.peek() != &Tok::Name("in") {
                    return None;
                }
                self.advance();
                CmpOp::NotIn
            }
            _ => return None,
        };
        self.advance();
        Some(op)
    }

    fn comparison(&mut self) -> PResult<Expr> {
        let line = self.cur.line;
        let first = self.binary(1)?;
        let mut rest = Vec::new();
        while let Some(op) = self.cmp_op() {
            rest.push((op, self.binary(1)?));
        }
        if rest.is_empty() {
            return Ok(first);
        }
        Ok(mk(line, ExprKind::Compare(bx(first), rest)))
    }

    fn bin_op(&self) -> Option<(BinOp, u8)> {
        let Tok::Op(op) = self.cur.tok else {
            return None;
        };
        Some(match op {
            "|" => (BinOp::BitOr, 1),
            "^" => (BinOp::BitXor, 2),
            "&" => (BinOp::BitAnd, 3),
            "<<" => (BinOp::LShift, 4),
            ">>" => (BinOp::RShift, 4),
            "+" => (BinOp::Add, 5),
            "-" => (BinOp::Sub, 5),
            "*" => (BinOp::Mul, 6),
            "/" => (BinOp::Div, 6),
            "//" => (BinOp::FloorDiv, 6),
            "%" => (BinOp::Mod, 6),
            "@" => (BinOp::MatMul, 6),
            _ => return None,
        })
    }

    /// Binary operators from `|` (precedence 1) to `*` (6), left-associative.
    pub(crate) fn binary(&mut self, min: u8) -> PResult<Expr> {
        let mut l = self.unary()?;
        while let Some((op, prec)) = self.bin_op() {
            if prec < min {
                break;
            }
            let line = self.cur.line;
            self.advance();
            let r = if prec == 6 {
                self.unary()?
            } else {
                self.binary(prec + 1)?
            };
            l = mk(line, ExprKind::Binary(op, bx(l), bx(r)));
        }
        Ok(l)
    }

    fn unary(&mut self) -> PResult<Expr> {
        let op = match self.cur.tok {
            Tok::Op("-") => UnOp::Neg,
            Tok::Op("+") => UnOp::Pos,
            Tok::Op("~") => UnOp::Invert,
            _ => return self.power(),
        };
        let line = self.cur.line;
        self.advance();
        self.enter()?;
        let e = self.unary();
        self.depth -= 1;
        let e = e?;
        if let (UnOp::Neg, ExprKind::Const(Value::Int(i))) = (op, &e.kind)
            && let Some(n) = i.checked_neg()
        {
            return Ok(mk(line, ExprKind::Const(Value::Int(n))));
        }
        Ok(mk(line, ExprKind::Unary(op, bx(e))))
    }

    fn power(&mut self) -> PResult<Expr> {
        self.eat_kw("await");
        let base = self.primary_expr()?;
        if self.is_op("**") {
            let line = self.cur.line;
            self.advance();
            let exp = self.unary()?;
            return Ok(mk(line, ExprKind::Binary(BinOp::Pow, bx(base), bx(exp))));
        }
        Ok(base)
    }

    /// An atom with its trailers: calls, subscripts and attributes.
    pub(crate) fn primary_expr(&mut self) -> PResult<Expr> {
        let mut e = self.atom()?;
        loop {
            let line = self.cur.line;
            if self.eat_op("(") {
                let args = self.call_args()?;
                e = mk(line, ExprKind::Call(bx(e), args));
            } else if self.eat_op("[") {
                let idx = self.subscripts()?;
                self.expect_op("]")?;
                e = mk(line, ExprKind::Index(bx(e), bx(idx)));
            } else if self.eat_op(".") {
                let n = self.name()?;
                e = mk(line, ExprKind::Attr(bx(e), n));
            } else {
                return Ok(e);
            }
        }
    }

    fn call_args(&mut self) -> PResult<Vec<Arg>> {
        let mut args = Vec::new();
        while !self.is_op(")") {
            if self.eat_op("**") {
                args.push(Arg::StarStar(self.test()?));
            } else if self.eat_op("*") {
                args.push(Arg::Star(self.test()?));
            } else {
                let e = self.test()?;
                if self.is_op("=") {
                    let ExprKind::Name(n) = &e.kind else {
                        return Err(self.error("expression cannot be a keyword argument".into()));
                    };
                    let n = n.clone();
                    self.advance();
                    args.push(Arg::Kw(n, self.test()?));
                } else if self.is_kw("for") || self.is_kw("async") {
                    args.push(Arg::Pos(self.comprehension(CompKind::Gen, e, None)?));
                } else {
                    args.push(Arg::Pos(e));
                }
            }
            if !self.eat_op(",") {
                break;
            }
        }
        self.expect_op(")")?;
        Ok(args)
    }

    fn subscripts(&mut self) -> PResult<Expr> {
        let line = self.cur.line;
        let first = self.subscript()?;
        if !self.is_op(",") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_op(",") && !self.is_op("]") {
            items.push(self.subscript()?);
        }
        Ok(mk(line, ExprKind::Tuple(items)))
    }

    fn subscript(&mut self) -> PResult<Expr> {
        let line = self.cur.line;
        let lo = if self.is_op(":") {
            None
        } else {
            Some(self.test()?)
        };
        if !self.eat_op(":") {
            return lo.ok_or_else(|| self.unexpected());
        }
        let bound = |p: &mut Self| -> PResult<Option<Box<Expr>>> {
            if p.is_op(":") || p.is_op("]") || p.is_op(",") {
                Ok(None)
            } else {
                Ok(Some(bx(p.test()?)))
            }
        };
        let hi = bound(self)?;
        let step = if self.eat_op(":") { bound(self)? } else { None };
        Ok(mk(line, ExprKind::Slice(lo.map(bx), hi, step)))
    }

    fn comprehension(&mut self, kind: CompKind, elt: Expr, value: Option<Expr>) -> PResult<Expr> {
        let line = elt.line;
        let mut fors = Vec::new();
        while self.eat_kw("async") || self.is_kw("for") {
            self.expect_kw("for")?;
            let target = self.target_list()?;
            self.expect_kw("in")?;
            let iter = self.or_test()?;
            let mut conds = Vec::new();
            while self.eat_kw("if") {
                conds.push(self.or_test()?);
            }
            fors.push(CompFor {
                target,
                iter,
                conds,
            });
        }
        Ok(mk(
            line,
            ExprKind::Comp(Box::new(Comp {
                kind,
                elt,
                value,
                fors,
            })),
        ))
    }

    fn atom(&mut self) -> PResult<Expr> {
        let line = self.cur.line;
        let kind = match self.cur.tok {
            Tok::Int(i) => ExprKind::Const(Value::Int(i)),
            Tok::Float(f) => ExprKind::Const(Value::Float(f)),
            Tok::BigInt => return Err(self.error("integer literal too large".into())),
            Tok::Str(..) => return self.strings(),
            Tok::Op("(") => return self.paren(),
            Tok::Op("[") => return self.list_display(),
            Tok::Op("{") => return self.brace_display(),
            Tok::Op("...") => ExprKind::Const(Value::None),
            Tok::Name("None") => ExprKind::Const(Value::None),
            Tok::Name("True") => ExprKind::Const(Value::Bool(true)),
            Tok::Name("False") => ExprKind::Const(Value::Bool(false)),
            Tok::Name(n) if !is_keyword(n) => ExprKind::Name(Rc::from(n)),
            _ => return Err(self.unexpected()),
        };
        self.advance();
        Ok(mk(line, kind))
    }

    fn strings(&mut self) -> PResult<Expr> {
        let line = self.cur.line;
        let mut parts: Vec<FPart> = Vec::new();
        let mut plain = String::new();
        let mut any_f = false;
        while let Tok::Str(flags, body) = self.cur.tok {
            if flags.fmt {
                any_f = true;
                if !plain.is_empty() {
                    parts.push(FPart::Lit(Rc::from(std::mem::take(&mut plain))));
                }
                parts.extend(strlit::fstring(self, body, flags.raw, self.cur.line, 0)?);
            } else {
                let text = strlit::decode(body, flags.raw).map_err(|m| SyntaxError {
                    line: self.cur.line,
                    msg: format!("syntax error: {m}"),
                })?;
                plain.push_str(&text);
            }
            self.advance();
        }
        if !any_f {
            return Ok(mk(line, ExprKind::Const(Value::Str(Rc::from(plain)))));
        }
        if !plain.is_empty() {
            parts.push(FPart::Lit(Rc::from(plain)));
        }
        Ok(mk(line, ExprKind::FStr(parts)))
    }

    fn paren(&mut self) -> PResult<Expr> {
        let line = self.cur.line;
        self.advance();
        if self.eat_op(")") {
            return Ok(mk(line, ExprKind::Tuple(Vec::new())));
        }
        if self.is_kw("yield") {
            return Err(self.error("unsupported: yield".into()));
        }
        let first = self.test_or_star(true)?;
        if self.is_kw("for") || self.is_kw("async") {
            let e = self.comprehension(CompKind::Gen, first, None)?;
            self.expect_op(")")?;
            return Ok(e);
        }
        if !self.is_op(",") {
            self.expect_op(")")?;
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_op(",") && !self.is_op(")") {
            items.push(self.test_or_star(true)?);
        }
        self.expect_op(")")?;
        Ok(mk(line, ExprKind::Tuple(items)))
    }

    fn list_display(&mut self) -> PResult<Expr> {
        let line = self.cur.line;
        self.advance();
        let mut items = Vec::new();
        if self.eat_op("]") {
            return Ok(mk(line, ExprKind::List(items)));
        }
        let first = self.test_or_star(true)?;
        if self.is_kw("for") || self.is_kw("async") {
            let e = self.comprehension(CompKind::List, first, None)?;
            self.expect_op("]")?;
            return Ok(e);
        }
        items.push(first);
        while self.eat_op(",") && !self.is_op("]") {
            items.push(self.test_or_star(true)?);
        }
        self.expect_op("]")?;
        Ok(mk(line, ExprKind::List(items)))
    }

    fn brace_display(&mut self) -> PResult<Expr> {
        let line = self.cur.line;
        self.advance();
        if self.eat_op("}") {
            return Ok(mk(line, ExprKind::Dict(Vec::new())));
        }
        let mut pairs = Vec::new();
        if self.eat_op("**") {
            pairs.push(DictItem::Spread(self.binary(1)?));
        } else {
            let first = self.test_or_star(true)?;
            if !self.eat_op(":") {
                return self.set_display(line, first);
            }
            let v = self.test()?;
            if self.is_kw("for") || self.is_kw("async") {
                let e = self.comprehension(CompKind::Dict, first, Some(v))?;
                self.expect_op("}")?;
                return Ok(e);
            }
            pairs.push(DictItem::Pair(first, v));
        }
        while self.eat_op(",") && !self.is_op("}") {
            if self.eat_op("**") {
                pairs.push(DictItem::Spread(self.binary(1)?));
            } else {
                let k = self.test()?;
                self.expect_op(":")?;
                pairs.push(DictItem::Pair(k, self.test()?));
            }
        }
        self.expect_op("}")?;
        Ok(mk(line, ExprKind::Dict(pairs)))
    }

    fn set_display(&mut self, line: u32, first: Expr) -> PResult<Expr> {
        if self.is_kw("for") || self.is_kw("async") {
            let e = self.comprehension(CompKind::Set, first, None)?;
            self.expect_op("}")?;
            return Ok(e);
        }
        let mut items = vec![first];
        while self.eat_op(",") && !self.is_op("}") {
            items.push(self.test_or_star(true)?);
        }
        self.expect_op("}")?;
        Ok(mk(line, ExprKind::Set(items)))
    }
}
