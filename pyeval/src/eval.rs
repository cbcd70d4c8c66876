//! Expression evaluation, names, assignment targets and attributes.

use std::cell::RefCell;
use std::rc::Rc;

use super::Host;
use super::ast::{BinOp, CmpOp, DictItem, Expr, ExprKind, FPart, UnOp};
use super::builtins;
use super::format;
use super::interp::{Ctx, Interp, R, err, lift, with_line};
use super::modules;
use super::ops;
use super::value::{Dict, Value};

impl Interp {
    /// Evaluate an expression.
    pub(crate) fn eval(&mut self, h: &mut dyn Host, cx: &Ctx, e: &Expr) -> R<Value> {
        match &e.kind {
            ExprKind::Const(v) => return Ok(v.clone()),
            ExprKind::Name(n) => return self.load(h, cx, n).map_err(|c| with_line(c, e.line)),
            _ => {}
        }
        self.enter()?;
        let r = self.eval_inner(h, cx, e);
        self.depth -= 1;
        r.map_err(|c| with_line(c, e.line))
    }

    fn eval_inner(&mut self, h: &mut dyn Host, cx: &Ctx, e: &Expr) -> R<Value> {
        match &e.kind {
            ExprKind::Const(v) => Ok(v.clone()),
            ExprKind::Name(n) => self.load(h, cx, n),
            ExprKind::FStr(parts) => self.fstring(h, cx, parts).map(|s| Value::Str(Rc::from(s))),
            ExprKind::List(items) => Ok(Value::list(self.eval_items(h, cx, items)?)),
            ExprKind::Tuple(items) => Ok(Value::tuple(self.eval_items(h, cx, items)?)),
            ExprKind::Set(items) => {
                let items = self.eval_items(h, cx, items)?;
                let mut d = Dict::new();
                for v in items {
                    lift(d.insert(v, Value::None))?;
                }
                Ok(Value::Set(Rc::new(RefCell::new(d))))
            }
            ExprKind::Dict(items) => self.eval_dict(h, cx, items),
            ExprKind::Starred(_) => err("can't use starred expression here"),
            ExprKind::Comp(c) => self.comprehension(h, cx, c),
            ExprKind::Attr(obj, name) => {
                let o = self.eval(h, cx, obj)?;
                self.get_attr(h, &o, name)
            }
            ExprKind::Index(obj, idx) => self.eval_index(h, cx, obj, idx),
            ExprKind::Slice(..) => err("unsupported: slice object outside a subscript"),
            ExprKind::Call(f, args) => self.eval_call(h, cx, f, args, e.line),
            ExprKind::Unary(op, x) => {
                let v = self.eval(h, cx, x)?;
                unary(*op, &v)
            }
            ExprKind::Binary(op, a, b) => {
                let a = self.eval(h, cx, a)?;
                let b = self.eval(h, cx, b)?;
                self.binop(*op, &a, &b)
            }
            ExprKind::And(a, b) => {
                let a = self.eval(h, cx, a)?;
                if !a.truthy() {
                    Ok(a)
                } else {
                    self.eval(h, cx, b)
                }
            }
            ExprKind::Or(a, b) => {
                let a = self.eval(h, cx, a)?;
                if a.truthy() {
                    Ok(a)
                } else {
                    self.eval(h, cx, b)
                }
            }
            ExprKind::Compare(first, rest) => self.compare_chain(h, cx, first, rest),
            ExprKind::IfExp(cond, a, b) => {
                if self.eval(h, cx, cond)?.truthy() {
                    self.eval(h, cx, a)
                } else {
                    self.eval(h, cx, b)
                }
            }
            ExprKind::Lambda(def) => self.make_function(h, cx, def),
            ExprKind::Walrus(n, v) => {
                let v = self.eval(h, cx, v)?;
                self.store_name(cx, n, v.clone())?;
                Ok(v)
            }
        }
    }

    /// `a op b`, with `Unknown` absorbing and strings formatted by `%`.
    pub(crate) fn binop(&mut self, op: BinOp, a: &Value, b: &Value) -> R<Value> {
        if let Value::Unknown(n) = a {
            return Ok(Value::Unknown(n.clone()));
        }
        if let Value::Unknown(n) = b {
            return Ok(Value::Unknown(n.clone()));
        }
        if let (BinOp::Mod, Value::Str(f)) = (op, a) {
            let s = lift(format::percent(f, b, self.limits.max_len))?;
            return Ok(Value::Str(Rc::from(s)));
        }
        if let (BinOp::Add, Value::List(x), Value::List(y)) = (op, a, b) {
            self.charge(x.borrow().len() + y.borrow().len())?;
        }
        lift(ops::binary(op, a, b, self.limits.max_len))
    }

