//! Builtin functions (`len`, `sorted`, `isinstance`, …).

use std::cell::RefCell;
use std::rc::Rc;

use super::Host;
use super::interp::{Interp, R, err, lift};
use super::ops;
use super::value::{Dict, Value, range_len};

/// The builtin bound to `name`, if any.
pub fn lookup(name: &str) -> Option<Value> {
    let n: &'static str = match name {
        "len" => "len",
        "str" => "str",
        "int" => "int",
        "float" => "float",
        "bool" => "bool",
        "list" => "list",
        "tuple" => "tuple",
        "dict" => "dict",
        "set" => "set",
        "frozenset" => "frozenset",
        "sorted" => "sorted",
        "reversed" => "reversed",
        "enumerate" => "enumerate",
        "zip" => "zip",
        "range" => "range",
        "map" => "map",
        "filter" => "filter",
        "any" => "any",
        "all" => "all",
        "min" => "min",
        "max" => "max",
        "sum" => "sum",
        "abs" => "abs",
        "isinstance" => "isinstance",
        "print" => "print",
        "repr" => "repr",
        "ord" => "ord",
        "chr" => "chr",
        "round" => "round",
        "getattr" => "getattr",
        "hasattr" => "hasattr",
        "callable" => "callable",
        "type" => "type",
        "iter" => "iter",
        "next" => "next",
        "open" => "open",
        "hex" => "hex",
        "oct" => "oct",
        "bin" => "bin",
        "divmod" => "divmod",
        "id" => "id",
        "hash" => "hash",
        "format" => "format",
        "object" => "object",
        "NotImplemented" => "NotImplemented",
        "Exception" => "Exception",
        "BaseException" => "BaseException",
        "ValueError" => "ValueError",
        "TypeError" => "TypeError",
        "KeyError" => "KeyError",
        "IndexError" => "IndexError",
        "RuntimeError" => "RuntimeError",
        "OSError" => "OSError",
        "IOError" => "IOError",
        "AssertionError" => "AssertionError",
        "NotImplementedError" => "NotImplementedError",
        "AttributeError" => "AttributeError",
        "NameError" => "NameError",
        "StopIteration" => "StopIteration",
        _ => return None,
    };
    Some(Value::Builtin(n))
}

fn arg(args: &[Value], i: usize, f: &str) -> R<Value> {
    match args.get(i) {
        Some(v) => Ok(v.clone()),
        None => err(format!("TypeError: {f}() missing required argument")),
    }
}

fn kw<'a>(kwargs: &'a [(Rc<str>, Value)], name: &str) -> Option<&'a Value> {
    kwargs.iter().find(|k| &*k.0 == name).map(|k| &k.1)
}

