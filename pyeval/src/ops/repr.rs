//! `repr` of values, as Python writes it.

use std::fmt::Write;

use super::MAX_NEST;
use crate::value::Value;

/// `repr` stops expanding once its text is this long (shared structures can be
/// exponentially large when expanded).
const REPR_CAP: usize = 1 << 20;

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
        Value::Re(r) => out.push_str(&crate::re::repr(r)),
        Value::Iter(_) => {
            let _ = write!(out, "<{} object>", v.type_name());
        }
    }
}