    fn eval_items(&mut self, h: &mut dyn Host, cx: &Ctx, items: &[Expr]) -> R<Vec<Value>> {
        let mut out = Vec::with_capacity(items.len());
        for it in items {
            if let ExprKind::Starred(inner) = &it.kind {
                let v = self.eval(h, cx, inner)?;
                let mut it = self.iter(&v)?;
                while let Some(x) = it.next_item() {
                    self.step()?;
                    out.push(x);
                }
                lift(ops::check_len(out.len(), self.limits.max_len))?;
            } else {
                out.push(self.eval(h, cx, it)?);
            }
        }
        Ok(out)
    }

    fn eval_dict(&mut self, h: &mut dyn Host, cx: &Ctx, items: &[DictItem]) -> R<Value> {
        let mut d = Dict::new();
        for it in items {
            match it {
                DictItem::Pair(k, v) => {
                    let k = self.eval(h, cx, k)?;
                    let v = self.eval(h, cx, v)?;
                    lift(d.insert(k, v))?;
                }
                DictItem::Spread(e) => match &self.eval(h, cx, e)? {
                    Value::Dict(o) => {
                        for (k, v) in o.borrow().entries() {
                            lift(d.insert(k.clone(), v.clone()))?;
                        }
                    }
                    Value::Unknown(_) => {}
                    o => {
                        return err(format!(
                            "TypeError: '{}' object is not a mapping",
                            o.type_name()
                        ));
                    }
                },
            }
        }
        Ok(Value::Dict(Rc::new(RefCell::new(d))))
    }

    fn eval_index(&mut self, h: &mut dyn Host, cx: &Ctx, obj: &Expr, idx: &Expr) -> R<Value> {
        let o = self.eval(h, cx, obj)?;
        if let ExprKind::Slice(lo, hi, step) = &idx.kind {
            let b = self.slice_args(h, cx, [lo, hi, step])?;
            return match (&o, b) {
                (Value::Unknown(n), _) => Ok(Value::Unknown(n.clone())),
                (_, Err(n)) => Ok(Value::Unknown(n)),
                (_, Ok([lo, hi, step])) => lift(ops::slice(&o, lo, hi, step)),
            };
        }
        let i = self.eval(h, cx, idx)?;
        match (&o, &i) {
            (Value::Unknown(n), _) | (_, Value::Unknown(n)) => Ok(Value::Unknown(n.clone())),
            _ => lift(ops::index(&o, &i)),
        }
    }

    /// The bounds of a slice `lo:hi:step` (`Err` with the name of an unknown one).
    fn slice_args(
        &mut self,
        h: &mut dyn Host,
        cx: &Ctx,
        parts: [&Option<Box<Expr>>; 3],
    ) -> R<Result<[Option<i64>; 3], Rc<str>>> {
        let mut b = [None, None, None];
        for (slot, e) in b.iter_mut().zip(parts) {
            let Some(e) = e else { continue };
            match &self.eval(h, cx, e)? {
                Value::None => {}
                Value::Unknown(n) => return Ok(Err(n.clone())),
                v => match v.as_int() {
                    Some(i) => *slot = Some(i),
                    None => return err("TypeError: slice indices must be integers or None"),
                },
            }
        }
        Ok(Ok(b))
    }

    fn compare_chain(
        &mut self,
        h: &mut dyn Host,
        cx: &Ctx,
        first: &Expr,
        rest: &[(CmpOp, Expr)],
    ) -> R<Value> {
        let mut left = self.eval(h, cx, first)?;
        for (op, e) in rest {
            let right = self.eval(h, cx, e)?;
            let r = compare(*op, &left, &right)?;
            if !r.truthy() {
                return Ok(r);
            }
            left = right;
        }
        Ok(Value::Bool(true))
    }

    fn fstring(&mut self, h: &mut dyn Host, cx: &Ctx, parts: &[FPart]) -> R<String> {
        let mut out = String::new();
        for p in parts {
            match p {
                FPart::Lit(s) => out.push_str(s),
                FPart::Field { expr, conv, spec } => {
                    let v = self.eval(h, cx, expr)?;
                    let spec = self.fstring(h, cx, spec)?;
                    let v = match conv {
                        Some('r' | 'a') => Value::Str(Rc::from(v.repr())),
                        Some(_) => Value::Str(Rc::from(v.py_str())),
                        None => v,
                    };
                    out.push_str(&lift(format::format_value(&v, &spec, self.limits.max_len))?);
                }
            }
            if out.len() > self.limits.max_len {
                return err("MemoryError: string too long");
            }
        }
        Ok(out)
    }

