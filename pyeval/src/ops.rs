//! Operators on values: `repr`, equality and ordering, arithmetic, `in`, indexing
//! and slicing. Errors are messages; the interpreter adds the line.

use std::cmp::Ordering;
use std::fmt::Write;
use std::rc::Rc;

use super::ast::BinOp;
use super::value::{ReObj, Value};

/// Structures nested deeper than this are shown as `...` / compared as unequal.
const MAX_NEST: u32 = 100;

/// `repr` stops expanding once its text is this long (shared structures can be
/// exponentially large when expanded).
const REPR_CAP: usize = 1 << 20;

/// Nodes visited by one comparison before it gives up (shared structures).
const CMP_BUDGET: u32 = 1_000_000;

/// Python `repr` of a float.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let a = f.abs();
    if a != 0.0 && !(1e-4..1e16).contains(&a) {
        let s = format!("{f:e}");
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let e: i32 = e.parse().unwrap_or(0);
        let sign = if e < 0 { '-' } else { '+' };
        return format!("{m}e{sign}{:02}", e.abs());
    }
    let s = format!("{f}");
    if s.contains('.') { s } else { format!("{s}.0") }
}

/// Python `repr` of a string.
pub fn str_repr(out: &mut String, s: &str) {
    let q = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(q);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == q => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push(q);
}

fn write_items(out: &mut String, items: &[Value], depth: u32, open: &str, close: &str) {
    out.push_str(open);
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_repr(out, v, depth + 1);
    }
    out.push_str(close);
}

/// Append `repr(v)` to `out`.
pub fn write_repr(out: &mut String, v: &Value, depth: u32) {
    if depth > MAX_NEST || out.len() > REPR_CAP {
        out.push_str("...");
        return;
    }
    match v {
        Value::None => out.push_str("None"),
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => out.push_str(&float_repr(*f)),
        Value::Str(s) => str_repr(out, s),
        Value::List(l) => match l.try_borrow() {
            Ok(items) => write_items(out, &items, depth, "[", "]"),
            Err(_) => out.push_str("[...]"),
        },
        Value::Tuple(t) if t.len() == 1 => write_items(out, t, depth, "(", ",)"),
        Value::Tuple(t) => write_items(out, t, depth, "(", ")"),
        Value::Dict(d) | Value::Set(d) => {
            let Ok(d) = d.try_borrow() else {
                out.push_str("{...}");
                return;
            };
            let set = matches!(v, Value::Set(_));
            if set && d.is_empty() {
                out.push_str("set()");
                return;
            }
            out.push('{');
            for (i, (k, val)) in d.entries().iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_repr(out, k, depth + 1);
                if !set {
                    out.push_str(": ");
                    write_repr(out, val, depth + 1);
                }
            }
            out.push('}');
        }
        Value::Range(a, b, 1) => {
            let _ = write!(out, "range({a}, {b})");
        }
        Value::Range(a, b, s) => {
            let _ = write!(out, "range({a}, {b}, {s})");
        }
        Value::Function(f) => {
            let _ = write!(out, "<function {}>", f.name());
        }
        Value::Builtin(b) => {
            let _ = write!(out, "<built-in function {b}>");
        }
        Value::Method(m) => {
            let _ = write!(
                out,
                "<built-in method {} of {} object>",
                m.1,
                m.0.type_name()
            );
        }
        Value::Module(m) => {
            let _ = write!(out, "<module '{}'>", m.name);
        }
        Value::Unknown(n) => {
            let _ = write!(out, "<{n}>");
        }
        Value::Host(h) => {
            let _ = write!(out, "<{}>", h.type_name());
        }
        Value::Iter(_) | Value::Re(_) => {
            let _ = write!(out, "<{} object>", v.type_name());
        }
    }
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// `a == b`.
pub fn py_eq(a: &Value, b: &Value, depth: u32) -> bool {
    eq_in(a, b, depth, &mut CMP_BUDGET.clone())
}

