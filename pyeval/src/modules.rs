//! The modules a `.T` file may import: `re`, `os`, `os.path`, `sys`, `platform`,
//! `string`, `itertools`, `math`, `typing`, `collections`. Other modules import as
//! `Unknown`.

use std::cell::RefCell;
use std::rc::Rc;

use super::Host;
use super::interp::{Interp, R, err, lift};
use super::value::{Dict, Module, ReObj, Value};

const MODULES: &[&str] = &[
    "re",
    "os",
    "os.path",
    "sys",
    "platform",
    "string",
    "itertools",
    "math",
    "typing",
    "collections",
];

/// The value `import name` binds.
pub fn import(name: &str) -> Value {
    match MODULES.iter().find(|&&m| m == name) {
        Some(&m) => Value::Module(Rc::new(Module { name: m })),
        None => Value::Unknown(Rc::from(name)),
    }
}

const FUNCS: &[&str] = &[
    "re.sub",
    "re.subn",
    "re.search",
    "re.match",
    "re.fullmatch",
    "re.findall",
    "re.split",
    "re.compile",
    "re.escape",
    "os.path.join",
    "os.path.basename",
    "os.path.dirname",
    "os.path.exists",
    "os.path.isfile",
    "os.path.isdir",
    "os.path.splitext",
    "os.path.abspath",
    "os.path.normpath",
    "os.getcwd",
    "os.getenv",
    "platform.system",
    "platform.machine",
    "itertools.product",
    "itertools.chain",
    "itertools.groupby",
    "itertools.combinations",
    "math.floor",
    "math.ceil",
    "math.sqrt",
    "collections.OrderedDict",
];

/// Attribute `attr` of module `m`.
pub fn attr(m: &str, attr: &str) -> Option<Value> {
    let full = format!("{m}.{attr}");
    if let Some(&f) = FUNCS.iter().find(|&&f| f == full) {
        return Some(Value::Builtin(f));
    }
    let s = Value::str;
    Some(match full.as_str() {
        "re.MULTILINE" | "re.M" => Value::Int(8),
        "re.IGNORECASE" | "re.I" => Value::Int(2),
        "re.DOTALL" | "re.S" => Value::Int(16),
        "re.VERBOSE" | "re.X" => Value::Int(64),
        "os.path" => import("os.path"),
        "os.environ" => Value::Dict(Rc::new(RefCell::new(Dict::new()))),
        "os.sep" | "os.path.sep" => s("/"),
        "os.name" => s("posix"),
        "os.linesep" => s("\n"),
        "sys.platform" => s("linux"),
        "sys.version_info" => Value::tuple(vec![Value::Int(3), Value::Int(12), Value::Int(0)]),
        "sys.maxsize" => Value::Int(i64::MAX),
        "sys.argv" => Value::list(Vec::new()),
        "string.ascii_lowercase" => s("abcdefghijklmnopqrstuvwxyz"),
        "string.ascii_uppercase" => s("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
        "string.ascii_letters" => s("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"),
        "string.digits" => s("0123456789"),
        "string.hexdigits" => s("0123456789abcdefABCDEF"),
        "string.octdigits" => s("01234567"),
        "string.punctuation" => s("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
        "string.whitespace" => s(" \t\n\r\x0b\x0c"),
        "math.pi" => Value::Float(std::f64::consts::PI),
        "math.e" => Value::Float(std::f64::consts::E),
        "math.inf" => Value::Float(f64::INFINITY),
        _ if m == "typing" || m == "collections" => Value::Unknown(Rc::from(full)),
        _ => return None,
    })
}

fn sarg(args: &[Value], i: usize, f: &str) -> R<Rc<str>> {
    match args.get(i) {
        Some(Value::Str(s)) => Ok(s.clone()),
        Some(v) => err(format!(
            "TypeError: {f}: expected str, got {}",
            v.type_name()
        )),
        None => err(format!("TypeError: {f}: missing argument")),
    }
}

fn kwarg<'a>(kwargs: &'a [(Rc<str>, Value)], n: &str) -> Option<&'a Value> {
    kwargs.iter().find(|k| &*k.0 == n).map(|k| &k.1)
}

