//! Methods of builtin types: `list`, `dict`, `set` here, `str` in `str_methods.rs`,
//! regex patterns and matches in `re/`.

use std::cell::RefCell;
use std::rc::Rc;

use super::Host;
use super::builtins::sort;
use super::interp::{Interp, R, err, lift};
use super::ops;
use super::value::{Dict, Value};

pub(crate) fn arg(args: &[Value], i: usize) -> R<Value> {
    match args.get(i) {
        Some(v) => Ok(v.clone()),
        None => err("TypeError: missing required argument"),
    }
}

pub(crate) fn str_arg(args: &[Value], i: usize) -> R<Rc<str>> {
    match args.get(i) {
        Some(Value::Str(s)) => Ok(s.clone()),
        Some(v) => err(format!("TypeError: expected str, got {}", v.type_name())),
        None => err("TypeError: missing required argument"),
    }
}

pub(crate) fn s(v: String) -> Value {
    Value::Str(Rc::from(v))
}

pub(crate) fn strs(items: Vec<&str>) -> Value {
    Value::list(items.into_iter().map(Value::str).collect())
}

/// Call method `name` of `recv`.
pub fn call(
    it: &mut Interp,
    h: &mut dyn Host,
    recv: &Value,
    name: &str,
    args: Vec<Value>,
    kwargs: Vec<(Rc<str>, Value)>,
) -> R<Value> {
    match recv {
        Value::Str(x) => {
            if name != "join"
                && let Some(Value::Unknown(n)) = args.iter().find(|a| a.is_unknown())
            {
                return Ok(Value::Unknown(n.clone()));
            }
            super::str_methods::str_method(it, x, name, &args, &kwargs)
        }
        Value::List(l) => list_method(it, h, l, name, args, &kwargs),
        Value::Dict(d) => dict_method(it, d, name, args),
        Value::Set(d) => set_method(it, d, name, args),
        Value::Tuple(t) => match name {
            "index" | "count" => list_method(
                it,
                h,
                &Rc::new(RefCell::new(t.to_vec())),
                name,
                args,
                &kwargs,
            ),
            _ => err(format!("unsupported: tuple.{name}")),
        },
        Value::Re(r) => super::re::method(it, h, r, name, args, kwargs),
        _ => err(format!("unsupported: {}.{name}", recv.type_name())),
    }
}

fn list_method(
    it: &mut Interp,
    h: &mut dyn Host,
    l: &Rc<RefCell<Vec<Value>>>,
    name: &str,
    args: Vec<Value>,
    kwargs: &[(Rc<str>, Value)],
) -> R<Value> {
    let max = it.limits.max_len;
    Ok(match name {
        "append" => {
            let mut v = l.borrow_mut();
            lift(ops::check_len(v.len() + 1, max))?;
            v.push(arg(&args, 0)?);
            Value::None
        }
        "extend" => {
            let items = it.collect(&arg(&args, 0)?)?;
            it.charge(items.len())?;
            let mut v = l.borrow_mut();
            lift(ops::check_len(v.len() + items.len(), max))?;
            v.extend(items);
            Value::None
        }
        "insert" => {
            let mut v = l.borrow_mut();
            lift(ops::check_len(v.len() + 1, max))?;
            let n = i64::try_from(v.len()).unwrap_or(0);
            let i = arg(&args, 0)?.as_int().unwrap_or(0);
            let i = if i < 0 { (i + n).max(0) } else { i.min(n) };
            v.insert(usize::try_from(i).unwrap_or(0), arg(&args, 1)?);
            Value::None
        }
        "pop" => {
            let mut v = l.borrow_mut();
            let i = args.first().and_then(Value::as_int).unwrap_or(-1);
            match ops::norm_index(i, v.len()) {
                Some(i) => v.remove(i),
                None => return err("IndexError: pop from empty list or index out of range"),
            }
        }
        "remove" | "index" | "count" => {
            let x = arg(&args, 0)?;
            let pos = l.borrow().iter().position(|v| ops::py_eq(v, &x, 0));
            match (name, pos) {
                ("count", _) => Value::Int(
                    i64::try_from(l.borrow().iter().filter(|v| ops::py_eq(v, &x, 0)).count())
                        .unwrap_or(0),
                ),
                ("remove", Some(i)) => {
                    let old = l.borrow_mut().remove(i);
                    drop(old);
                    Value::None
                }
                ("index", Some(i)) => Value::Int(i64::try_from(i).unwrap_or(0)),
                _ => return err(format!("ValueError: {} is not in list", x.repr())),
            }
        }
        "sort" => {
            let mut items = std::mem::take(&mut *l.borrow_mut());
            let r = sort(it, h, &mut items, kwargs);
            *l.borrow_mut() = items;
            r?;
            Value::None
        }
        "reverse" => {
            l.borrow_mut().reverse();
            Value::None
        }
        "copy" => Value::list(l.borrow().clone()),
        "clear" => {
            let old = std::mem::take(&mut *l.borrow_mut());
            drop(old);
            Value::None
        }
        _ => return err(format!("unsupported: list.{name}")),
    })
}