fn eq_in(a: &Value, b: &Value, depth: u32, budget: &mut u32) -> bool {
    *budget = budget.saturating_sub(1);
    if depth > MAX_NEST || *budget == 0 {
        return false;
    }
    match (a, b) {
        (Value::None, Value::None) => true,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Int(_) | Value::Bool(_), Value::Int(_) | Value::Bool(_)) => {
            a.as_int() == b.as_int()
        }
        (Value::Float(_), _) | (_, Value::Float(_)) => match (num(a), num(b)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
        (Value::List(x), Value::List(y)) => {
            Rc::ptr_eq(x, y) || seq_eq(&x.borrow(), &y.borrow(), depth, budget)
        }
        (Value::Tuple(x), Value::Tuple(y)) => Rc::ptr_eq(x, y) || seq_eq(x, y, depth, budget),
        (Value::Dict(x), Value::Dict(y)) | (Value::Set(x), Value::Set(y)) => {
            if Rc::ptr_eq(x, y) {
                return true;
            }
            let (x, y) = (x.borrow(), y.borrow());
            x.len() == y.len()
                && x.entries().iter().all(|(k, v)| match y.get(k) {
                    Ok(Some(w)) => eq_in(v, &w, depth + 1, budget),
                    _ => false,
                })
        }
        (Value::Range(..), Value::Range(..)) => a.hkey() == b.hkey(),
        (Value::Host(h), other) | (other, Value::Host(h)) => match h.eq_value(other) {
            Some(r) => r,
            None => matches!(other, Value::Host(g) if Rc::ptr_eq(h, g)),
        },
        (Value::Function(f), Value::Function(g)) => Rc::ptr_eq(f, g),
        (Value::Builtin(f), Value::Builtin(g)) => f == g,
        (Value::Module(f), Value::Module(g)) => f.name == g.name,
        _ => false,
    }
}

fn seq_eq(x: &[Value], y: &[Value], depth: u32, budget: &mut u32) -> bool {
    x.len() == y.len() && x.iter().zip(y).all(|(a, b)| eq_in(a, b, depth + 1, budget))
}

/// Ordering for `<` and friends, and for `sorted`.
pub fn py_cmp(a: &Value, b: &Value, depth: u32) -> Result<Ordering, String> {
    cmp_in(a, b, depth, &mut CMP_BUDGET.clone())
}

fn cmp_in(a: &Value, b: &Value, depth: u32, budget: &mut u32) -> Result<Ordering, String> {
    *budget = budget.saturating_sub(1);
    if depth > MAX_NEST || *budget == 0 {
        return Err("RecursionError: comparison nested too deeply".into());
    }
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => Ok(x.cmp(y)),
        (Value::Int(_) | Value::Bool(_), Value::Int(_) | Value::Bool(_)) => {
            Ok(a.as_int().cmp(&b.as_int()))
        }
        (Value::List(x), Value::List(y)) => seq_cmp(&x.borrow(), &y.borrow(), depth, budget),
        (Value::Tuple(x), Value::Tuple(y)) => seq_cmp(x, y, depth, budget),
        _ => match (num(a), num(b)) {
            (Some(x), Some(y)) => Ok(x.partial_cmp(&y).unwrap_or(Ordering::Equal)),
            _ => Err(format!(
                "TypeError: '<' not supported between instances of '{}' and '{}'",
                a.type_name(),
                b.type_name()
            )),
        },
    }
}

fn seq_cmp(x: &[Value], y: &[Value], depth: u32, budget: &mut u32) -> Result<Ordering, String> {
    for (a, b) in x.iter().zip(y) {
        if !eq_in(a, b, depth + 1, budget) {
            return cmp_in(a, b, depth + 1, budget);
        }
    }
    Ok(x.len().cmp(&y.len()))
}

/// `needle in haystack`.
pub fn contains(hay: &Value, needle: &Value) -> Result<bool, String> {
    match hay {
        Value::Str(s) => match needle {
            Value::Str(n) => Ok(s.contains(&**n)),
            _ => Err(format!(
                "TypeError: 'in <string>' requires string as left operand, not {}",
                needle.type_name()
            )),
        },
        Value::List(l) => Ok(l.borrow().iter().any(|v| py_eq(v, needle, 0))),
        Value::Tuple(t) => Ok(t.iter().any(|v| py_eq(v, needle, 0))),
        Value::Dict(d) | Value::Set(d) => d.borrow().contains(needle),
        Value::Range(a, b, s) => Ok(match needle.as_int() {
            Some(n) => {
                let in_bounds = if *s > 0 {
                    *a <= n && n < *b
                } else {
                    *b < n && n <= *a
                };
                in_bounds && (i128::from(n) - i128::from(*a)) % i128::from(*s) == 0
            }
            None => false,
        }),
        _ => Err(format!(
            "TypeError: argument of type '{}' is not iterable",
            hay.type_name()
        )),
    }
}

fn overflow() -> String {
    "OverflowError: integer too large (only 64-bit integers are supported)".into()
}