/// Compile a Python regex with `flags`.
fn compile(pat: &str, flags: i64) -> R<regex::Regex> {
    let mut prefix = String::new();
    for (bit, f) in [(2, 'i'), (8, 'm'), (16, 's'), (64, 'x')] {
        if flags & bit != 0 {
            prefix.push(f);
        }
    }
    let pat = pat.replace("\\Z", "\\z");
    let full = if prefix.is_empty() {
        pat
    } else {
        format!("(?{prefix}){pat}")
    };
    match regex::RegexBuilder::new(&full).size_limit(1 << 22).build() {
        Ok(r) => Ok(r),
        Err(e) => err(format!(
            "unsupported regex {full:?}: {}",
            e.to_string().lines().last().unwrap_or("")
        )),
    }
}

/// A Python replacement template (`\1`, `\g<name>`) as a `regex` one.
fn template(repl: &str) -> String {
    let mut out = String::new();
    let mut cs = repl.chars().peekable();
    while let Some(c) = cs.next() {
        match c {
            '$' => out.push_str("$$"),
            '\\' => match cs.next() {
                Some(d) if d.is_ascii_digit() => {
                    let mut n = d.to_string();
                    if let Some(&d2) = cs.peek().filter(|c| c.is_ascii_digit()) {
                        n.push(d2);
                        cs.next();
                    }
                    out.push_str(&format!("${{{n}}}"));
                }
                Some('g') if cs.peek() == Some(&'<') => {
                    cs.next();
                    let name: String = cs.by_ref().take_while(|&c| c != '>').collect();
                    out.push_str(&format!("${{{name}}}"));
                }
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('\\') => out.push('\\'),
                Some(o) => {
                    out.push('\\');
                    out.push(o);
                }
                None => out.push('\\'),
            },
            c => out.push(c),
        }
    }
    out
}

fn match_of(c: &regex::Captures<'_>) -> Value {
    Value::Re(Rc::new(ReObj::Match(
        c.iter().map(|m| m.map(|m| Rc::from(m.as_str()))).collect(),
    )))
}

