//! Calls (argument passing and binding), comprehensions, and iteration.

use std::cell::RefCell;
use std::rc::Rc;

use super::Host;
use super::ast::{Arg, Body, Comp, CompKind, Expr, ExprKind, ParamKind};
use super::builtins;
use super::interp::{Ctrl, Ctx, Interp, R, err, lift};
use super::methods;
use super::ops;
use super::scope::Scope;
use super::value::{Dict, Function, Value, range_len};

/// A lazy iterator over a value.
pub enum PyIter {
    Items(std::vec::IntoIter<Value>),
    Shared(Rc<RefCell<std::vec::IntoIter<Value>>>),
    Range(i64, i64, i64),
    Chars(Rc<str>, usize),
}

impl PyIter {
    /// The next item.
    pub fn next_item(&mut self) -> Option<Value> {
        match self {
            PyIter::Items(it) => it.next(),
            PyIter::Shared(it) => it.borrow_mut().next(),
            PyIter::Range(cur, stop, step) => {
                let more = if *step > 0 {
                    *cur < *stop
                } else {
                    *cur > *stop
                };
                if !more {
                    return None;
                }
                let v = *cur;
                match cur.checked_add(*step) {
                    Some(n) => *cur = n,
                    None => *stop = *cur,
                }
                Some(Value::Int(v))
            }
            PyIter::Chars(s, pos) => {
                let c = s.get(*pos..)?.chars().next()?;
                *pos += c.len_utf8();
                Some(Value::Str(Rc::from(c.encode_utf8(&mut [0; 4]) as &str)))
            }
        }
    }
}

impl Interp {
    /// An iterator over `v` (`Unknown` yields nothing).
    pub(crate) fn iter(&mut self, v: &Value) -> R<PyIter> {
        Ok(match v {
            Value::List(l) => PyIter::Items(l.borrow().clone().into_iter()),
            Value::Tuple(t) => PyIter::Items(t.iter().cloned().collect::<Vec<_>>().into_iter()),
            Value::Dict(d) | Value::Set(d) => PyIter::Items(d.borrow().keys().into_iter()),
            Value::Str(s) => PyIter::Chars(s.clone(), 0),
            Value::Range(a, b, s) => PyIter::Range(*a, *b, *s),
            Value::Iter(it) => PyIter::Shared(it.clone()),
            Value::Unknown(_) => PyIter::Items(Vec::new().into_iter()),
            _ => {
                return err(format!(
                    "TypeError: '{}' object is not iterable",
                    v.type_name()
                ));
            }
        })
    }

    /// All items of an iterable, within the length cap.
    pub(crate) fn collect(&mut self, v: &Value) -> R<Vec<Value>> {
        match v {
            Value::List(l) => return Ok(l.borrow().clone()),
            Value::Tuple(t) => return Ok(t.to_vec()),
            Value::Range(a, b, s) => {
                let n = usize::try_from(range_len(*a, *b, *s)).unwrap_or(usize::MAX);
                lift(ops::check_len(n, self.limits.max_len))?;
                self.charge(n)?;
            }
            _ => {}
        }
        let mut it = self.iter(v)?;
        let mut out = Vec::new();
        while let Some(x) = it.next_item() {
            out.push(x);
            if out.len() % 1024 == 0 {
                lift(ops::check_len(out.len(), self.limits.max_len))?;
                self.charge(1024)?;
            }
        }
        Ok(out)
    }

    pub(crate) fn eval_call(
        &mut self,
        h: &mut dyn Host,
        cx: &Ctx,
        f: &Expr,
        args: &[Arg],
        line: u32,
    ) -> R<Value> {
        if let ExprKind::Name(n) = &f.kind
            && args.is_empty()
            && matches!(&**n, "locals" | "globals")
            && !is_bound(cx, n)
        {
            return Ok(scope_dict(cx, &**n == "globals"));
        }
        let f = self.eval(h, cx, f)?;
        let mut pos = Vec::with_capacity(args.len());
        let mut kw: Vec<(Rc<str>, Value)> = Vec::new();
        for a in args {
            match a {
                Arg::Pos(e) => pos.push(self.eval(h, cx, e)?),
                Arg::Kw(n, e) => kw.push((n.clone(), self.eval(h, cx, e)?)),
                Arg::Star(e) => {
                    let v = self.eval(h, cx, e)?;
                    pos.extend(self.collect(&v)?);
                }
                Arg::StarStar(e) => match &self.eval(h, cx, e)? {
                    Value::Dict(d) => {
                        for (k, v) in d.borrow().entries() {
                            match k {
                                Value::Str(s) => kw.push((s.clone(), v.clone())),
                                _ => return err("TypeError: keywords must be strings"),
                            }
                        }
                    }
                    Value::Unknown(_) => {}
                    o => {
                        return err(format!(
                            "TypeError: argument after ** must be a mapping, not {}",
                            o.type_name()
                        ));
                    }
                },
            }
        }
        self.call_value(h, &f, pos, kw, line)
    }

