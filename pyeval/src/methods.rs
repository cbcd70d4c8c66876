//! Methods of builtin types: `str`, `list`, `dict`, `set`, and regex patterns/matches.

use std::cell::RefCell;
use std::rc::Rc;

use super::Host;
use super::builtins::sort;
use super::format;
use super::interp::{Interp, R, err, lift};
use super::modules;
use super::ops;
use super::value::{Dict, Value};

fn arg(args: &[Value], i: usize) -> R<Value> {
    match args.get(i) {
        Some(v) => Ok(v.clone()),
        None => err("TypeError: missing required argument"),
    }
}

fn str_arg(args: &[Value], i: usize) -> R<Rc<str>> {
    match args.get(i) {
        Some(Value::Str(s)) => Ok(s.clone()),
        Some(v) => err(format!("TypeError: expected str, got {}", v.type_name())),
        None => err("TypeError: missing required argument"),
    }
}

fn s(v: String) -> Value {
    Value::Str(Rc::from(v))
}

fn strs(items: Vec<&str>) -> Value {
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
            str_method(it, x, name, &args, &kwargs)
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
        Value::Re(r) => modules::re_method(it, h, r, name, args, &kwargs),
        _ => err(format!("unsupported: {}.{name}", recv.type_name())),
    }
}

fn split(x: &str, sep: Option<&str>, max: i64, right: bool) -> Value {
    let max = usize::try_from(max).unwrap_or(usize::MAX);
    match sep {
        Some(sep) => {
            let mut v: Vec<&str> = if right {
                let mut v: Vec<&str> = x.rsplitn(max.saturating_add(1), sep).collect();
                v.reverse();
                v
            } else {
                x.splitn(max.saturating_add(1), sep).collect()
            };
            if max == usize::MAX {
                v = x.split(sep).collect();
            }
            strs(v)
        }
        None => {
            let parts: Vec<&str> = x.split_whitespace().collect();
            if max < parts.len() {
                if right {
                    let mut out = Vec::new();
                    let mut rest = x.trim_end();
                    for _ in 0..max {
                        match rest.char_indices().rev().find(|p| p.1.is_whitespace()) {
                            Some((i, c)) => {
                                out.push(rest.get(i + c.len_utf8()..).unwrap_or(""));
                                rest = rest.get(..i).unwrap_or("").trim_end();
                            }
                            None => break,
                        }
                    }
                    if !rest.is_empty() {
                        out.push(rest);
                    }
                    out.reverse();
                    return strs(out);
                }
                let mut out: Vec<&str> = Vec::new();
                let mut rest = x.trim_start();
                for _ in 0..max {
                    match rest.find(char::is_whitespace) {
                        Some(i) => {
                            out.push(rest.get(..i).unwrap_or(""));
                            rest = rest.get(i..).unwrap_or("").trim_start();
                        }
                        None => break,
                    }
                }
                if !rest.is_empty() {
                    out.push(rest);
                }
                return strs(out);
            }
            strs(parts)
        }
    }
}