/// Call a module function.
pub fn call(
    it: &mut Interp,
    h: &mut dyn Host,
    name: &str,
    args: Vec<Value>,
    kwargs: Vec<(Rc<str>, Value)>,
) -> R<Value> {
    if let Some(f) = name.strip_prefix("re.") {
        let flags_at = match f {
            "sub" | "subn" => 4,
            "split" => 3,
            "compile" => 1,
            _ => 2,
        };
        if f == "escape" {
            return Ok(Value::Str(Rc::from(regex::escape(&sarg(&args, 0, name)?))));
        }
        let flags = args
            .get(flags_at)
            .or(kwarg(&kwargs, "flags"))
            .and_then(Value::as_int)
            .unwrap_or(0);
        let re = compile(&sarg(&args, 0, name)?, flags)?;
        if f == "compile" {
            return Ok(Value::Re(Rc::new(ReObj::Pattern(re))));
        }
        return re_call(it, h, &re, f, args.get(1..).unwrap_or(&[]), &kwargs);
    }
    let s0 = || sarg(&args, 0, name);
    let str_v = |s: &str| Ok(Value::str(s));
    match name {
        "os.path.join" => {
            let mut out = String::new();
            for (i, a) in args.iter().enumerate() {
                let p = sarg(&args, i, name)?;
                let _ = a;
                if p.starts_with('/') {
                    out.clear();
                } else if !out.is_empty() && !out.ends_with('/') {
                    out.push('/');
                }
                out.push_str(&p);
            }
            str_v(&out)
        }
        "os.path.basename" => str_v(s0()?.rsplit('/').next().unwrap_or("")),
        "os.path.dirname" => str_v(s0()?.rsplit_once('/').map_or("", |p| p.0)),
        "os.path.exists" | "os.path.isfile" | "os.path.isdir" => Ok(Value::Bool(false)),
        "os.path.splitext" => {
            let p = s0()?;
            let base_start = p.rfind('/').map_or(0, |i| i + 1);
            let (a, b) = match p.rfind('.') {
                Some(i) if i > base_start => p.split_at(i),
                _ => (&*p, ""),
            };
            Ok(Value::tuple(vec![Value::str(a), Value::str(b)]))
        }
        "os.path.abspath" | "os.path.normpath" => Ok(Value::Str(s0()?)),
        "os.getcwd" => str_v("."),
        "os.getenv" => Ok(args.get(1).cloned().unwrap_or(Value::None)),
        "platform.system" => str_v("Linux"),
        "platform.machine" => str_v("x86_64"),
        "math.floor" | "math.ceil" | "math.sqrt" => {
            let x = match args.first() {
                Some(Value::Float(f)) => *f,
                Some(v) => v
                    .as_int()
                    .map(|i| i as f64)
                    .ok_or(())
                    .or_else(|()| err("TypeError: must be a number"))?,
                None => return err("TypeError: missing argument"),
            };
            let r = match name {
                "math.floor" => x.floor(),
                "math.ceil" => x.ceil(),
                _ => return Ok(Value::Float(x.sqrt())),
            };
            if r.is_finite() && r.abs() < 9.2e18 {
                Ok(Value::Int(r as i64))
            } else {
                err("OverflowError")
            }
        }
        "itertools.chain" => {
            let mut out = Vec::new();
            for a in &args {
                out.extend(it.collect(a)?);
                lift(super::ops::check_len(out.len(), it.limits.max_len))?;
            }
            Ok(iter(out))
        }
        "itertools.product" => {
            let mut acc: Vec<Vec<Value>> = vec![Vec::new()];
            for a in &args {
                let items = it.collect(a)?;
                lift(super::ops::check_len(
                    acc.len().saturating_mul(items.len()),
                    it.limits.max_len,
                ))?;
                it.charge(acc.len().saturating_mul(items.len()))?;
                acc = acc
                    .iter()
                    .flat_map(|p| {
                        items.iter().map(move |x| {
                            let mut p = p.clone();
                            p.push(x.clone());
                            p
                        })
                    })
                    .collect();
            }
            Ok(iter(acc.into_iter().map(Value::tuple).collect()))
        }
        "itertools.combinations" => {
            let items = it.collect(&args.first().cloned().unwrap_or(Value::None))?;
            let r = args.get(1).and_then(Value::as_int).unwrap_or(0);
            if r != 2 {
                return err("unsupported: itertools.combinations with r != 2");
            }
            lift(super::ops::check_len(
                items.len().saturating_mul(items.len()),
                it.limits.max_len,
            ))?;
            let mut out = Vec::new();
            for (i, a) in items.iter().enumerate() {
                for b in items.iter().skip(i + 1) {
                    out.push(Value::tuple(vec![a.clone(), b.clone()]));
                }
            }
            Ok(iter(out))
        }
        "itertools.groupby" => {
            let items = it.collect(&args.first().cloned().unwrap_or(Value::None))?;
            let key = args.get(1).or(kwarg(&kwargs, "key")).cloned();
            let mut out: Vec<(Value, Vec<Value>)> = Vec::new();
            for x in items {
                let k = match &key {
                    Some(f) if !matches!(f, Value::None) => {
                        it.call_value(h, f, vec![x.clone()], Vec::new(), 0)?
                    }
                    _ => x.clone(),
                };
                match out.last_mut() {
                    Some((lk, g)) if super::ops::py_eq(lk, &k, 0) => g.push(x),
                    _ => out.push((k, vec![x])),
                }
            }
            Ok(iter(
                out.into_iter()
                    .map(|(k, g)| Value::tuple(vec![k, Value::list(g)]))
                    .collect(),
            ))
        }
        "collections.OrderedDict" => super::builtins::call(it, h, "dict", args, kwargs),
        _ => err(format!("unsupported: {name}")),
    }
}

fn iter(items: Vec<Value>) -> Value {
    Value::Iter(Rc::new(RefCell::new(items.into_iter())))
}