fn floor_div(a: i64, b: i64) -> Result<i64, String> {
    if b == 0 {
        return Err("ZeroDivisionError: integer division or modulo by zero".into());
    }
    let q = a.checked_div(b).ok_or_else(overflow)?;
    Ok(if (a % b != 0) && ((a < 0) != (b < 0)) {
        q - 1
    } else {
        q
    })
}

fn floor_mod(a: i64, b: i64) -> Result<i64, String> {
    if b == 0 {
        return Err("ZeroDivisionError: integer division or modulo by zero".into());
    }
    let r = a.checked_rem(b).unwrap_or(0);
    Ok(if r != 0 && ((r < 0) != (b < 0)) {
        r + b
    } else {
        r
    })
}

fn int_op(op: BinOp, a: i64, b: i64) -> Result<Value, String> {
    let r = match op {
        BinOp::Add => a.checked_add(b),
        BinOp::Sub => a.checked_sub(b),
        BinOp::Mul => a.checked_mul(b),
        BinOp::FloorDiv => Some(floor_div(a, b)?),
        BinOp::Mod => Some(floor_mod(a, b)?),
        BinOp::Div => return float_op(op, a as f64, b as f64),
        BinOp::Pow if b < 0 => return float_op(op, a as f64, b as f64),
        BinOp::Pow => u32::try_from(b).ok().and_then(|b| a.checked_pow(b)),
        BinOp::LShift if b < 0 => return Err("ValueError: negative shift count".into()),
        BinOp::LShift => {
            let r = u32::try_from(b).ok().and_then(|b| a.checked_shl(b));
            r.filter(|r| b < 64 && (r >> b) == a)
        }
        BinOp::RShift if b < 0 => return Err("ValueError: negative shift count".into()),
        BinOp::RShift => Some(a >> b.min(63)),
        BinOp::BitOr => Some(a | b),
        BinOp::BitAnd => Some(a & b),
        BinOp::BitXor => Some(a ^ b),
        BinOp::MatMul => None,
    };
    r.map(Value::Int).ok_or_else(overflow)
}

fn float_op(op: BinOp, a: f64, b: f64) -> Result<Value, String> {
    let zero = || Err("ZeroDivisionError: float division by zero".to_string());
    Ok(Value::Float(match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => a * b,
        BinOp::Div if b == 0.0 => return zero(),
        BinOp::Div => a / b,
        BinOp::FloorDiv if b == 0.0 => return zero(),
        BinOp::FloorDiv => (a / b).floor(),
        BinOp::Mod if b == 0.0 => return zero(),
        BinOp::Mod => a - b * (a / b).floor(),
        BinOp::Pow if a == 0.0 && b < 0.0 => return zero(),
        BinOp::Pow => a.powf(b),
        _ => {
            return Err(format!(
                "TypeError: unsupported operand type(s) for {op:?}: 'float'"
            ));
        }
    }))
}

fn repeat<T: Copy>(items: &[T], n: i64, max: usize) -> Result<Vec<T>, String> {
    let n = usize::try_from(n.max(0)).unwrap_or(0);
    if items.len().saturating_mul(n) > max {
        return Err("MemoryError: result too large".into());
    }
    Ok(items.repeat(n))
}

fn repeat_values(items: &[Value], n: i64, max: usize) -> Result<Vec<Value>, String> {
    let n = usize::try_from(n.max(0)).unwrap_or(0);
    if items.len().saturating_mul(n) > max {
        return Err("MemoryError: result too large".into());
    }
    let mut out = Vec::with_capacity(items.len() * n);
    for _ in 0..n {
        out.extend(items.iter().cloned());
    }
    Ok(out)
}

