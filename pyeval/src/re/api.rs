//! The Python-facing side of `re`: the module's functions and flags, and the
//! methods and attributes of `Pattern` and `Match` objects, with Python's
//! parameter names, defaults and errors.

use std::cell::RefCell;
use std::rc::Rc;

use super::template::{self, Piece};
use super::{How, Match, Pattern, ReObj, Spans, byte_index, char_index, compile, escape, syntax};
use crate::Host;
use crate::interp::{Interp, R, err, lift};
use crate::value::{Dict, Value};

const FUNCS: &[&str] = &[
    "re.compile",
    "re.search",
    "re.match",
    "re.fullmatch",
    "re.sub",
    "re.subn",
    "re.split",
    "re.findall",
    "re.finditer",
    "re.escape",
    "re.purge",
];

/// Attribute `name` of the `re` module: a function or a flag.
pub fn module_attr(name: &str) -> Option<Value> {
    let full = format!("re.{name}");
    if let Some(&f) = FUNCS.iter().find(|&&f| f == full) {
        return Some(Value::Builtin(f));
    }
    let flag = match name {
        "I" | "IGNORECASE" => syntax::I,
        "L" | "LOCALE" => syntax::L,
        "M" | "MULTILINE" => syntax::M,
        "S" | "DOTALL" => syntax::S,
        "U" | "UNICODE" => syntax::U,
        "X" | "VERBOSE" => syntax::X,
        "A" | "ASCII" => syntax::A,
        "NOFLAG" => 0,
        _ => return None,
    };
    Some(Value::Int(flag))
}

/// Arguments bound to parameter names: by position, then by keyword.
fn bind(
    f: &str,
    params: &[&str],
    args: Vec<Value>,
    kwargs: Vec<(Rc<str>, Value)>,
) -> R<Vec<Option<Value>>> {
    if args.len() > params.len() {
        return err(format!(
            "TypeError: {f}() takes at most {} arguments ({} given)",
            params.len(),
            args.len()
        ));
    }
    let mut out: Vec<Option<Value>> = args.into_iter().map(Some).collect();
    out.resize(params.len(), None);
    for (k, v) in kwargs {
        let Some(i) = params.iter().position(|p| **p == *k) else {
            return err(format!(
                "TypeError: {f}() got an unexpected keyword argument '{k}'"
            ));
        };
        if out[i].is_some() {
            return err(format!(
                "TypeError: {f}() got multiple values for argument '{k}'"
            ));
        }
        out[i] = Some(v);
    }
    Ok(out)
}

fn text_arg(v: &Option<Value>, f: &str, name: &str) -> R<Rc<str>> {
    match v {
        Some(Value::Str(s)) => Ok(s.clone()),
        Some(v) => err(format!(
            "TypeError: expected string or bytes-like object, got '{}'",
            v.type_name()
        )),
        None => err(format!(
            "TypeError: {f}() missing required argument '{name}'"
        )),
    }
}

fn int_arg(v: &Option<Value>, default: i64) -> R<i64> {
    match v {
        None => Ok(default),
        Some(v) => match v.as_int() {
            Some(i) => Ok(i),
            None => err(format!(
                "TypeError: '{}' object cannot be interpreted as an integer",
                v.type_name()
            )),
        },
    }
}

/// The pattern a module function is given: a string to compile, or a
/// compiled pattern.
fn pattern_arg(v: &Option<Value>, flags: i64, f: &str) -> R<Rc<Pattern>> {
    match v {
        Some(Value::Str(s)) => lift(compile(s, flags)),
        Some(Value::Re(r)) => match &**r {
            ReObj::Pattern(p) if flags == 0 => Ok(p.clone()),
            ReObj::Pattern(_) => {
                err("ValueError: cannot process flags argument with a compiled pattern")
            }
            ReObj::Match(_) => err("TypeError: first argument must be string or compiled pattern"),
        },
        Some(_) => err("TypeError: first argument must be string or compiled pattern"),
        None => err(format!(
            "TypeError: {f}() missing required argument 'pattern'"
        )),
    }
}

