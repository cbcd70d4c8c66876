//! The interpreter: executes statements, with a step budget and a recursion limit.
//! Expressions are in `eval.rs`, calls and iteration in `call.rs`.

use std::rc::Rc;

use super::Host;
use super::Limits;
use super::ast::{Stmt, StmtKind};
use super::modules;
use super::scope::Scope;
use super::value::{Function, Value};

/// A runtime error: message, line (0 until known), and whether `except` may catch it.
#[derive(Debug)]
pub struct PyErr {
    pub msg: String,
    pub line: u32,
    pub fatal: bool,
}

/// Non-local control flow: errors, `return`, `break` and `continue`.
#[derive(Debug)]
pub enum Ctrl {
    Err(Box<PyErr>),
    Return(Value),
    Break,
    Continue,
}

/// Result of executing or evaluating something.
pub type R<T> = Result<T, Ctrl>;

/// A catchable error with this message.
pub fn err<T>(msg: impl Into<String>) -> R<T> {
    Err(Ctrl::Err(Box::new(PyErr {
        msg: msg.into(),
        line: 0,
        fatal: false,
    })))
}

/// Map a message error to a catchable error.
pub fn lift<T>(r: Result<T, String>) -> R<T> {
    r.or_else(err)
}

/// Where names are looked up: the globals and the innermost local scope.
#[derive(Clone)]
pub struct Ctx {
    pub globals: Rc<Scope>,
    pub locals: Option<Rc<Scope>>,
}

/// The evaluator's state: limits, steps taken, current recursion depth.
pub struct Interp {
    pub(crate) limits: Limits,
    pub(crate) steps: u64,
    pub(crate) depth: u32,
    /// The line of the statement running now.
    pub(crate) line: u32,
}

impl Interp {
    /// A fresh interpreter.
    pub fn new(limits: Limits) -> Self {
        Interp {
            limits,
            steps: 0,
            depth: 0,
            line: 0,
        }
    }

    /// Call any callable value (Python function, lambda, builtin, bound method, host
    /// value) with arguments.
    pub fn call(
        &mut self,
        host: &mut dyn Host,
        f: &Value,
        args: Vec<Value>,
        kwargs: Vec<(Rc<str>, Value)>,
    ) -> Result<Value, String> {
        match self.call_value(host, f, args, kwargs, 0) {
            Ok(v) => Ok(v),
            Err(Ctrl::Err(e)) => Err(e.msg),
            Err(Ctrl::Return(v)) => Ok(v),
            Err(Ctrl::Break | Ctrl::Continue) => Err("'break' or 'continue' outside a loop".into()),
        }
    }

    /// Count one step; a fatal error once the budget is spent.
    pub(crate) fn step(&mut self) -> R<()> {
        self.steps += 1;
        if self.steps > self.limits.max_steps {
            return Err(fatal("step limit reached (possible infinite loop)"));
        }
        Ok(())
    }

    /// Count `n` steps of bulk work.
    pub(crate) fn charge(&mut self, n: usize) -> R<()> {
        self.steps = self.steps.saturating_add((n / 16) as u64);
        self.step()
    }

    pub(crate) fn enter(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > self.limits.max_depth {
            self.depth -= 1;
            return Err(fatal("recursion limit reached"));
        }
        Ok(())
    }

    /// Whether the step budget is spent.
    pub(crate) fn exhausted(&self) -> bool {
        self.steps > self.limits.max_steps
    }

    pub(crate) fn exec_block(&mut self, h: &mut dyn Host, cx: &Ctx, body: &[Stmt]) -> R<()> {
        for s in body {
            self.exec(h, cx, s)?;
        }
        Ok(())
    }

    /// Execute one statement.
    pub(crate) fn exec(&mut self, h: &mut dyn Host, cx: &Ctx, s: &Stmt) -> R<()> {
        self.step()?;
        self.enter()?;
        self.line = s.line;
        let r = self.exec_inner(h, cx, s);
        self.depth -= 1;
        r.map_err(|c| with_line(c, s.line))
    }

