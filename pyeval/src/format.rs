//! String formatting: `%` formatting, `str.format`, and format specs (shared by f-strings).

use std::rc::Rc;

use super::ops::float_repr;
use super::value::Value;

/// A parsed format spec: `[[fill]align][sign][#][0][width][,][.precision][type]`.
#[derive(Default)]
struct Spec {
    fill: Option<char>,
    align: Option<char>,
    sign: Option<char>,
    alt: bool,
    zero: bool,
    width: usize,
    comma: bool,
    precision: Option<usize>,
    ty: Option<char>,
}

fn parse_spec(spec: &str, max: usize) -> Result<Spec, String> {
    let mut sp = Spec::default();
    let cs: Vec<char> = spec.chars().collect();
    let mut i = 0;
    let is_align = |c: Option<&char>| matches!(c, Some('<' | '>' | '^' | '='));
    if is_align(cs.get(1)) {
        sp.fill = cs.first().copied();
        sp.align = cs.get(1).copied();
        i = 2;
    } else if is_align(cs.first()) {
        sp.align = cs.first().copied();
        i = 1;
    }
    if let Some(&c @ ('+' | '-' | ' ')) = cs.get(i) {
        sp.sign = Some(c);
        i += 1;
    }
    if cs.get(i) == Some(&'#') {
        sp.alt = true;
        i += 1;
    }
    if cs.get(i) == Some(&'0') {
        sp.zero = true;
        i += 1;
    }
    let num = |i: &mut usize| -> Option<usize> {
        let s = *i;
        while cs.get(*i).is_some_and(char::is_ascii_digit) {
            *i += 1;
        }
        cs.get(s..*i)
            .and_then(|d| d.iter().collect::<String>().parse().ok())
    };
    sp.width = num(&mut i).unwrap_or(0);
    if matches!(cs.get(i), Some(',' | '_')) {
        sp.comma = true;
        i += 1;
    }
    if cs.get(i) == Some(&'.') {
        i += 1;
        sp.precision = Some(num(&mut i).ok_or("ValueError: format specifier missing precision")?);
    }
    sp.ty = cs.get(i).copied();
    if cs.len() > i + 1 {
        return Err(format!("ValueError: invalid format specifier '{spec}'"));
    }
    if sp.width > max || sp.precision.unwrap_or(0) > max {
        return Err("MemoryError: format width too large".into());
    }
    Ok(sp)
}

fn pad(body: String, sp: &Spec, default_right: bool) -> String {
    let len = body.chars().count();
    if len >= sp.width {
        return body;
    }
    let n = sp.width - len;
    let fill = sp.fill.unwrap_or(if sp.zero && sp.align.is_none() {
        '0'
    } else {
        ' '
    });
    let align = sp.align.unwrap_or(if sp.zero && default_right {
        '='
    } else if default_right {
        '>'
    } else {
        '<'
    });
    let f = |k: usize| std::iter::repeat_n(fill, k).collect::<String>();
    match align {
        '<' => body + &f(n),
        '^' => format!("{}{body}{}", f(n / 2), f(n - n / 2)),
        '=' => {
            let split = if body.starts_with(['-', '+', ' ']) {
                1
            } else {
                0
            };
            let (sign, rest) = body.split_at(split);
            format!("{sign}{}{rest}", f(n))
        }
        _ => f(n) + &body,
    }
}

fn group(digits: &str) -> String {
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn sign_of(neg: bool, sp: &Spec) -> &'static str {
    match (neg, sp.sign) {
        (true, _) => "-",
        (false, Some('+')) => "+",
        (false, Some(' ')) => " ",
        _ => "",
    }
}

