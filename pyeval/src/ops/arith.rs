//! Arithmetic and the other binary operators, within 64-bit integers and the
//! length caps.

use std::rc::Rc;

use crate::ast::BinOp;
use crate::value::Value;

use super::num;

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
            let mut d = crate::value::Dict::new();
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

fn set_op(op: BinOp, x: &crate::value::Dict, y: &crate::value::Dict) -> Result<Value, String> {
    let mut d = crate::value::Dict::new();
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