fn dict_method(it: &mut Interp, d: &Rc<RefCell<Dict>>, name: &str, args: Vec<Value>) -> R<Value> {
    Ok(match name {
        "get" => lift(d.borrow().get(&arg(&args, 0)?))?
            .unwrap_or_else(|| args.get(1).cloned().unwrap_or(Value::None)),
        "items" => Value::list(
            d.borrow()
                .entries()
                .iter()
                .map(|(k, v)| Value::tuple(vec![k.clone(), v.clone()]))
                .collect(),
        ),
        "keys" => Value::list(d.borrow().keys()),
        "values" => Value::list(d.borrow().entries().iter().map(|e| e.1.clone()).collect()),
        "update" => {
            let src = arg(&args, 0)?;
            let pairs: Vec<(Value, Value)> = match &src {
                Value::Dict(o) => o.borrow().entries().to_vec(),
                _ => {
                    let mut out = Vec::new();
                    for p in it.collect(&src)? {
                        match p.as_list_items().as_deref() {
                            Some([k, v]) => out.push((k.clone(), v.clone())),
                            _ => {
                                return err(
                                    "ValueError: dictionary update sequence element has wrong length",
                                );
                            }
                        }
                    }
                    out
                }
            };
            it.charge(pairs.len())?;
            for (k, v) in pairs {
                lift(d.borrow_mut().insert(k, v))?;
            }
            Value::None
        }
        "pop" => {
            let k = arg(&args, 0)?;
            it.charge(d.borrow().len())?;
            let r = lift(d.borrow_mut().remove(&k))?;
            match (r, args.get(1)) {
                (Some(v), _) => v,
                (None, Some(dflt)) => dflt.clone(),
                (None, None) => return err(format!("KeyError: {}", k.repr())),
            }
        }
        "setdefault" => {
            let k = arg(&args, 0)?;
            let cur = lift(d.borrow().get(&k))?;
            match cur {
                Some(v) => v,
                None => {
                    let v = args.get(1).cloned().unwrap_or(Value::None);
                    lift(d.borrow_mut().insert(k, v.clone()))?;
                    v
                }
            }
        }
        "copy" => {
            let mut n = Dict::new();
            for (k, v) in d.borrow().entries() {
                lift(n.insert(k.clone(), v.clone()))?;
            }
            Value::Dict(Rc::new(RefCell::new(n)))
        }
        "clear" => {
            let old = std::mem::take(&mut *d.borrow_mut());
            drop(old);
            Value::None
        }
        _ => return err(format!("unsupported: dict.{name}")),
    })
}

fn set_method(it: &mut Interp, d: &Rc<RefCell<Dict>>, name: &str, args: Vec<Value>) -> R<Value> {
    Ok(match name {
        "add" => {
            lift(d.borrow_mut().insert(arg(&args, 0)?, Value::None))?;
            Value::None
        }
        "update" => {
            for a in &args {
                for x in it.collect(a)? {
                    lift(d.borrow_mut().insert(x, Value::None))?;
                }
            }
            Value::None
        }
        "discard" | "remove" => {
            let x = arg(&args, 0)?;
            it.charge(d.borrow().len())?;
            let r = lift(d.borrow_mut().remove(&x))?;
            if r.is_none() && name == "remove" {
                return err(format!("KeyError: {}", x.repr()));
            }
            Value::None
        }
        "union" | "intersection" | "difference" => {
            let op = match name {
                "union" => super::ast::BinOp::BitOr,
                "intersection" => super::ast::BinOp::BitAnd,
                _ => super::ast::BinOp::Sub,
            };
            let mut other = Dict::new();
            for x in it.collect(&arg(&args, 0)?)? {
                lift(other.insert(x, Value::None))?;
            }
            let me = Value::Set(d.clone());
            lift(ops::binary(
                op,
                &me,
                &Value::Set(Rc::new(RefCell::new(other))),
                it.limits.max_len,
            ))?
        }
        "copy" => Value::Set(Rc::new(RefCell::new({
            let mut n = Dict::new();
            for (k, _) in d.borrow().entries() {
                lift(n.insert(k.clone(), Value::None))?;
            }
            n
        }))),
        _ => return err(format!("unsupported: set.{name}")),
    })
}