    /// Call a callable value.
    pub(crate) fn call_value(
        &mut self,
        h: &mut dyn Host,
        f: &Value,
        args: Vec<Value>,
        kwargs: Vec<(Rc<str>, Value)>,
        line: u32,
    ) -> R<Value> {
        self.step()?;
        match f {
            Value::Function(func) => self.call_function(h, func, args, kwargs),
            Value::Builtin(name) => builtins::call(self, h, name, args, kwargs),
            Value::Method(m) => methods::call(self, h, &m.0, &m.1, args, kwargs),
            Value::Host(hv) => {
                self.enter()?;
                let r = h.call(self, hv, args, kwargs, line);
                self.depth -= 1;
                lift(r)
            }
            Value::Unknown(n) => Ok(Value::Unknown(n.clone())),
            _ => err(format!(
                "TypeError: '{}' object is not callable",
                f.type_name()
            )),
        }
    }

    fn call_function(
        &mut self,
        h: &mut dyn Host,
        f: &Rc<Function>,
        args: Vec<Value>,
        kwargs: Vec<(Rc<str>, Value)>,
    ) -> R<Value> {
        self.enter()?;
        let r = self.call_function_inner(h, f, args, kwargs);
        self.depth -= 1;
        r
    }

    fn call_function_inner(
        &mut self,
        h: &mut dyn Host,
        f: &Rc<Function>,
        args: Vec<Value>,
        kwargs: Vec<(Rc<str>, Value)>,
    ) -> R<Value> {
        let scope = Scope::new(f.env.borrow().clone(), Some(f.def.clone()));
        bind(f, &scope, args, kwargs)?;
        let cx = Ctx {
            globals: f.globals.clone(),
            locals: Some(scope),
        };
        match &f.def.body {
            Body::Lambda(e) => self.eval(h, &cx, e),
            Body::Block(b) => match self.exec_block(h, &cx, b) {
                Ok(()) => Ok(Value::None),
                Err(Ctrl::Return(v)) => Ok(v),
                Err(Ctrl::Break | Ctrl::Continue) => err("'break' or 'continue' outside a loop"),
                Err(e) => Err(e),
            },
        }
    }

    /// Evaluate a comprehension in its own scope.
    pub(crate) fn comprehension(&mut self, h: &mut dyn Host, cx: &Ctx, c: &Comp) -> R<Value> {
        let scope = Scope::new(cx.locals.clone(), None);
        let inner = Ctx {
            globals: cx.globals.clone(),
            locals: Some(scope),
        };
        let mut out = Vec::new();
        let mut dict = Dict::new();
        self.comp_level(h, &inner, c, 0, &mut out, &mut dict)?;
        Ok(match c.kind {
            CompKind::List => Value::list(out),
            CompKind::Gen => Value::Iter(Rc::new(RefCell::new(out.into_iter()))),
            CompKind::Set => Value::Set(Rc::new(RefCell::new(dict))),
            CompKind::Dict => Value::Dict(Rc::new(RefCell::new(dict))),
        })
    }

