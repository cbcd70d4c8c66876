//! Operators on values: equality and ordering, and `in` (here); `repr`
//! (`repr.rs`), arithmetic (`arith.rs`), indexing and slicing (`index.rs`).
//! Errors are messages; the interpreter adds the line.

mod arith;
mod index;
mod repr;

use std::cmp::Ordering;
use std::rc::Rc;

use super::value::Value;

pub use arith::{binary, check_len};
pub use index::{del_slice, index, norm_index, set_slice, slice};
pub use repr::{float_repr, str_repr, write_repr};

/// Structures nested deeper than this are shown as `...` / compared as unequal.
const MAX_NEST: u32 = 100;

/// Nodes visited by one comparison before it gives up (shared structures).
const CMP_BUDGET: u32 = 1_000_000;

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