/// Call `re.<f>`.
pub fn call(
    it: &mut Interp,
    h: &mut dyn Host,
    f: &str,
    args: Vec<Value>,
    kwargs: Vec<(Rc<str>, Value)>,
) -> R<Value> {
    let params: &[&str] = match f {
        "escape" => &["pattern"],
        "purge" => &[],
        "compile" => &["pattern", "flags"],
        "sub" | "subn" => &["pattern", "repl", "string", "count", "flags"],
        "split" => &["pattern", "string", "maxsplit", "flags"],
        _ => &["pattern", "string", "flags"],
    };
    let a = bind(f, params, args, kwargs)?;
    match f {
        "escape" => return Ok(Value::str(&escape(&text_arg(&a[0], f, "pattern")?))),
        "purge" => {
            super::CACHE.with(|c| c.borrow_mut().clear());
            return Ok(Value::None);
        }
        _ => {}
    }
    let flags = int_arg(a.last().unwrap_or(&None), 0)?;
    let p = pattern_arg(&a[0], flags, f)?;
    match f {
        "compile" => Ok(Value::Re(Rc::new(ReObj::Pattern(p)))),
        "sub" | "subn" => {
            let repl = a[1].clone().unwrap_or(Value::None);
            let text = text_arg(&a[2], f, "string")?;
            sub(it, h, &p, &repl, &text, int_arg(&a[3], 0)?, f == "subn")
        }
        "split" => split(it, &p, &text_arg(&a[1], f, "string")?, int_arg(&a[2], 0)?),
        _ => search_op(it, &p, f, &text_arg(&a[1], f, "string")?, 0, i64::MAX),
    }
}

/// `search`, `match`, `fullmatch`, `findall` or `finditer` of `p` over the
/// characters `pos..endpos` of `text`.
fn search_op(
    it: &mut Interp,
    p: &Rc<Pattern>,
    f: &str,
    text: &Rc<str>,
    pos: i64,
    endpos: i64,
) -> R<Value> {
    let start = byte_index(text, pos);
    let end = byte_index(text, endpos);
    let how = match f {
        "search" => How::Search,
        "match" => How::Match,
        "fullmatch" => How::Full,
        "findall" | "finditer" => {
            let found = if start <= end {
                p.find_all(it, text, start, end, 0)?
            } else {
                Vec::new()
            };
            return Ok(if f == "findall" {
                Value::list(found.iter().map(|s| findall_item(p, text, s)).collect())
            } else {
                let ms = found
                    .into_iter()
                    .map(|s| match_value(p, text, s, start, end))
                    .collect::<Vec<_>>();
                Value::Iter(Rc::new(RefCell::new(ms.into_iter())))
            });
        }
        _ => {
            return err(format!(
                "AttributeError: 're.Pattern' object has no attribute '{f}'"
            ));
        }
    };
    it.charge(end.saturating_sub(start))?;
    if start > end {
        return Ok(Value::None);
    }
    Ok(match lift(p.find(text, start, end, how))? {
        Some(spans) => match_value(p, text, spans, start, end),
        None => Value::None,
    })
}

fn match_value(p: &Rc<Pattern>, text: &Rc<str>, spans: Spans, start: usize, end: usize) -> Value {
    Value::Re(Rc::new(ReObj::Match(Match {
        text: text.clone(),
        spans,
        pattern: p.clone(),
        pos: usize::try_from(char_index(text, start)).unwrap_or(0),
        endpos: usize::try_from(char_index(text, end)).unwrap_or(0),
    })))
}

fn span_text<'a>(text: &'a str, spans: &Spans, n: usize) -> Option<&'a str> {
    let (s, e) = spans.get(n).copied().flatten()?;
    text.get(s..e)
}

/// One item of `findall`: the match, its only group, or a tuple of groups.
fn findall_item(p: &Pattern, text: &str, spans: &Spans) -> Value {
    let g = |n| Value::str(span_text(text, spans, n).unwrap_or(""));
    match p.groups {
        0 => g(0),
        1 => g(1),
        n => Value::tuple((1..=n).map(g).collect()),
    }
}

/// What `sub` replaces each match with.
enum Repl {
    Template(Vec<Piece>),
    Call(Value),
}