/// Methods of compiled patterns and matches.
pub fn re_method(
    it: &mut Interp,
    h: &mut dyn Host,
    r: &Rc<ReObj>,
    name: &str,
    args: Vec<Value>,
    kwargs: &[(Rc<str>, Value)],
) -> R<Value> {
    match &**r {
        ReObj::Pattern(re) => re_call(it, h, re, name, &args, kwargs),
        ReObj::Match(groups) => {
            let get = |i: &Value| -> R<Value> {
                let i = usize::try_from(i.as_int().unwrap_or(-1))
                    .or_else(|_| err("IndexError: no such group"))?;
                match groups.get(i) {
                    Some(Some(g)) => Ok(Value::Str(g.clone())),
                    Some(None) => Ok(Value::None),
                    None => err("IndexError: no such group"),
                }
            };
            match name {
                "group" if args.len() <= 1 => get(args.first().unwrap_or(&Value::Int(0))),
                "group" => Ok(Value::tuple(args.iter().map(get).collect::<R<_>>()?)),
                "groups" => Ok(Value::tuple(
                    groups
                        .iter()
                        .skip(1)
                        .map(|g| g.clone().map_or(Value::None, Value::Str))
                        .collect(),
                )),
                _ => err(format!("unsupported: re.Match.{name}")),
            }
        }
    }
}

fn re_call(
    it: &mut Interp,
    h: &mut dyn Host,
    re: &regex::Regex,
    f: &str,
    args: &[Value],
    kwargs: &[(Rc<str>, Value)],
) -> R<Value> {
    let text_at = if matches!(f, "sub" | "subn") { 1 } else { 0 };
    let text = sarg(args, text_at, f)?;
    let max = it.limits.max_len;
    match f {
        "sub" | "subn" => {
            let count = args
                .get(2)
                .or(kwarg(kwargs, "count"))
                .and_then(Value::as_int)
                .unwrap_or(0);
            let limit = usize::try_from(count).unwrap_or(0);
            let (out, n) = match args.first() {
                Some(Value::Str(repl)) => {
                    let t = template(repl);
                    let n = re.find_iter(&text).count();
                    let n = if limit == 0 { n } else { n.min(limit) };
                    (re.replacen(&text, limit, t.as_str()).into_owned(), n)
                }
                Some(func) => {
                    let mut out = String::new();
                    let mut last = 0;
                    let mut n = 0;
                    for c in re.captures_iter(&text) {
                        if limit != 0 && n >= limit {
                            break;
                        }
                        let Some(m) = c.get(0) else { continue };
                        out.push_str(text.get(last..m.start()).unwrap_or(""));
                        let r = it.call_value(h, func, vec![match_of(&c)], Vec::new(), 0)?;
                        out.push_str(&r.py_str());
                        last = m.end();
                        n += 1;
                        if out.len() > max {
                            return err("MemoryError: string too long");
                        }
                    }
                    out.push_str(text.get(last..).unwrap_or(""));
                    (out, n)
                }
                None => return err("TypeError: sub: missing replacement"),
            };
            if out.len() > max {
                return err("MemoryError: string too long");
            }
            let s = Value::Str(Rc::from(out));
            Ok(if f == "subn" {
                Value::tuple(vec![s, Value::Int(i64::try_from(n).unwrap_or(0))])
            } else {
                s
            })
        }
        "search" => Ok(re.captures(&text).map_or(Value::None, |c| match_of(&c))),
        "match" | "fullmatch" => Ok(match re.captures(&text) {
            Some(c)
                if c.get(0)
                    .is_some_and(|m| m.start() == 0 && (f == "match" || m.end() == text.len())) =>
            {
                match_of(&c)
            }
            _ => Value::None,
        }),
        "findall" => Ok(Value::list(
            re.captures_iter(&text)
                .map(|c| match c.len() {
                    1 => c.get(0).map_or(Value::None, |m| Value::str(m.as_str())),
                    2 => c.get(1).map_or(Value::str(""), |m| Value::str(m.as_str())),
                    _ => Value::tuple(
                        c.iter()
                            .skip(1)
                            .map(|m| Value::str(m.map_or("", |m| m.as_str())))
                            .collect(),
                    ),
                })
                .collect(),
        )),
        "split" => Ok(Value::list(re.split(&text).map(Value::str).collect())),
        _ => err(format!("unsupported: re.{f}")),
    }
}