    /// Read a name: locals (innermost first), globals, builtins, then the host.
    pub(crate) fn load(&mut self, h: &mut dyn Host, cx: &Ctx, name: &Rc<str>) -> R<Value> {
        let mut sc = cx.locals.as_deref();
        while let Some(s) = sc {
            if let Some(v) = s.get(name) {
                return Ok(v);
            }
            sc = s.parent.as_deref();
        }
        if let Some(v) = cx.globals.get(name) {
            return Ok(v);
        }
        if let Some(v) = builtins::lookup(name) {
            return Ok(v);
        }
        match h.global(name) {
            Some(v) => Ok(v),
            None => err(format!("name '{name}' is not defined")),
        }
    }

    /// Bind a name in the current scope (honouring `global` and `nonlocal`).
    pub(crate) fn store_name(&mut self, cx: &Ctx, name: &Rc<str>, v: Value) -> R<()> {
        let Some(local) = &cx.locals else {
            cx.globals.set(name, v);
            return Ok(());
        };
        if let Some(def) = &local.def {
            if def.globals.contains(name) {
                cx.globals.set(name, v);
                return Ok(());
            }
            if def.nonlocals.contains(name) {
                let mut sc = local.parent.as_deref();
                while let Some(s) = sc {
                    if s.vars.borrow().contains_key(name) {
                        s.set(name, v);
                        return Ok(());
                    }
                    sc = s.parent.as_deref();
                }
                return err(format!("no binding for nonlocal '{name}' found"));
            }
        }
        local.set(name, v);
        Ok(())
    }

    /// Assign to a target: name, tuple/list (unpacking), attribute or subscript.
    pub(crate) fn assign(&mut self, h: &mut dyn Host, cx: &Ctx, t: &Expr, v: Value) -> R<()> {
        match &t.kind {
            ExprKind::Name(n) => self.store_name(cx, n, v),
            ExprKind::Tuple(items) | ExprKind::List(items) => self.unpack(h, cx, items, v),
            ExprKind::Attr(obj, name) => {
                let o = self.eval(h, cx, obj)?;
                self.set_attr(h, &o, name, v)
            }
            ExprKind::Index(obj, idx) => {
                let o = self.eval(h, cx, obj)?;
                if let ExprKind::Slice(lo, hi, step) = &idx.kind {
                    let Ok(b) = self.slice_args(h, cx, [lo, hi, step])? else {
                        return Ok(());
                    };
                    let items = self.collect(&v)?;
                    return lift(ops::set_slice(&o, b, items));
                }
                let i = self.eval(h, cx, idx)?;
                set_item(&o, i, v)
            }
            ExprKind::Starred(_) => err("starred assignment target must be in a list or tuple"),
            _ => err("cannot assign to expression"),
        }
        .map_err(|c| with_line(c, t.line))
    }

    fn unpack(&mut self, h: &mut dyn Host, cx: &Ctx, targets: &[Expr], v: Value) -> R<()> {
        if let Value::Unknown(n) = &v {
            for t in targets {
                let t = match &t.kind {
                    ExprKind::Starred(inner) => inner,
                    _ => t,
                };
                self.assign(h, cx, t, Value::Unknown(n.clone()))?;
            }
            return Ok(());
        }
        let items = self.collect(&v)?;
        let star = targets
            .iter()
            .position(|t| matches!(t.kind, ExprKind::Starred(_)));
        let n = targets.len();
        match star {
            None if items.len() != n => err(format!(
                "ValueError: expected {n} values to unpack, got {}",
                items.len()
            )),
            None => {
                for (t, x) in targets.iter().zip(items) {
                    self.assign(h, cx, t, x)?;
                }
                Ok(())
            }
            Some(_) if items.len() + 1 < n => err("ValueError: not enough values to unpack"),
            Some(s) => {
                let mut items = items;
                let tail = items.split_off(items.len() + 1 - (n - s));
                let mid = items.split_off(s);
                for (t, x) in targets.iter().zip(items) {
                    self.assign(h, cx, t, x)?;
                }
                if let Some(ExprKind::Starred(inner)) = targets.get(s).map(|t| &t.kind) {
                    self.assign(h, cx, inner, Value::list(mid))?;
                }
                for (t, x) in targets.iter().skip(s + 1).zip(tail) {
                    self.assign(h, cx, t, x)?;
                }
                Ok(())
            }
        }
    }