fn sub(
    it: &mut Interp,
    h: &mut dyn Host,
    p: &Rc<Pattern>,
    repl: &Value,
    text: &Rc<str>,
    count: i64,
    subn: bool,
) -> R<Value> {
    let repl = match repl {
        Value::Str(s) => Repl::Template(
            template::parse(s, p.groups, &|n| p.group_number(n)).or_else(|e| {
                if e.starts_with("IndexError") {
                    err(e)
                } else {
                    err(format!("re.error: {e}"))
                }
            })?,
        ),
        Value::Unknown(n) => return Ok(Value::Unknown(n.clone())),
        Value::Function(_) | Value::Builtin(_) | Value::Method(_) | Value::Host(_) => {
            Repl::Call(repl.clone())
        }
        v => {
            return err(format!(
                "TypeError: expected str instance, {} found",
                v.type_name()
            ));
        }
    };
    let found = if count < 0 {
        Vec::new()
    } else {
        let limit = usize::try_from(count).unwrap_or(usize::MAX);
        p.find_all(it, text, 0, text.len(), limit)?
    };
    let n = found.len();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for spans in found {
        let (s, e) = spans.first().copied().flatten().unwrap_or((last, last));
        out.push_str(text.get(last..s).unwrap_or(""));
        match &repl {
            Repl::Template(pieces) => template::expand(
                pieces,
                |g| span_text(text, &spans, g).unwrap_or(""),
                &mut out,
            ),
            Repl::Call(f) => {
                let m = match_value(p, text, spans, 0, text.len());
                match &it.call_value(h, f, vec![m], Vec::new(), 0)? {
                    Value::Str(r) => out.push_str(r),
                    Value::None => {}
                    Value::Unknown(u) => return Ok(Value::Unknown(u.clone())),
                    v => {
                        return err(format!(
                            "TypeError: sequence item 1: expected str instance, {} found",
                            v.type_name()
                        ));
                    }
                }
            }
        }
        last = e;
        if out.len() > it.limits.max_len {
            return err("MemoryError: string too long");
        }
    }
    out.push_str(text.get(last..).unwrap_or(""));
    let s = Value::Str(Rc::from(out));
    Ok(if subn {
        Value::tuple(vec![s, Value::Int(i64::try_from(n).unwrap_or(0))])
    } else {
        s
    })
}

fn split(it: &mut Interp, p: &Rc<Pattern>, text: &Rc<str>, maxsplit: i64) -> R<Value> {
    if maxsplit < 0 {
        return Ok(Value::list(vec![Value::Str(text.clone())]));
    }
    let limit = usize::try_from(maxsplit).unwrap_or(usize::MAX);
    let found = p.find_all(it, text, 0, text.len(), limit)?;
    let mut out = Vec::new();
    let mut last = 0;
    for spans in &found {
        let (s, e) = spans.first().copied().flatten().unwrap_or((last, last));
        out.push(Value::str(text.get(last..s).unwrap_or("")));
        for g in 1..=p.groups {
            out.push(span_text(text, spans, g).map_or(Value::None, Value::str));
        }
        last = e;
    }
    out.push(Value::str(text.get(last..).unwrap_or("")));
    Ok(Value::list(out))
}

/// Call method `name` of a pattern or match.
pub fn method(
    it: &mut Interp,
    h: &mut dyn Host,
    r: &Rc<ReObj>,
    name: &str,
    args: Vec<Value>,
    kwargs: Vec<(Rc<str>, Value)>,
) -> R<Value> {
    if let Some(Value::Unknown(n)) = args
        .iter()
        .chain(kwargs.iter().map(|k| &k.1))
        .find(|a| a.is_unknown())
    {
        return Ok(Value::Unknown(n.clone()));
    }
    match &**r {
        ReObj::Pattern(p) => pattern_method(it, h, p, name, args, kwargs),
        ReObj::Match(m) => match_method(m, name, args, kwargs),
    }
}

fn pattern_method(
    it: &mut Interp,
    h: &mut dyn Host,
    p: &Rc<Pattern>,
    name: &str,
    args: Vec<Value>,
    kwargs: Vec<(Rc<str>, Value)>,
) -> R<Value> {
    match name {
        "sub" | "subn" => {
            let a = bind(name, &["repl", "string", "count"], args, kwargs)?;
            let repl = a[0].clone().unwrap_or(Value::None);
            let text = text_arg(&a[1], name, "string")?;
            sub(it, h, p, &repl, &text, int_arg(&a[2], 0)?, name == "subn")
        }
        "split" => {
            let a = bind(name, &["string", "maxsplit"], args, kwargs)?;
            split(it, p, &text_arg(&a[0], name, "string")?, int_arg(&a[1], 0)?)
        }
        "search" | "match" | "fullmatch" | "findall" | "finditer" => {
            let a = bind(name, &["string", "pos", "endpos"], args, kwargs)?;
            let text = text_arg(&a[0], name, "string")?;
            let (pos, endpos) = (int_arg(&a[1], 0)?, int_arg(&a[2], i64::MAX)?);
            search_op(it, p, name, &text, pos, endpos)
        }
        _ => err(format!(
            "AttributeError: 're.Pattern' object has no attribute '{name}'"
        )),
    }
}

/// The group number that `v` (a number or a name) stands for in `m`.
fn group_number(m: &Match, v: &Value) -> R<usize> {
    let n = match v {
        Value::Str(s) => m.pattern.group_number(s),
        v => v.as_int().and_then(|i| usize::try_from(i).ok()),
    };
    match n {
        Some(n) if n <= m.pattern.groups => Ok(n),
        _ => err("IndexError: no such group"),
    }
}

