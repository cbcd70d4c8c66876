//! The modules a `.T` file may import: `re` (in `re/`), `os`, `os.path`, `sys`, `platform`,
//! `string`, `itertools`, `math`, `typing`, `collections`. Other modules import as
//! `Unknown`.

use std::cell::RefCell;
use std::rc::Rc;

use super::Host;
use super::interp::{Interp, R, err, lift};
use super::value::{Dict, StdModule, Value};

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
        Some(&m) => Value::Module(Rc::new(StdModule { name: m })),
        None => Value::Unknown(Rc::from(name)),
    }
}

const FUNCS: &[&str] = &[
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
    if m == "re" {
        return super::re::module_attr(attr);
    }
    let full = format!("{m}.{attr}");
    if let Some(&f) = FUNCS.iter().find(|&&f| f == full) {
        return Some(Value::Builtin(f));
    }
    let s = Value::str;
    Some(match full.as_str() {
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

/// Tell the host when `name` is one of the stubs of the outside world.
pub fn note_stub(h: &mut dyn Host, name: &str, line: u32) {
    if super::STUBS.iter().any(|(n, _)| *n == name) {
        h.stubbed(name, line);
    }
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
        return super::re::call(it, h, f, args, kwargs);
    }
    note_stub(h, name, it.line);
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