    pub(crate) fn aug_assign(
        &mut self,
        h: &mut dyn Host,
        cx: &Ctx,
        t: &Expr,
        op: BinOp,
        value: &Expr,
    ) -> R<()> {
        match &t.kind {
            ExprKind::Name(n) => {
                let cur = self.load(h, cx, n)?;
                let v = self.eval(h, cx, value)?;
                let r = self.aug_value(op, cur, &v)?;
                self.store_name(cx, n, r)
            }
            ExprKind::Attr(obj, name) => {
                let o = self.eval(h, cx, obj)?;
                let cur = self.get_attr(h, &o, name)?;
                let v = self.eval(h, cx, value)?;
                let r = self.aug_value(op, cur, &v)?;
                self.set_attr(h, &o, name, r)
            }
            ExprKind::Index(obj, idx) if !matches!(idx.kind, ExprKind::Slice(..)) => {
                let o = self.eval(h, cx, obj)?;
                let i = self.eval(h, cx, idx)?;
                let cur = match (&o, &i) {
                    (Value::Unknown(n), _) | (_, Value::Unknown(n)) => Value::Unknown(n.clone()),
                    _ => lift(ops::index(&o, &i))?,
                };
                let v = self.eval(h, cx, value)?;
                let r = self.aug_value(op, cur, &v)?;
                set_item(&o, i, r)
            }
            _ => err("illegal expression for augmented assignment"),
        }
    }

    /// `cur op= v`: lists are extended in place, as in Python.
    fn aug_value(&mut self, op: BinOp, cur: Value, v: &Value) -> R<Value> {
        if let (BinOp::Add, Value::List(l)) = (op, &cur)
            && !v.is_unknown()
        {
            let items = self.collect(v)?;
            self.charge(items.len())?;
            let mut l2 = l.borrow_mut();
            lift(ops::check_len(l2.len() + items.len(), self.limits.max_len))?;
            l2.extend(items);
            drop(l2);
            return Ok(cur);
        }
        self.binop(op, &cur, v)
    }

    pub(crate) fn delete(&mut self, h: &mut dyn Host, cx: &Ctx, t: &Expr) -> R<()> {
        match &t.kind {
            ExprKind::Name(n) => {
                let removed = match &cx.locals {
                    Some(l) => l.del(n),
                    None => cx.globals.del(n),
                };
                if removed {
                    Ok(())
                } else {
                    err(format!("name '{n}' is not defined"))
                }
            }
            ExprKind::Index(obj, idx) => {
                let o = self.eval(h, cx, obj)?;
                if let ExprKind::Slice(lo, hi, step) = &idx.kind {
                    let Ok(b) = self.slice_args(h, cx, [lo, hi, step])? else {
                        return Ok(());
                    };
                    return lift(ops::del_slice(&o, b));
                }
                let i = self.eval(h, cx, idx)?;
                match &o {
                    Value::Dict(d) => match lift(d.borrow_mut().remove(&i))? {
                        Some(_) => Ok(()),
                        None => err(format!("KeyError: {}", i.repr())),
                    },
                    Value::List(l) => {
                        let mut l = l.borrow_mut();
                        match ops::norm_index(i.as_int().unwrap_or(i64::MAX), l.len()) {
                            Some(k) => {
                                l.remove(k);
                                Ok(())
                            }
                            None => err("IndexError: list assignment index out of range"),
                        }
                    }
                    Value::Unknown(_) => Ok(()),
                    _ => err(format!(
                        "TypeError: '{}' object does not support item deletion",
                        o.type_name()
                    )),
                }
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                for it in items {
                    self.delete(h, cx, it)?;
                }
                Ok(())
            }
            ExprKind::Attr(..) => err("unsupported: deleting attributes"),
            _ => err("cannot delete expression"),
        }
    }

    /// `o.name`.
    pub(crate) fn get_attr(&mut self, h: &mut dyn Host, o: &Value, name: &Rc<str>) -> R<Value> {
        match o {
            Value::Host(hv) => lift(h.get_attr(hv, name)),
            Value::Unknown(n) => Ok(Value::Unknown(n.clone())),
            Value::Module(m) => match modules::attr(m.name, name) {
                // A function is noted when called; a value (`os.environ`) here.
                Some(v) if !matches!(v, Value::Builtin(_)) => {
                    modules::note_stub(h, &format!("{}.{name}", m.name), self.line);
                    Ok(v)
                }
                Some(v) => Ok(v),
                None => err(format!("unsupported: {}.{name}", m.name)),
            },
            Value::Function(f) if &**name == "__name__" => Ok(Value::str(f.name())),
            Value::Re(r) => match super::re::object_attr(r, name) {
                Some(v) => Ok(v),
                None => Ok(Value::Method(Rc::new((o.clone(), name.clone())))),
            },
            Value::Str(_)
            | Value::List(_)
            | Value::Dict(_)
            | Value::Set(_)
            | Value::Tuple(_)
            | Value::Int(_)
            | Value::Float(_) => Ok(Value::Method(Rc::new((o.clone(), name.clone())))),
            _ => err(format!(
                "AttributeError: '{}' object has no attribute '{name}'",
                o.type_name()
            )),
        }
    }

