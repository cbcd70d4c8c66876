//! Methods of `str`, with Python's rules for whitespace, line boundaries,
//! padding and digits.

use std::rc::Rc;

use super::format;
use super::interp::{Interp, R, err, lift};
use super::methods::{arg, s, str_arg, strs};
use super::ops;
use super::value::Value;

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

/// Call method `name` of string `x`.
pub fn str_method(
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
        "splitlines" => {
            let keep = args
                .first()
                .or(kwargs.iter().find(|k| &*k.0 == "keepends").map(|k| &k.1))
                .is_some_and(Value::truthy);
            strs(splitlines(x, keep))
        }
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
            let bound = |i: usize| match args.get(i) {
                None | Some(Value::None) => Ok(None),
                Some(v) => match v.as_int() {
                    Some(n) => Ok(Some(n)),
                    None => err("TypeError: slice indices must be integers or None"),
                },
            };
            let (lo, hi) = (bound(1)?, bound(2)?);
            let part = match (lo, hi) {
                (None, None) => x.clone(),
                _ => match &lift(ops::slice(&Value::Str(x.clone()), lo, hi, None))? {
                    Value::Str(p) => p.clone(),
                    _ => x.clone(),
                },
            };
            let test = |p: &str| {
                if name == "startswith" {
                    part.starts_with(p)
                } else {
                    part.ends_with(p)
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
        "isdecimal" => Value::Bool(!x.is_empty() && x.chars().all(is_decimal)),
        "isdigit" => Value::Bool(!x.is_empty() && x.chars().all(is_digit)),
        "isnumeric" => {
            Value::Bool(!x.is_empty() && x.chars().all(|c| is_digit(c) || c.is_numeric()))
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
            let fill = match opt_str(1)? {
                None => ' ',
                Some(f) if f.chars().count() == 1 => f.chars().next().unwrap_or(' '),
                Some(_) => {
                    return err("TypeError: The fill character must be exactly one character long");
                }
            };
            s(justify(x, name, w, fill))
        }
        "removeprefix" => s(x.strip_prefix(&*str_arg(args, 0)?).unwrap_or(x).to_string()),
        "removesuffix" => s(x.strip_suffix(&*str_arg(args, 0)?).unwrap_or(x).to_string()),
        "encode" | "decode" => Value::Str(x.clone()),
        "expandtabs" => {
            let size = args.first().and_then(Value::as_int).unwrap_or(8);
            s(expandtabs(x, usize::try_from(size).unwrap_or(0), max)?)
        }
        _ => return err(format!("unsupported: str.{name}")),
    })
}

/// `str.ljust`, `rjust`, `center` and `zfill` to `width` characters.
fn justify(x: &str, how: &str, width: usize, fill: char) -> String {
    let len = x.chars().count();
    let pad = width.saturating_sub(len);
    let (left, right) = match how {
        "ljust" => (0, pad),
        "center" => {
            let left = pad / 2 + (pad & width & 1);
            (left, pad - left)
        }
        _ => (pad, 0),
    };
    let run = |n: usize, c: char| std::iter::repeat_n(c, n).collect::<String>();
    if how == "zfill" {
        return match x.strip_prefix(['-', '+']) {
            Some(rest) => format!("{}{}{rest}", x.get(..1).unwrap_or(""), run(pad, '0')),
            None => format!("{}{x}", run(pad, '0')),
        };
    }
    format!("{}{x}{}", run(left, fill), run(right, fill))
}

/// Whether `c` is a decimal digit (Unicode category `Nd`), as `str.isdecimal`.
fn is_decimal(c: char) -> bool {
    thread_local! {
        static ND: Option<fancy_regex::Regex> = fancy_regex::Regex::new(r"\A\p{Nd}\z").ok();
    }
    c.is_ascii_digit()
        || (!c.is_ascii()
            && ND.with(|re| {
                re.as_ref()
                    .is_some_and(|re| re.is_match(c.encode_utf8(&mut [0; 4])).unwrap_or(false))
            }))
}

/// Whether `c` is a digit as `str.isdigit` says: decimal, or a superscript,
/// subscript or circled digit.
fn is_digit(c: char) -> bool {
    is_decimal(c)
        || matches!(c,
            '\u{b2}' | '\u{b3}' | '\u{b9}' | '\u{2070}' | '\u{2074}'..='\u{2079}'
            | '\u{2080}'..='\u{2089}' | '\u{2460}'..='\u{2468}' | '\u{2474}'..='\u{247c}'
            | '\u{2488}'..='\u{2490}' | '\u{24ea}' | '\u{24f5}'..='\u{24fd}' | '\u{24ff}'
            | '\u{2776}'..='\u{277e}' | '\u{2780}'..='\u{2788}' | '\u{278a}'..='\u{2792}'
            | '\u{1369}'..='\u{1371}')
}

/// `str.splitlines`: Python's line boundaries, not only `\n`.
fn splitlines(x: &str, keepends: bool) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut it = x.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let end = match c {
            '\r' if it.peek().is_some_and(|p| p.1 == '\n') => {
                it.next();
                i + 2
            }
            '\n' | '\r' | '\x0b' | '\x0c' | '\x1c' | '\x1d' | '\x1e' | '\u{85}' | '\u{2028}'
            | '\u{2029}' => i + c.len_utf8(),
            _ => continue,
        };
        out.push(x.get(start..if keepends { end } else { i }).unwrap_or(""));
        start = end;
    }
    if start < x.len() {
        out.push(x.get(start..).unwrap_or(""));
    }
    out
}

/// `str.expandtabs`: each tab up to the next multiple of `size` columns.
fn expandtabs(x: &str, size: usize, max: usize) -> R<String> {
    let mut out = String::with_capacity(x.len());
    let mut col = 0;
    for c in x.chars() {
        match c {
            '\t' if size > 0 => {
                let n = size - col % size;
                out.extend(std::iter::repeat_n(' ', n));
                col += n;
            }
            '\t' => {}
            '\n' | '\r' => {
                out.push(c);
                col = 0;
            }
            c => {
                out.push(c);
                col += 1;
            }
        }
        if out.len() > max {
            return err("MemoryError: string too long");
        }
    }
    Ok(out)
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