/// `a op b` for non-`Unknown` operands; `max` caps the length of results.
pub fn binary(op: BinOp, a: &Value, b: &Value, max: usize) -> Result<Value, String> {
    use Value as V;
    match (op, a, b) {
        (_, V::Int(_) | V::Bool(_), V::Int(_) | V::Bool(_)) => {
            int_op(op, a.as_int().unwrap_or(0), b.as_int().unwrap_or(0))
        }
        (_, V::Float(_), V::Int(_) | V::Bool(_) | V::Float(_))
        | (_, V::Int(_) | V::Bool(_), V::Float(_)) => {
            float_op(op, num(a).unwrap_or(0.0), num(b).unwrap_or(0.0))
        }
        (BinOp::Add, V::Str(x), V::Str(y)) => {
            if x.len() + y.len() > max {
                return Err("MemoryError: string too long".into());
            }
            Ok(V::Str(Rc::from(format!("{x}{y}"))))
        }
        (BinOp::Add, V::List(x), V::List(y)) => {
            let mut v = x.borrow().clone();
            v.extend(y.borrow().iter().cloned());
            check_len(v.len(), max)?;
            Ok(V::list(v))
        }
        (BinOp::Add, V::Tuple(x), V::Tuple(y)) => {
            check_len(x.len() + y.len(), max)?;
            Ok(V::tuple(x.iter().chain(y.iter()).cloned().collect()))
        }
        (BinOp::Mul, V::Str(s), V::Int(_) | V::Bool(_))
        | (BinOp::Mul, V::Int(_) | V::Bool(_), V::Str(s)) => {
            let n = a.as_int().or(b.as_int()).unwrap_or(0);
            let bytes = repeat(s.as_bytes(), n, max)?;
            Ok(V::Str(Rc::from(
                String::from_utf8(bytes).unwrap_or_default(),
            )))
        }
        (BinOp::Mul, V::List(l), V::Int(_) | V::Bool(_))
        | (BinOp::Mul, V::Int(_) | V::Bool(_), V::List(l)) => {
            let n = a.as_int().or(b.as_int()).unwrap_or(0);
            Ok(V::list(repeat_values(&l.borrow(), n, max / 16)?))
        }
        (BinOp::Mul, V::Tuple(t), V::Int(_) | V::Bool(_))
        | (BinOp::Mul, V::Int(_) | V::Bool(_), V::Tuple(t)) => {
            let n = a.as_int().or(b.as_int()).unwrap_or(0);
            Ok(V::tuple(repeat_values(t, n, max / 16)?))
        }
        (BinOp::BitOr, V::Dict(x), V::Dict(y)) => {
            let mut d = super::value::Dict::new();
            for (k, v) in x.borrow().entries().iter().chain(y.borrow().entries()) {
                d.insert(k.clone(), v.clone())?;
            }
            Ok(V::Dict(Rc::new(std::cell::RefCell::new(d))))
        }
        (BinOp::BitOr | BinOp::BitAnd | BinOp::Sub | BinOp::BitXor, V::Set(x), V::Set(y)) => {
            set_op(op, &x.borrow(), &y.borrow())
        }
        _ => Err(format!(
            "TypeError: unsupported operand type(s) for {}: '{}' and '{}'",
            op_symbol(op),
            a.type_name(),
            b.type_name()
        )),
    }
}

fn set_op(op: BinOp, x: &super::value::Dict, y: &super::value::Dict) -> Result<Value, String> {
    let mut d = super::value::Dict::new();
    for (k, _) in x.entries() {
        let keep = match op {
            BinOp::BitOr => true,
            BinOp::BitAnd => y.contains(k)?,
            _ => !y.contains(k)?,
        };
        if keep {
            d.insert(k.clone(), Value::None)?;
        }
    }
    if matches!(op, BinOp::BitOr | BinOp::BitXor) {
        for (k, _) in y.entries() {
            if !x.contains(k)? {
                d.insert(k.clone(), Value::None)?;
            }
        }
    }
    Ok(Value::Set(Rc::new(std::cell::RefCell::new(d))))
}

/// An error if a collection would exceed the element cap (`max / 16`).
pub fn check_len(n: usize, max: usize) -> Result<(), String> {
    if n > max / 16 {
        return Err("MemoryError: collection too large".into());
    }
    Ok(())
}

/// The source symbol of an operator.
pub fn op_symbol(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::Div => "/",
        BinOp::FloorDiv => "//",
        BinOp::Mod => "%",
        BinOp::Pow => "**",
        BinOp::MatMul => "@",
        BinOp::LShift => "<<",
        BinOp::RShift => ">>",
        BinOp::BitOr => "|",
        BinOp::BitAnd => "&",
        BinOp::BitXor => "^",
    }
}

/// Resolve a possibly negative index against `len`.
pub fn norm_index(i: i64, len: usize) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let i = if i < 0 { i + len } else { i };
    if (0..len).contains(&i) {
        usize::try_from(i).ok()
    } else {
        None
    }
}