/// Call a builtin.
pub fn call(
    it: &mut Interp,
    h: &mut dyn Host,
    name: &'static str,
    args: Vec<Value>,
    kwargs: Vec<(Rc<str>, Value)>,
) -> R<Value> {
    const TRANSPARENT: &[&str] = &[
        "str",
        "repr",
        "print",
        "bool",
        "isinstance",
        "callable",
        "type",
        "list",
        "tuple",
        "set",
        "dict",
    ];
    if !TRANSPARENT.contains(&name)
        && let Some(Value::Unknown(n)) = args.iter().find(|a| a.is_unknown())
    {
        return Ok(Value::Unknown(n.clone()));
    }
    if name.contains('.') {
        return super::modules::call(it, h, name, args, kwargs);
    }
    let a0 = || arg(&args, 0, name);
    Ok(match name {
        "len" => {
            let v = a0()?;
            let n = match &v {
                Value::Str(s) => s.chars().count(),
                Value::List(l) => l.borrow().len(),
                Value::Tuple(t) => t.len(),
                Value::Dict(d) | Value::Set(d) => d.borrow().len(),
                Value::Range(a, b, s) => usize::try_from(range_len(*a, *b, *s)).unwrap_or(0),
                _ => {
                    return err(format!(
                        "TypeError: object of type '{}' has no len()",
                        v.type_name()
                    ));
                }
            };
            Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
        }
        "str" => match args.first() {
            Some(v) => Value::Str(Rc::from(v.py_str())),
            None => Value::str(""),
        },
        "repr" => Value::Str(Rc::from(a0()?.repr())),
        "print" | "open" => Value::None,
        "bool" => Value::Bool(args.first().is_some_and(Value::truthy)),
        "int" => to_int(&args)?,
        "float" => match args.first() {
            None => Value::Float(0.0),
            Some(Value::Str(s)) => match s.trim().parse::<f64>() {
                Ok(f) => Value::Float(f),
                Err(_) => {
                    return err(format!(
                        "ValueError: could not convert string to float: {}",
                        a0()?.repr()
                    ));
                }
            },
            Some(v @ (Value::Int(_) | Value::Bool(_))) => {
                Value::Float(v.as_int().unwrap_or(0) as f64)
            }
            Some(Value::Float(f)) => Value::Float(*f),
            Some(v) => {
                return err(format!(
                    "TypeError: float() argument must be a string or a number, not '{}'",
                    v.type_name()
                ));
            }
        },
        "list" => Value::list(match args.first() {
            Some(v) => it.collect(v)?,
            None => Vec::new(),
        }),
        "tuple" => Value::tuple(match args.first() {
            Some(v) => it.collect(v)?,
            None => Vec::new(),
        }),
        "set" | "frozenset" => {
            let mut d = Dict::new();
            if let Some(v) = args.first() {
                for x in it.collect(v)? {
                    lift(d.insert(x, Value::None))?;
                }
            }
            Value::Set(Rc::new(RefCell::new(d)))
        }
        "dict" => make_dict(it, &args, kwargs)?,
        "sorted" => {
            let mut items = it.collect(&a0()?)?;
            sort(it, h, &mut items, &kwargs)?;
            Value::list(items)
        }
        "reversed" => {
            let mut items = it.collect(&a0()?)?;
            items.reverse();
            iter_of(items)
        }
        "enumerate" => {
            let mut i = match args.get(1).or(kw(&kwargs, "start")) {
                Some(v) => v.as_int().unwrap_or(0),
                None => 0,
            };
            let items = it.collect(&a0()?)?;
            let mut out = Vec::with_capacity(items.len());
            for x in items {
                out.push(Value::tuple(vec![Value::Int(i), x]));
                i = i.saturating_add(1);
            }
            iter_of(out)
        }
        "zip" => {
            let mut cols = Vec::new();
            for a in &args {
                cols.push(it.collect(a)?);
            }
            let n = cols.iter().map(Vec::len).min().unwrap_or(0);
            iter_of(
                (0..n)
                    .map(|i| Value::tuple(cols.iter().filter_map(|c| c.get(i).cloned()).collect()))
                    .collect(),
            )
        }
        "range" => {
            let ints: Vec<i64> = args
                .iter()
                .map(|a| a.as_int().ok_or(()))
                .collect::<Result<_, _>>()
                .or_else(|()| err("TypeError: range() arguments must be integers"))?;
            match ints[..] {
                [b] => Value::Range(0, b, 1),
                [a, b] => Value::Range(a, b, 1),
                [_, _, 0] => return err("ValueError: range() arg 3 must not be zero"),
                [a, b, s] => Value::Range(a, b, s),
                _ => return err("TypeError: range expected 1 to 3 arguments"),
            }
        }
        "map" => {
            let f = a0()?;
            let mut cols = Vec::new();
            for a in args.iter().skip(1) {
                cols.push(it.collect(a)?);
            }
            let n = cols.iter().map(Vec::len).min().unwrap_or(0);
            let mut out = Vec::with_capacity(n);
            for i in 0..n {
                let xs = cols.iter().filter_map(|c| c.get(i).cloned()).collect();
                out.push(it.call_value(h, &f, xs, Vec::new(), 0)?);
            }
            iter_of(out)
        }
        "filter" => {
            let f = a0()?;
            let mut out = Vec::new();
            for x in it.collect(&arg(&args, 1, name)?)? {
                let keep = match f {
                    Value::None => x.truthy(),
                    _ => it
                        .call_value(h, &f, vec![x.clone()], Vec::new(), 0)?
                        .truthy(),
                };
                if keep {
                    out.push(x);
                }
            }
            iter_of(out)
        }
        "any" => Value::Bool(it.collect(&a0()?)?.iter().any(Value::truthy)),
        "all" => Value::Bool(it.collect(&a0()?)?.iter().all(Value::truthy)),
        "min" | "max" => min_max(it, h, name, args, &kwargs)?,
        "sum" => {
            let mut acc = args.get(1).cloned().unwrap_or(Value::Int(0));
            for x in it.collect(&a0()?)? {
                acc = it.binop(super::ast::BinOp::Add, &acc, &x)?;
            }
            acc
        }
        "abs" => match a0()? {
            Value::Float(f) => Value::Float(f.abs()),
            v => match v.as_int().map(i64::checked_abs) {
                Some(Some(i)) => Value::Int(i),
                _ => return err("TypeError: bad operand type for abs()"),
            },
        },
        "isinstance" => isinstance(&a0()?, &arg(&args, 1, name)?),
        "ord" => match a0()?
            .as_str()
            .map(|s| (s.chars().next(), s.chars().count()))
        {
            Some((Some(c), 1)) => Value::Int(i64::from(u32::from(c))),
            _ => return err("TypeError: ord() expected a character"),
        },
        "chr" => match a0()?
            .as_int()
            .and_then(|i| u32::try_from(i).ok())
            .and_then(char::from_u32)
        {
            Some(c) => Value::Str(Rc::from(c.to_string())),
            None => return err("ValueError: chr() arg not in range"),
        },
        "round" => round(&args)?,
        "getattr" | "hasattr" => {
            let n = arg(&args, 1, name)?;
            let Some(n) = n.as_str() else {
                return err("TypeError: attribute name must be string");
            };
            let r = it.get_attr(h, &a0()?, &Rc::from(n));
            match (name, r) {
                ("hasattr", r) => Value::Bool(r.is_ok()),
                (_, Ok(v)) => v,
                (_, Err(e)) => match args.get(2) {
                    Some(d) => d.clone(),
                    None => return Err(e),
                },
            }
        }
        "callable" => Value::Bool(matches!(
            a0()?,
            Value::Function(_) | Value::Builtin(_) | Value::Method(_) | Value::Host(_)
        )),
        "type" => Value::Str(Rc::from(a0()?.type_name())),
        "iter" => iter_of(it.collect(&a0()?)?),
        "next" => match &a0()? {
            Value::Iter(i) => match i.borrow_mut().next() {
                Some(v) => v,
                None => match args.get(1) {
                    Some(d) => d.clone(),
                    None => return err("StopIteration"),
                },
            },
            v => {
                return err(format!(
                    "TypeError: '{}' object is not an iterator",
                    v.type_name()
                ));
            }
        },
        "hex" | "oct" | "bin" => {
            let i = a0()?
                .as_int()
                .ok_or(())
                .or_else(|()| err("TypeError: an integer is required"))?;
            let (sign, a) = if i < 0 {
                ("-", i.unsigned_abs())
            } else {
                ("", i.unsigned_abs())
            };
            Value::Str(Rc::from(match name {
                "hex" => format!("{sign}0x{a:x}"),
                "oct" => format!("{sign}0o{a:o}"),
                _ => format!("{sign}0b{a:b}"),
            }))
        }
        "divmod" => {
            let (a, b) = (a0()?, arg(&args, 1, name)?);
            let q = it.binop(super::ast::BinOp::FloorDiv, &a, &b)?;
            let r = it.binop(super::ast::BinOp::Mod, &a, &b)?;
            Value::tuple(vec![q, r])
        }
        "format" => {
            let spec = args
                .get(1)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            Value::Str(Rc::from(lift(super::format::format_value(
                &a0()?,
                &spec,
                it.limits.max_len,
            ))?))
        }
        "hash" => match lift(a0()?.hkey())? {
            super::value::HKey::Int(i) => Value::Int(i),
            _ => Value::Int(0),
        },
        "id" | "object" | "NotImplemented" => return err(format!("unsupported builtin '{name}'")),
        _ => {
            let msg = args.first().map(Value::py_str).unwrap_or_default();
            Value::Str(Rc::from(format!("{name}: {msg}")))
        }
    })
}