    fn comp_level(
        &mut self,
        h: &mut dyn Host,
        cx: &Ctx,
        c: &Comp,
        level: usize,
        out: &mut Vec<Value>,
        dict: &mut Dict,
    ) -> R<()> {
        let Some(clause) = c.fors.get(level) else {
            let k = self.eval(h, cx, &c.elt)?;
            match (c.kind, &c.value) {
                (CompKind::Dict, Some(v)) => {
                    let v = self.eval(h, cx, v)?;
                    lift(dict.insert(k, v))?;
                }
                (CompKind::Set, _) => lift(dict.insert(k, Value::None))?,
                _ => out.push(k),
            }
            if (out.len() + dict.len()) % 1024 == 1023 {
                lift(ops::check_len(out.len() + dict.len(), self.limits.max_len))?;
            }
            return Ok(());
        };
        let it = self.eval(h, cx, &clause.iter)?;
        let mut it = self.iter(&it)?;
        'items: while let Some(v) = it.next_item() {
            self.step()?;
            self.assign(h, cx, &clause.target, v)?;
            for cond in &clause.conds {
                if !self.eval(h, cx, cond)?.truthy() {
                    continue 'items;
                }
            }
            self.comp_level(h, cx, c, level + 1, out, dict)?;
        }
        Ok(())
    }
}

/// Whether `name` is bound in a local scope or the globals.
fn is_bound(cx: &Ctx, name: &str) -> bool {
    let mut sc = cx.locals.as_deref();
    while let Some(s) = sc {
        if s.get(name).is_some() {
            return true;
        }
        sc = s.parent.as_deref();
    }
    cx.globals.get(name).is_some()
}

/// `locals()` (the innermost scope: the function's, or the module's at top
/// level) or `globals()`, as a new dict with its names in sorted order.
fn scope_dict(cx: &Ctx, globals: bool) -> Value {
    let scope = match (&cx.locals, globals) {
        (Some(l), false) => l,
        _ => &cx.globals,
    };
    let mut vars: Vec<(Rc<str>, Value)> = scope
        .vars
        .borrow()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    vars.sort_by(|a, b| a.0.cmp(&b.0));
    let mut d = Dict::new();
    for (k, v) in vars {
        let _ = d.insert(Value::Str(k), v);
    }
    Value::Dict(Rc::new(RefCell::new(d)))
}

/// Bind arguments to a function's parameters in `scope`.
fn bind(f: &Function, scope: &Scope, args: Vec<Value>, kwargs: Vec<(Rc<str>, Value)>) -> R<()> {
    let def = &f.def;
    let defaults = f.defaults.borrow();
    let mut defaults = defaults.iter();
    let mut args = args.into_iter();
    let mut kwargs: Vec<Option<(Rc<str>, Value)>> = kwargs.into_iter().map(Some).collect();
    let mut take_kw = |name: &str| {
        kwargs
            .iter_mut()
            .find(|k| k.as_ref().is_some_and(|k| &*k.0 == name))
            .and_then(Option::take)
    };
    let mut var_kw = None;
    for p in &def.params {
        let default = if p.default.is_some() {
            defaults.next().cloned()
        } else {
            None
        };
        let v = match p.kind {
            ParamKind::VarArgs => Value::tuple(args.by_ref().collect()),
            ParamKind::VarKw => {
                var_kw = Some(p.name.clone());
                continue;
            }
            ParamKind::Normal | ParamKind::KwOnly => {
                let positional = if p.kind == ParamKind::Normal {
                    args.next()
                } else {
                    None
                };
                match (positional, take_kw(&p.name), default) {
                    (Some(_), Some(_), _) => {
                        return err(format!(
                            "TypeError: {}() got multiple values for argument '{}'",
                            def.name, p.name
                        ));
                    }
                    (Some(v), None, _) | (None, Some((_, v)), _) | (None, None, Some(v)) => v,
                    (None, None, None) => {
                        return err(format!(
                            "TypeError: {}() missing required argument: '{}'",
                            def.name, p.name
                        ));
                    }
                }
            }
        };
        scope.set(&p.name, v);
    }
    if args.next().is_some() {
        return err(format!(
            "TypeError: {}() takes {} positional arguments but more were given",
            def.name,
            def.params.len()
        ));
    }
    let rest: Vec<(Rc<str>, Value)> = kwargs.into_iter().flatten().collect();
    match var_kw {
        Some(name) => {
            let mut d = Dict::new();
            for (k, v) in rest {
                lift(d.insert(Value::Str(k), v))?;
            }
            scope.set(&name, Value::Dict(Rc::new(RefCell::new(d))));
        }
        None => {
            if let Some((k, _)) = rest.first() {
                return err(format!(
                    "TypeError: {}() got an unexpected keyword argument '{k}'",
                    def.name
                ));
            }
        }
    }
    Ok(())
}