    fn exec_inner(&mut self, h: &mut dyn Host, cx: &Ctx, s: &Stmt) -> R<()> {
        match &s.kind {
            StmtKind::Expr(e) => self.eval(h, cx, e).map(drop),
            StmtKind::Assign(targets, value) => {
                let v = self.eval(h, cx, value)?;
                for t in targets {
                    self.assign(h, cx, t, v.clone())?;
                }
                Ok(())
            }
            StmtKind::AugAssign(t, op, value) => self.aug_assign(h, cx, t, *op, value),
            StmtKind::AnnAssign(t, value) => match value {
                Some(v) => {
                    let v = self.eval(h, cx, v)?;
                    self.assign(h, cx, t, v)
                }
                None => Ok(()),
            },
            StmtKind::If(arms, orelse) => {
                for (cond, body) in arms {
                    if self.eval(h, cx, cond)?.truthy() {
                        return self.exec_block(h, cx, body);
                    }
                }
                self.exec_block(h, cx, orelse)
            }
            StmtKind::For(t, iter, body, orelse) => self.exec_for(h, cx, t, iter, body, orelse),
            StmtKind::While(cond, body, orelse) => self.exec_while(h, cx, cond, body, orelse),
            StmtKind::Def(def, decorators) => {
                let mut f = self.make_function(h, cx, def)?;
                for d in decorators.iter().rev() {
                    let d = self.eval(h, cx, d)?;
                    f = self.call_value(h, &d, vec![f], Vec::new(), s.line)?;
                }
                self.store_name(cx, &def.name, f)
            }
            StmtKind::Return(e) => {
                let v = match e {
                    Some(e) => self.eval(h, cx, e)?,
                    None => Value::None,
                };
                Err(Ctrl::Return(v))
            }
            StmtKind::Pass | StmtKind::Global(_) | StmtKind::Nonlocal(_) => Ok(()),
            StmtKind::Break => Err(Ctrl::Break),
            StmtKind::Continue => Err(Ctrl::Continue),
            StmtKind::Assert(cond, msg) => {
                if self.eval(h, cx, cond)?.truthy() {
                    return Ok(());
                }
                let m = match msg {
                    Some(m) => format!("AssertionError: {}", self.eval(h, cx, m)?.py_str()),
                    None => "AssertionError".into(),
                };
                err(m)
            }
            StmtKind::Del(targets) => {
                for t in targets {
                    self.delete(h, cx, t)?;
                }
                Ok(())
            }
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finally,
            } => self.exec_try(h, cx, body, handlers, orelse, finally),
            StmtKind::Raise(e) => {
                let m = match e {
                    Some(e) => self.eval(h, cx, e)?.py_str(),
                    None => "RuntimeError: re-raise".into(),
                };
                err(format!("raised {m}"))
            }
            StmtKind::Import(items) => {
                for (m, alias) in items {
                    match alias {
                        Some(a) => self.store_name(cx, a, modules::import(m))?,
                        None => {
                            let top = m.split('.').next().unwrap_or(m);
                            self.store_name(cx, &Rc::from(top), modules::import(top))?;
                        }
                    }
                }
                Ok(())
            }
            StmtKind::ImportFrom(m, items) => {
                let module = modules::import(m);
                for (n, alias) in items {
                    if &**n == "*" {
                        continue;
                    }
                    let v = match &module {
                        Value::Module(md) => {
                            let v = modules::attr(md.name, n).unwrap_or(Value::Unknown(n.clone()));
                            if !matches!(v, Value::Builtin(_)) {
                                modules::note_stub(h, &format!("{}.{n}", md.name), self.line);
                            }
                            v
                        }
                        _ => Value::Unknown(n.clone()),
                    };
                    self.store_name(cx, alias.as_ref().unwrap_or(n), v)?;
                }
                Ok(())
            }
            StmtKind::Unsupported(what) => err(format!("unsupported statement '{what}'")),
        }
    }

    fn exec_loop_body(&mut self, h: &mut dyn Host, cx: &Ctx, body: &[Stmt]) -> R<bool> {
        match self.exec_block(h, cx, body) {
            Ok(()) | Err(Ctrl::Continue) => Ok(true),
            Err(Ctrl::Break) => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn exec_for(
        &mut self,
        h: &mut dyn Host,
        cx: &Ctx,
        target: &super::ast::Expr,
        iter: &super::ast::Expr,
        body: &[Stmt],
        orelse: &[Stmt],
    ) -> R<()> {
        let it = self.eval(h, cx, iter)?;
        let mut it = self.iter(&it)?;
        while let Some(v) = it.next_item() {
            self.step()?;
            self.assign(h, cx, target, v)?;
            if !self.exec_loop_body(h, cx, body)? {
                return Ok(());
            }
        }
        self.exec_block(h, cx, orelse)
    }

    fn exec_while(
        &mut self,
        h: &mut dyn Host,
        cx: &Ctx,
        cond: &super::ast::Expr,
        body: &[Stmt],
        orelse: &[Stmt],
    ) -> R<()> {
        while self.eval(h, cx, cond)?.truthy() {
            self.step()?;
            if !self.exec_loop_body(h, cx, body)? {
                return Ok(());
            }
        }
        self.exec_block(h, cx, orelse)
    }

    fn exec_try(
        &mut self,
        h: &mut dyn Host,
        cx: &Ctx,
        body: &[Stmt],
        handlers: &[super::ast::Handler],
        orelse: &[Stmt],
        finally: &[Stmt],
    ) -> R<()> {
        let mut r = self.exec_block(h, cx, body);
        if let Err(Ctrl::Err(e)) = &r {
            if !e.fatal
                && let Some(hd) = handlers.first()
            {
                if let Some(n) = &hd.name {
                    self.store_name(cx, n, Value::Str(Rc::from(e.msg.as_str())))?;
                }
                r = self.exec_block(h, cx, &hd.body);
            }
        } else if r.is_ok() {
            r = self.exec_block(h, cx, orelse);
        }
        if !finally.is_empty() {
            if let Err(Ctrl::Err(e)) = &r
                && e.fatal
            {
                return r;
            }
            self.exec_block(h, cx, finally)?;
        }
        r
    }

    pub(crate) fn make_function(
        &mut self,
        h: &mut dyn Host,
        cx: &Ctx,
        def: &Rc<super::ast::FuncDef>,
    ) -> R<Value> {
        let mut defaults = Vec::new();
        for p in &def.params {
            if let Some(d) = &p.default {
                defaults.push(self.eval(h, cx, d)?);
            }
        }
        Ok(Value::Function(Rc::new(Function {
            def: def.clone(),
            defaults: defaults.into(),
            env: cx.locals.clone().into(),
            globals: cx.globals.clone(),
        })))
    }
}

/// A fatal (uncatchable) error.
pub fn fatal(msg: &str) -> Ctrl {
    Ctrl::Err(Box::new(PyErr {
        msg: msg.into(),
        line: 0,
        fatal: true,
    }))
}

/// Fill in the line of an error that has none yet.
pub fn with_line(c: Ctrl, line: u32) -> Ctrl {
    match c {
        Ctrl::Err(mut e) if e.line == 0 => {
            e.line = line;
            Ctrl::Err(e)
        }
        c => c,
    }
}