fn group_value(m: &Match, n: usize, default: &Value) -> Value {
    m.group(n).map_or_else(|| default.clone(), Value::str)
}

fn match_method(
    m: &Match,
    name: &str,
    args: Vec<Value>,
    kwargs: Vec<(Rc<str>, Value)>,
) -> R<Value> {
    match name {
        "group" => {
            if !kwargs.is_empty() {
                return err("TypeError: group() takes no keyword arguments");
            }
            let mut vals = Vec::with_capacity(args.len());
            for a in &args {
                vals.push(group_value(m, group_number(m, a)?, &Value::None));
            }
            Ok(match vals.len() {
                0 => group_value(m, 0, &Value::None),
                1 => vals.pop().unwrap_or(Value::None),
                _ => Value::tuple(vals),
            })
        }
        "groups" | "groupdict" => {
            let a = bind(name, &["default"], args, kwargs)?;
            let default = a[0].clone().unwrap_or(Value::None);
            if name == "groups" {
                return Ok(Value::tuple(
                    (1..=m.pattern.groups)
                        .map(|n| group_value(m, n, &default))
                        .collect(),
                ));
            }
            let mut d = Dict::new();
            for (k, n) in &m.pattern.names {
                lift(d.insert(Value::Str(k.clone()), group_value(m, *n, &default)))?;
            }
            Ok(Value::Dict(Rc::new(RefCell::new(d))))
        }
        "start" | "end" | "span" => {
            let a = bind(name, &["group"], args, kwargs)?;
            let n = group_number(m, a[0].as_ref().unwrap_or(&Value::Int(0)))?;
            let (s, e) = m.char_span(n);
            Ok(match name {
                "start" => Value::Int(s),
                "end" => Value::Int(e),
                _ => Value::tuple(vec![Value::Int(s), Value::Int(e)]),
            })
        }
        "expand" => {
            let a = bind(name, &["template"], args, kwargs)?;
            let t = text_arg(&a[0], name, "template")?;
            let pieces = template::parse(&t, m.pattern.groups, &|n| m.pattern.group_number(n))
                .or_else(|e| err(format!("re.error: {e}")))?;
            let mut out = String::new();
            template::expand(&pieces, |g| m.group(g).unwrap_or(""), &mut out);
            Ok(Value::str(&out))
        }
        "__getitem__" => match args.first() {
            Some(i) => index(m, i).or_else(err),
            None => err("TypeError: expected 1 argument"),
        },
        _ => err(format!(
            "AttributeError: 're.Match' object has no attribute '{name}'"
        )),
    }
}

/// `m[i]`: group `i` (a number or a name).
pub fn index(m: &Match, i: &Value) -> Result<Value, String> {
    let n = match i {
        Value::Str(s) => m.pattern.group_number(s),
        v => v.as_int().and_then(|i| usize::try_from(i).ok()),
    };
    match n {
        Some(n) if n <= m.pattern.groups => Ok(group_value(m, n, &Value::None)),
        _ => Err("IndexError: no such group".into()),
    }
}

/// A data attribute of a pattern or match (`p.pattern`, `m.string`, …);
/// `None` for a method name.
pub fn object_attr(r: &ReObj, name: &str) -> Option<Value> {
    let int = |n: usize| Value::Int(i64::try_from(n).unwrap_or(i64::MAX));
    Some(match r {
        ReObj::Pattern(p) => match name {
            "pattern" => Value::Str(p.source.clone()),
            "flags" => Value::Int(p.flags),
            "groups" => int(p.groups),
            "groupindex" => {
                let mut d = Dict::new();
                for (k, n) in &p.names {
                    let _ = d.insert(Value::Str(k.clone()), int(*n));
                }
                Value::Dict(Rc::new(RefCell::new(d)))
            }
            _ => return None,
        },
        ReObj::Match(m) => match name {
            "string" => Value::Str(m.text.clone()),
            "re" => Value::Re(Rc::new(ReObj::Pattern(m.pattern.clone()))),
            "pos" => int(m.pos),
            "endpos" => int(m.endpos),
            "lastindex" | "lastgroup" => {
                let last = (1..=m.pattern.groups)
                    .filter_map(|n| m.spans.get(n).copied().flatten().map(|s| (s.1, n)))
                    .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
                match (name, last) {
                    (_, None) => Value::None,
                    ("lastindex", Some((_, n))) => int(n),
                    (_, Some((_, n))) => m
                        .pattern
                        .names
                        .iter()
                        .find(|k| k.1 == n)
                        .map_or(Value::None, |k| Value::Str(k.0.clone())),
                }
            }
            _ => return None,
        },
    })
}