fn iter_of(items: Vec<Value>) -> Value {
    Value::Iter(Rc::new(RefCell::new(items.into_iter())))
}

fn to_int(args: &[Value]) -> R<Value> {
    let base = args.get(1).and_then(Value::as_int).unwrap_or(10);
    Ok(match args.first() {
        None => Value::Int(0),
        Some(Value::Str(s)) => {
            let t = s.trim().replace('_', "");
            let (neg, t) = match t.strip_prefix('-') {
                Some(r) => (true, r.to_string()),
                None => (false, t.trim_start_matches('+').to_string()),
            };
            let base = u32::try_from(base).unwrap_or(10).clamp(2, 36);
            match i64::from_str_radix(&t, base) {
                Ok(i) => Value::Int(if neg { -i } else { i }),
                Err(_) => {
                    return err(format!(
                        "ValueError: invalid literal for int() with base {base}: {}",
                        Value::Str(s.clone()).repr()
                    ));
                }
            }
        }
        Some(Value::Float(f)) if f.is_finite() && f.abs() < 9.2e18 => Value::Int(f.trunc() as i64),
        Some(v) => match v.as_int() {
            Some(i) => Value::Int(i),
            None => {
                return err(format!(
                    "TypeError: int() argument must be a string or a number, not '{}'",
                    v.type_name()
                ));
            }
        },
    })
}

