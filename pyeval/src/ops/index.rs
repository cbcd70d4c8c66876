//! Indexing, slicing, and slice assignment and deletion.

use std::rc::Rc;

use crate::value::{ReObj, Value};

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
            let n = usize::try_from(crate::value::range_len(*a, *b, *s)).unwrap_or(0);
            let i = i64::try_from(seq_idx(n)?).unwrap_or(0);
            Ok(Value::Int(a.saturating_add(i.saturating_mul(*s))))
        }
        Value::Re(r) => match &**r {
            ReObj::Match(m) => crate::re::index(m, idx),
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

/// `v[lo:hi:step] = items`.
pub fn set_slice(
    v: &Value,
    [lo, hi, step]: [Option<i64>; 3],
    items: Vec<Value>,
) -> Result<(), String> {
    let Value::List(l) = v else {
        return match v {
            Value::Unknown(_) => Ok(()),
            _ => Err(format!(
                "TypeError: '{}' object does not support slice assignment",
                v.type_name()
            )),
        };
    };
    let mut l = l.borrow_mut();
    if step.unwrap_or(1) == 1 {
        let n = i64::try_from(l.len()).unwrap_or(i64::MAX);
        let fix = |v: i64| if v < 0 { v.saturating_add(n) } else { v }.clamp(0, n);
        let start = usize::try_from(fix(lo.unwrap_or(0))).unwrap_or(0);
        let stop = usize::try_from(fix(hi.unwrap_or(n)))
            .unwrap_or(0)
            .max(start);
        let old: Vec<Value> = l.splice(start..stop, items).collect();
        drop(old);
        return Ok(());
    }
    let idx = slice_indices(l.len(), lo, hi, step)?;
    if idx.len() != items.len() {
        return Err(format!(
            "ValueError: attempt to assign sequence of size {} to extended slice of size {}",
            items.len(),
            idx.len()
        ));
    }
    for (i, x) in idx.into_iter().zip(items) {
        if let Some(slot) = l.get_mut(i) {
            *slot = x;
        }
    }
    Ok(())
}

/// `del v[lo:hi:step]`.
pub fn del_slice(v: &Value, [lo, hi, step]: [Option<i64>; 3]) -> Result<(), String> {
    match v {
        Value::List(l) => {
            let mut l = l.borrow_mut();
            let mut idx = slice_indices(l.len(), lo, hi, step)?;
            idx.sort_unstable();
            for i in idx.into_iter().rev() {
                let old = l.remove(i);
                drop(old);
            }
            Ok(())
        }
        Value::Unknown(_) => Ok(()),
        _ => Err(format!(
            "TypeError: '{}' object does not support item deletion",
            v.type_name()
        )),
    }
}