/// `v[idx]` for an index that is not a slice.
pub fn index(v: &Value, idx: &Value) -> Result<Value, String> {
    let seq_idx = |len: usize| -> Result<usize, String> {
        let i = idx.as_int().ok_or_else(|| {
            format!(
                "TypeError: indices must be integers, not {}",
                idx.type_name()
            )
        })?;
        norm_index(i, len).ok_or_else(|| "IndexError: index out of range".to_string())
    };
    match v {
        Value::List(l) => {
            let l = l.borrow();
            Ok(l.get(seq_idx(l.len())?).cloned().unwrap_or(Value::None))
        }
        Value::Tuple(t) => Ok(t.get(seq_idx(t.len())?).cloned().unwrap_or(Value::None)),
        Value::Str(s) => {
            if s.is_ascii() {
                let i = seq_idx(s.len())?;
                return Ok(Value::Str(Rc::from(s.get(i..=i).unwrap_or(""))));
            }
            let n = s.chars().count();
            let i = seq_idx(n)?;
            Ok(Value::Str(Rc::from(
                s.chars().nth(i).map(String::from).unwrap_or_default(),
            )))
        }
        Value::Dict(d) => d
            .borrow()
            .get(idx)?
            .ok_or_else(|| format!("KeyError: {}", idx.repr())),
        Value::Range(a, b, s) => {
            let n = usize::try_from(super::value::range_len(*a, *b, *s)).unwrap_or(0);
            let i = i64::try_from(seq_idx(n)?).unwrap_or(0);
            Ok(Value::Int(a.saturating_add(i.saturating_mul(*s))))
        }
        Value::Re(r) => match &**r {
            ReObj::Match(groups) => {
                let i = usize::try_from(idx.as_int().unwrap_or(-1))
                    .map_err(|_| "IndexError: no such group".to_string())?;
                match groups.get(i) {
                    Some(Some(g)) => Ok(Value::Str(g.clone())),
                    Some(None) => Ok(Value::None),
                    None => Err("IndexError: no such group".into()),
                }
            }
            ReObj::Pattern(_) => Err("TypeError: 're.Pattern' object is not subscriptable".into()),
        },
        _ => Err(format!(
            "TypeError: '{}' object is not subscriptable",
            v.type_name()
        )),
    }
}

/// The indices selected by a slice over a sequence of `len` items.
pub fn slice_indices(
    len: usize,
    lo: Option<i64>,
    hi: Option<i64>,
    step: Option<i64>,
) -> Result<Vec<usize>, String> {
    let step = step.unwrap_or(1);
    if step == 0 {
        return Err("ValueError: slice step cannot be zero".into());
    }
    let n = i64::try_from(len).unwrap_or(i64::MAX);
    let clamp = |v: i64, lo: i64, hi: i64| v.max(lo).min(hi);
    let fix = |v: i64| if v < 0 { v.saturating_add(n) } else { v };
    let mut out = Vec::new();
    if step > 0 {
        let start = clamp(fix(lo.unwrap_or(0)), 0, n);
        let stop = clamp(fix(hi.unwrap_or(n)), 0, n);
        let mut i = start;
        while i < stop {
            out.push(usize::try_from(i).unwrap_or(0));
            i = i.saturating_add(step);
        }
    } else {
        let start = clamp(fix(lo.unwrap_or(n - 1)), -1, n - 1);
        let stop = clamp(hi.map_or(-1, fix), -1, n - 1);
        let mut i = start;
        while i > stop {
            out.push(usize::try_from(i).unwrap_or(0));
            i = i.saturating_add(step);
        }
    }
    Ok(out)
}

/// `v[lo:hi:step]`.
pub fn slice(
    v: &Value,
    lo: Option<i64>,
    hi: Option<i64>,
    step: Option<i64>,
) -> Result<Value, String> {
    match v {
        Value::List(l) => {
            let l = l.borrow();
            let idx = slice_indices(l.len(), lo, hi, step)?;
            Ok(Value::list(
                idx.iter().filter_map(|&i| l.get(i).cloned()).collect(),
            ))
        }
        Value::Tuple(t) => {
            let idx = slice_indices(t.len(), lo, hi, step)?;
            Ok(Value::tuple(
                idx.iter().filter_map(|&i| t.get(i).cloned()).collect(),
            ))
        }
        Value::Str(s) => {
            if s.is_ascii() && step.unwrap_or(1) == 1 {
                let idx = slice_indices(s.len(), lo, hi, None)?;
                let (a, b) = match (idx.first(), idx.last()) {
                    (Some(&a), Some(&b)) => (a, b + 1),
                    _ => (0, 0),
                };
                return Ok(Value::Str(Rc::from(s.get(a..b).unwrap_or(""))));
            }
            let chars: Vec<char> = s.chars().collect();
            let idx = slice_indices(chars.len(), lo, hi, step)?;
            Ok(Value::Str(Rc::from(
                idx.iter().filter_map(|&i| chars.get(i)).collect::<String>(),
            )))
        }
        _ => Err(format!(
            "TypeError: '{}' object is not subscriptable",
            v.type_name()
        )),
    }
}