fn fmt_int(i: i64, sp: &Spec) -> Result<String, String> {
    let a = i.unsigned_abs();
    let digits = match sp.ty {
        Some('x') => format!("{}{a:x}", if sp.alt { "0x" } else { "" }),
        Some('X') => format!("{}{a:X}", if sp.alt { "0X" } else { "" }),
        Some('o') => format!("{}{a:o}", if sp.alt { "0o" } else { "" }),
        Some('b') => format!("{}{a:b}", if sp.alt { "0b" } else { "" }),
        Some('c') => {
            return Ok(char::from_u32(u32::try_from(i).unwrap_or(0xfffd))
                .unwrap_or('?')
                .to_string());
        }
        Some('d' | 'n') | None if sp.comma => group(&a.to_string()),
        Some('d' | 'n') | None => a.to_string(),
        Some('e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%') => return fmt_float(i as f64, sp),
        Some(t) => {
            return Err(format!(
                "ValueError: unknown format code '{t}' for object of type 'int'"
            ));
        }
    };
    Ok(format!("{}{digits}", sign_of(i < 0, sp)))
}

fn fmt_float(f: f64, sp: &Spec) -> Result<String, String> {
    let p = sp.precision.unwrap_or(6);
    let a = f.abs();
    let body = match sp.ty {
        Some('f' | 'F') => format!("{a:.p$}"),
        Some('e' | 'E') => exp(a, p, sp.ty == Some('E')),
        Some('%') => format!("{:.p$}%", a * 100.0),
        Some('g' | 'G') | None if sp.precision.is_some() || sp.ty.is_some() => general(a, p, sp),
        None => float_repr(a),
        Some(t) => {
            return Err(format!(
                "ValueError: unknown format code '{t}' for object of type 'float'"
            ));
        }
    };
    let body = if sp.comma {
        let (int, frac) = body
            .split_once('.')
            .map_or((body.as_str(), None), |(a, b)| (a, Some(b)));
        match frac {
            Some(fr) => format!("{}.{fr}", group(int)),
            None => group(int),
        }
    } else {
        body
    };
    Ok(format!(
        "{}{body}",
        sign_of(f.is_sign_negative() && f != 0.0, sp)
    ))
}

/// `g` formatting (and no type with a precision) of `a >= 0` to `p`
/// significant digits: fixed or exponent notation by the rounded exponent,
/// trailing zeros dropped unless `#`.
fn general(a: f64, p: usize, sp: &Spec) -> String {
    let upper = sp.ty == Some('G');
    if !a.is_finite() {
        let s = if a.is_nan() { "nan" } else { "inf" };
        return if upper { s.to_uppercase() } else { s.into() };
    }
    let p = p.max(1);
    let sci = format!("{a:.prec$e}", prec = p - 1);
    let x: i64 = sci
        .split_once('e')
        .and_then(|(_, e)| e.parse().ok())
        .unwrap_or(0);
    let exponent = x < -4 || x >= i64::try_from(p).unwrap_or(i64::MAX);
    let s = if exponent {
        exp(a, p - 1, upper)
    } else {
        let decimals = usize::try_from(i64::try_from(p).unwrap_or(0) - 1 - x).unwrap_or(0);
        format!("{a:.decimals$}")
    };
    if sp.alt {
        return s;
    }
    let (mantissa, tail) = match s.find(['e', 'E']) {
        Some(i) => s.split_at(i),
        None => (s.as_str(), ""),
    };
    let mantissa = if mantissa.contains('.') {
        mantissa.trim_end_matches('0').trim_end_matches('.')
    } else {
        mantissa
    };
    if sp.ty.is_none() && tail.is_empty() && !mantissa.contains('.') {
        return format!("{mantissa}.0");
    }
    format!("{mantissa}{tail}")
}

fn exp(a: f64, p: usize, upper: bool) -> String {
    let s = format!("{a:.p$e}");
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    let e: i32 = e.parse().unwrap_or(0);
    let r = format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
    if upper { r.to_uppercase() } else { r }
}