fn round(args: &[Value]) -> R<Value> {
    let nd = args.get(1).and_then(Value::as_int);
    match (args.first(), nd) {
        (Some(Value::Float(f)), None) => {
            let r = f.round();
            let r = if (f - f.trunc()).abs() == 0.5 {
                2.0 * (f / 2.0).round()
            } else {
                r
            };
            if r.is_finite() && r.abs() < 9.2e18 {
                Ok(Value::Int(r as i64))
            } else {
                err("OverflowError: cannot round")
            }
        }
        (Some(Value::Float(f)), Some(n)) if n >= 0 && f.is_finite() => {
            // Python rounds the exact binary value, half to even: as formatting does.
            let n = usize::try_from(n.min(340)).unwrap_or(0);
            Ok(Value::Float(format!("{f:.n$}").parse().unwrap_or(*f)))
        }
        (Some(Value::Float(f)), Some(n)) => {
            let m = 10f64.powi(i32::try_from(n.clamp(-300, 300)).unwrap_or(0));
            Ok(Value::Float((f * m).round_ties_even() / m))
        }
        (Some(v), _) if v.as_int().is_some() => Ok(Value::Int(v.as_int().unwrap_or(0))),
        _ => err("TypeError: round() needs a number"),
    }
}

fn make_dict(it: &mut Interp, args: &[Value], kwargs: Vec<(Rc<str>, Value)>) -> R<Value> {
    let mut d = Dict::new();
    match args.first() {
        Some(Value::Dict(o)) => {
            for (k, v) in o.borrow().entries() {
                lift(d.insert(k.clone(), v.clone()))?;
            }
        }
        Some(v) => {
            for pair in it.collect(v)? {
                match pair.as_list_items().as_deref() {
                    Some([k, v]) => lift(d.insert(k.clone(), v.clone()))?,
                    _ => {
                        return err(
                            "ValueError: dictionary update sequence element has wrong length",
                        );
                    }
                }
            }
        }
        None => {}
    }
    for (k, v) in kwargs {
        lift(d.insert(Value::Str(k), v))?;
    }
    Ok(Value::Dict(Rc::new(RefCell::new(d))))
}

/// Sort in place, honouring `key=` and `reverse=`.
pub fn sort(
    it: &mut Interp,
    h: &mut dyn Host,
    items: &mut Vec<Value>,
    kwargs: &[(Rc<str>, Value)],
) -> R<()> {
    it.charge(items.len().saturating_mul(8))?;
    let key = kw(kwargs, "key")
        .filter(|k| !matches!(k, Value::None))
        .cloned();
    let reverse = kw(kwargs, "reverse").is_some_and(Value::truthy);
    let mut keyed = Vec::with_capacity(items.len());
    for x in items.drain(..) {
        let k = match &key {
            Some(f) => it.call_value(h, f, vec![x.clone()], Vec::new(), 0)?,
            None => x.clone(),
        };
        keyed.push((k, x));
    }
    let mut failure = None;
    keyed.sort_by(|a, b| match ops::py_cmp(&a.0, &b.0, 0) {
        Ok(o) => o,
        Err(e) => {
            failure = Some(e);
            std::cmp::Ordering::Equal
        }
    });
    if let Some(e) = failure {
        return err(e);
    }
    if reverse {
        keyed.reverse();
    }
    items.extend(keyed.into_iter().map(|kv| kv.1));
    Ok(())
}

fn min_max(
    it: &mut Interp,
    h: &mut dyn Host,
    name: &str,
    args: Vec<Value>,
    kwargs: &[(Rc<str>, Value)],
) -> R<Value> {
    let items = if args.len() == 1 {
        it.collect(&args[0])?
    } else {
        args
    };
    let mut sorted = items;
    let kw: Vec<(Rc<str>, Value)> = kwargs.iter().filter(|k| &*k.0 == "key").cloned().collect();
    sort(it, h, &mut sorted, &kw)?;
    let pick = if name == "min" {
        sorted.first()
    } else {
        sorted.last()
    };
    match pick.cloned().or_else(|| {
        kwargs
            .iter()
            .find(|k| &*k.0 == "default")
            .map(|k| k.1.clone())
    }) {
        Some(v) => Ok(v),
        None => err(format!("ValueError: {name}() arg is an empty sequence")),
    }
}

fn isinstance(v: &Value, class: &Value) -> Value {
    let matches_one = |c: &Value| -> bool {
        let Value::Builtin(c) = c else { return false };
        match *c {
            "int" => matches!(v, Value::Int(_) | Value::Bool(_)),
            "Exception" => false,
            other => v.type_name() == other,
        }
    };
    match class {
        Value::Tuple(cs) => Value::Bool(cs.iter().any(matches_one)),
        Value::Unknown(n) => Value::Unknown(n.clone()),
        c => Value::Bool(matches_one(c)),
    }
}