fn str_method(
    it: &mut Interp,
    x: &Rc<str>,
    name: &str,
    args: &[Value],
    kwargs: &[(Rc<str>, Value)],
) -> R<Value> {
    let opt_str = |i: usize| -> R<Option<Rc<str>>> {
        match args.get(i) {
            None | Some(Value::None) => Ok(None),
            Some(_) => str_arg(args, i).map(Some),
        }
    };
    let chars_arg =
        |i: usize| -> R<Option<Vec<char>>> { Ok(opt_str(i)?.map(|c| c.chars().collect())) };
    let max = it.limits.max_len;
    Ok(match name {
        "join" => {
            let items = it.collect(&arg(args, 0)?)?;
            let mut out = String::new();
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(x);
                }
                match v {
                    Value::Str(p) => out.push_str(p),
                    Value::Unknown(n) => return Ok(Value::Unknown(n.clone())),
                    _ => {
                        return err(format!(
                            "TypeError: sequence item {i}: expected str instance, {} found",
                            v.type_name()
                        ));
                    }
                }
                if out.len() > max {
                    return err("MemoryError: string too long");
                }
            }
            s(out)
        }
        "split" | "rsplit" => {
            let sep = opt_str(0)?;
            if sep.as_deref() == Some("") {
                return err("ValueError: empty separator");
            }
            let maxsplit = args
                .get(1)
                .or(kwargs.iter().find(|k| &*k.0 == "maxsplit").map(|k| &k.1))
                .and_then(Value::as_int)
                .unwrap_or(-1);
            let sep = sep.or(kwargs
                .iter()
                .find(|k| &*k.0 == "sep")
                .and_then(|k| k.1.as_str().map(Rc::from)));
            split(x, sep.as_deref(), maxsplit, name == "rsplit")
        }
        "splitlines" => strs(x.lines().collect()),
        "strip" | "lstrip" | "rstrip" => {
            let cs = chars_arg(0)?;
            let pat = |c: char| match &cs {
                Some(cs) => cs.contains(&c),
                None => c.is_whitespace(),
            };
            s(match name {
                "strip" => x.trim_matches(pat),
                "lstrip" => x.trim_start_matches(pat),
                _ => x.trim_end_matches(pat),
            }
            .to_string())
        }
        "replace" => {
            let (a, b) = (str_arg(args, 0)?, str_arg(args, 1)?);
            let count = args.get(2).and_then(Value::as_int).unwrap_or(-1);
            let n = x
                .matches(&*a)
                .count()
                .min(usize::try_from(count).unwrap_or(usize::MAX));
            if x.len().saturating_add(n.saturating_mul(b.len())) > max {
                return err("MemoryError: string too long");
            }
            s(if count < 0 {
                x.replace(&*a, &b)
            } else {
                x.replacen(&*a, &b, n)
            })
        }
        "startswith" | "endswith" => {
            let test = |p: &str| {
                if name == "startswith" {
                    x.starts_with(p)
                } else {
                    x.ends_with(p)
                }
            };
            match &arg(args, 0)? {
                Value::Str(p) => Value::Bool(test(p)),
                Value::Tuple(ps) => Value::Bool(ps.iter().any(|p| p.as_str().is_some_and(test))),
                _ => return err("TypeError: startswith first arg must be str or a tuple of str"),
            }
        }
        "lower" => s(x.to_lowercase()),
        "upper" => s(x.to_uppercase()),
        "title" => s(title(x)),
        "capitalize" => {
            let mut c = x.chars();
            s(c.next()
                .map(|f| f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase())
                .unwrap_or_default())
        }
        "swapcase" => s(x
            .chars()
            .map(|c| {
                if c.is_uppercase() {
                    c.to_lowercase().collect::<String>()
                } else {
                    c.to_uppercase().collect()
                }
            })
            .collect()),
        "format" => s(lift(format::str_format(x, args, kwargs, max))?),
        "find" | "rfind" | "index" | "rindex" => {
            let sub = str_arg(args, 0)?;
            let r = if name.starts_with('r') {
                x.rfind(&*sub)
            } else {
                x.find(&*sub)
            };
            match r {
                Some(i) => Value::Int(
                    i64::try_from(x.get(..i).map_or(0, |p| p.chars().count())).unwrap_or(0),
                ),
                None if name.ends_with("find") => Value::Int(-1),
                None => return err("ValueError: substring not found"),
            }
        }
        "count" => {
            let sub = str_arg(args, 0)?;
            let n = if sub.is_empty() {
                x.chars().count() + 1
            } else {
                x.matches(&*sub).count()
            };
            Value::Int(i64::try_from(n).unwrap_or(0))
        }
        "partition" | "rpartition" => {
            let sep = str_arg(args, 0)?;
            let r = if name == "partition" {
                x.split_once(&*sep)
            } else {
                x.rsplit_once(&*sep)
            };
            let parts = match r {
                Some((a, b)) => vec![a, &*sep, b],
                None if name == "partition" => vec![&**x, "", ""],
                None => vec!["", "", &**x],
            };
            Value::tuple(parts.into_iter().map(Value::str).collect())
        }
        "isdigit" | "isnumeric" | "isdecimal" => {
            Value::Bool(!x.is_empty() && x.chars().all(|c| c.is_ascii_digit()))
        }
        "isalpha" => Value::Bool(!x.is_empty() && x.chars().all(char::is_alphabetic)),
        "isalnum" => Value::Bool(!x.is_empty() && x.chars().all(char::is_alphanumeric)),
        "isspace" => Value::Bool(!x.is_empty() && x.chars().all(char::is_whitespace)),
        "islower" => {
            Value::Bool(x.chars().any(char::is_lowercase) && !x.chars().any(char::is_uppercase))
        }
        "isupper" => {
            Value::Bool(x.chars().any(char::is_uppercase) && !x.chars().any(char::is_lowercase))
        }
        "isidentifier" => Value::Bool(
            x.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
                && x.chars().all(|c| c.is_alphanumeric() || c == '_'),
        ),
        "zfill" | "ljust" | "rjust" | "center" => {
            let w = usize::try_from(arg(args, 0)?.as_int().unwrap_or(0)).unwrap_or(0);
            if w > max {
                return err("MemoryError: string too long");
            }
            let fill = opt_str(1)?.and_then(|f| f.chars().next()).unwrap_or(' ');
            let spec = match name {
                "zfill" => format!("0>{w}"),
                "ljust" => format!("{fill}<{w}"),
                "rjust" => format!("{fill}>{w}"),
                _ => format!("{fill}^{w}"),
            };
            if name == "zfill" && (x.starts_with('-') || x.starts_with('+')) {
                let (sign, rest) = x.split_at(1);
                s(format!(
                    "{sign}{}",
                    lift(format::format_value(
                        &Value::str(rest),
                        &format!("0>{}", w.saturating_sub(1)),
                        max
                    ))?
                ))
            } else {
                s(lift(format::format_value(
                    &Value::Str(x.clone()),
                    &spec,
                    max,
                ))?)
            }
        }
        "removeprefix" => s(x.strip_prefix(&*str_arg(args, 0)?).unwrap_or(x).to_string()),
        "removesuffix" => s(x.strip_suffix(&*str_arg(args, 0)?).unwrap_or(x).to_string()),
        "encode" | "decode" => Value::Str(x.clone()),
        "expandtabs" => s(x.replace('\t', "        ")),
        _ => return err(format!("unsupported: str.{name}")),
    })
}

fn title(x: &str) -> String {
    let mut out = String::with_capacity(x.len());
    let mut prev_alpha = false;
    for c in x.chars() {
        if prev_alpha {
            out.extend(c.to_lowercase())
        } else {
            out.extend(c.to_uppercase())
        }
        prev_alpha = c.is_alphabetic();
    }
    out
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