/// `format(v, spec)`.
pub fn format_value(v: &Value, spec: &str, max: usize) -> Result<String, String> {
    if spec.is_empty() {
        return Ok(v.py_str());
    }
    let sp = parse_spec(spec, max)?;
    match v {
        Value::Bool(_) if sp.ty.is_none() => Ok(pad(v.py_str(), &sp, false)),
        Value::Int(_) | Value::Bool(_) => {
            Ok(pad(fmt_int(v.as_int().unwrap_or(0), &sp)?, &sp, true))
        }
        Value::Float(f) => Ok(pad(fmt_float(*f, &sp)?, &sp, true)),
        Value::Unknown(_) => Ok(v.py_str()),
        _ => {
            if !matches!(sp.ty, None | Some('s')) {
                return Err(format!(
                    "ValueError: unknown format code '{}' for object of type '{}'",
                    sp.ty.unwrap_or('?'),
                    v.type_name()
                ));
            }
            let mut s = v.py_str();
            if let Some(p) = sp.precision {
                s = s.chars().take(p).collect();
            }
            Ok(pad(s, &sp, false))
        }
    }
}

/// `fmt % args`.
pub fn percent(fmt: &str, args: &Value, max: usize) -> Result<String, String> {
    let items: Vec<Value> = match args {
        Value::Tuple(t) => t.to_vec(),
        v => vec![v.clone()],
    };
    let mut next = items.into_iter();
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut key = None;
        if chars.peek() == Some(&'(') {
            chars.next();
            let k: String = chars.by_ref().take_while(|&c| c != ')').collect();
            key = Some(k);
        }
        let mut flags = String::new();
        while let Some(&f @ ('-' | '+' | ' ' | '#' | '0')) = chars.peek() {
            flags.push(f);
            chars.next();
        }
        let mut width = String::new();
        while let Some(&d) = chars.peek().filter(|c| c.is_ascii_digit() || **c == '*') {
            width.push(d);
            chars.next();
        }
        let mut prec = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut p = String::new();
            while let Some(&d) = chars.peek().filter(|c| c.is_ascii_digit()) {
                p.push(d);
                chars.next();
            }
            prec = Some(p);
        }
        let Some(ty) = chars.next() else {
            return Err("ValueError: incomplete format".into());
        };
        if ty == '%' {
            out.push('%');
            continue;
        }
        if width.contains('*') {
            return Err("unsupported: '*' width in % format".into());
        }
        let v = match &key {
            Some(k) => match args {
                Value::Dict(d) => d
                    .borrow()
                    .get(&Value::str(k))?
                    .ok_or_else(|| format!("KeyError: '{k}'"))?,
                _ => return Err("TypeError: format requires a mapping".into()),
            },
            None => next
                .next()
                .ok_or("TypeError: not enough arguments for format string")?,
        };
        let align = if flags.contains('-') {
            "<"
        } else if flags.contains('0') && ty != 's' && ty != 'r' {
            "0"
        } else {
            ">"
        };
        let sign = if flags.contains('+') {
            "+"
        } else if flags.contains(' ') {
            " "
        } else {
            ""
        };
        let alt = if flags.contains('#') { "#" } else { "" };
        let prec = prec
            .map(|p| format!(".{}", if p.is_empty() { "0" } else { &p }))
            .unwrap_or_default();
        let (v, ty) = match ty {
            's' => (Value::Str(Rc::from(v.py_str())), 's'),
            'r' | 'a' => (Value::Str(Rc::from(v.repr())), 's'),
            'i' | 'u' => (v, 'd'),
            'c' => match &v {
                Value::Str(_) => (v, 's'),
                _ => (v, 'c'),
            },
            t => (v, t),
        };
        let v = match (&v, ty) {
            (Value::Float(f), 'd' | 'x' | 'X' | 'o') if f.is_finite() => {
                Value::Int(f.trunc() as i64)
            }
            _ => v,
        };
        let spec = if align == "0" {
            format!("{sign}{alt}0{width}{prec}{ty}")
        } else {
            format!("{align}{sign}{alt}{width}{prec}{ty}")
        };
        if v.is_unknown() {
            out.push_str(&v.py_str());
        } else {
            out.push_str(&format_value(&v, &spec, max)?);
        }
        if out.len() > max {
            return Err("MemoryError: string too long".into());
        }
    }
    if key_less(fmt) && next.next().is_some() && !matches!(args, Value::Dict(_)) {
        return Err("TypeError: not all arguments converted during string formatting".into());
    }
    Ok(out)
}