    fn set_attr(&mut self, h: &mut dyn Host, o: &Value, name: &str, v: Value) -> R<()> {
        match o {
            Value::Host(hv) => lift(h.set_attr(hv, name, v)),
            Value::Unknown(_) => Ok(()),
            _ => err(format!(
                "AttributeError: cannot set attribute '{name}' of '{}' object",
                o.type_name()
            )),
        }
    }
}

fn set_item(o: &Value, i: Value, v: Value) -> R<()> {
    match o {
        Value::Dict(d) => lift(d.borrow_mut().insert(i, v)),
        Value::List(l) => {
            let mut l = l.borrow_mut();
            let n = l.len();
            match i
                .as_int()
                .and_then(|k| ops::norm_index(k, n))
                .and_then(|k| l.get_mut(k))
            {
                Some(slot) => {
                    let old = std::mem::replace(slot, v);
                    drop(l);
                    drop(old);
                    Ok(())
                }
                None => err("IndexError: list assignment index out of range"),
            }
        }
        Value::Unknown(_) => Ok(()),
        _ => err(format!(
            "TypeError: '{}' object does not support item assignment",
            o.type_name()
        )),
    }
}

fn unary(op: UnOp, v: &Value) -> R<Value> {
    if let Value::Unknown(n) = v {
        return Ok(Value::Unknown(n.clone()));
    }
    match (op, v) {
        (UnOp::Not, _) => Ok(Value::Bool(!v.truthy())),
        (UnOp::Neg, Value::Float(f)) => Ok(Value::Float(-f)),
        (UnOp::Pos, Value::Float(f)) => Ok(Value::Float(*f)),
        (UnOp::Neg, Value::Int(_) | Value::Bool(_)) => {
            match v.as_int().and_then(i64::checked_neg) {
                Some(i) => Ok(Value::Int(i)),
                None => err("OverflowError: integer too large"),
            }
        }
        (UnOp::Pos, Value::Int(_) | Value::Bool(_)) => Ok(Value::Int(v.as_int().unwrap_or(0))),
        (UnOp::Invert, Value::Int(_) | Value::Bool(_)) => Ok(Value::Int(!v.as_int().unwrap_or(0))),
        _ => err(format!(
            "TypeError: bad operand type for unary operator: '{}'",
            v.type_name()
        )),
    }
}

/// One comparison `a op b`.
pub(crate) fn compare(op: CmpOp, a: &Value, b: &Value) -> R<Value> {
    if let Value::Unknown(n) = a {
        return Ok(Value::Unknown(n.clone()));
    }
    if let Value::Unknown(n) = b {
        return Ok(Value::Unknown(n.clone()));
    }
    let r = match op {
        CmpOp::Eq => ops::py_eq(a, b, 0),
        CmpOp::Ne => !ops::py_eq(a, b, 0),
        CmpOp::Lt => lift(ops::py_cmp(a, b, 0))?.is_lt(),
        CmpOp::Le => lift(ops::py_cmp(a, b, 0))?.is_le(),
        CmpOp::Gt => lift(ops::py_cmp(a, b, 0))?.is_gt(),
        CmpOp::Ge => lift(ops::py_cmp(a, b, 0))?.is_ge(),
        CmpOp::In => lift(ops::contains(b, a))?,
        CmpOp::NotIn => !lift(ops::contains(b, a))?,
        CmpOp::Is => is(a, b),
        CmpOp::IsNot => !is(a, b),
    };
    Ok(Value::Bool(r))
}

fn is(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::None, Value::None) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::List(x), Value::List(y)) => Rc::ptr_eq(x, y),
        (Value::Dict(x), Value::Dict(y)) => Rc::ptr_eq(x, y),
        (Value::Host(x), Value::Host(y)) => Rc::ptr_eq(x, y),
        (Value::Function(x), Value::Function(y)) => Rc::ptr_eq(x, y),
        (Value::Int(_) | Value::Str(_) | Value::Builtin(_), _) => ops::py_eq(a, b, 0),
        _ => false,
    }
}