fn key_less(fmt: &str) -> bool {
    !fmt.contains("%(")
}

/// `fmt.format(*args, **kwargs)`.
pub fn str_format(
    fmt: &str,
    args: &[Value],
    kwargs: &[(Rc<str>, Value)],
    max: usize,
) -> Result<String, String> {
    let mut out = String::new();
    let mut auto = 0usize;
    let mut rest = fmt;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(rest.get(..i).unwrap_or(""));
        let tail = rest.get(i..).unwrap_or("");
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(tail.get(..1).unwrap_or(""));
            rest = tail.get(2..).unwrap_or("");
            continue;
        }
        if tail.starts_with('}') {
            return Err("ValueError: Single '}' encountered in format string".into());
        }
        let end = field_end(tail).ok_or("ValueError: unmatched '{' in format string")?;
        let field = tail.get(1..end).unwrap_or("");
        rest = tail.get(end + 1..).unwrap_or("");
        let (name_conv, spec) = field.split_once(':').unwrap_or((field, ""));
        let (name, conv) = name_conv.split_once('!').unwrap_or((name_conv, ""));
        let v = field_value(name, args, kwargs, &mut auto)?;
        let v = match conv {
            "r" | "a" => Value::Str(Rc::from(v.repr())),
            "s" => Value::Str(Rc::from(v.py_str())),
            "" => v,
            c => return Err(format!("ValueError: unknown conversion specifier {c}")),
        };
        let spec = if spec.contains('{') {
            str_format(spec, args, kwargs, max)?
        } else {
            spec.to_string()
        };
        out.push_str(&format_value(&v, &spec, max)?);
        if out.len() > max {
            return Err("MemoryError: string too long".into());
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn field_end(tail: &str) -> Option<usize> {
    let mut depth = 0;
    for (i, c) in tail.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

fn field_value(
    name: &str,
    args: &[Value],
    kwargs: &[(Rc<str>, Value)],
    auto: &mut usize,
) -> Result<Value, String> {
    let split = name.find(['.', '[']).unwrap_or(name.len());
    let (head, mut path) = name.split_at(split);
    let mut v = if head.is_empty() {
        let v = args
            .get(*auto)
            .cloned()
            .ok_or("IndexError: Replacement index out of range")?;
        *auto += 1;
        v
    } else if let Ok(i) = head.parse::<usize>() {
        args.get(i)
            .cloned()
            .ok_or("IndexError: Replacement index out of range")?
    } else {
        kwargs
            .iter()
            .find(|k| &*k.0 == head)
            .map(|k| k.1.clone())
            .ok_or_else(|| format!("KeyError: '{head}'"))?
    };
    while !path.is_empty() {
        if let Some(p) = path.strip_prefix('[') {
            let close = p
                .find(']')
                .ok_or("ValueError: Missing ']' in format string")?;
            let key = p.get(..close).unwrap_or("");
            let idx = key
                .parse::<i64>()
                .map_or_else(|_| Value::str(key), Value::Int);
            v = super::ops::index(&v, &idx)?;
            path = p.get(close + 1..).unwrap_or("");
        } else if let Some(p) = path.strip_prefix('.') {
            let end = p.find(['.', '[']).unwrap_or(p.len());
            return match v {
                Value::Unknown(_) => Ok(v),
                _ => Err(format!(
                    "unsupported: attribute '{}' in format field",
                    p.get(..end).unwrap_or("")
                )),
            };
        } else {
            break;
        }
    }
    Ok(v)
}
