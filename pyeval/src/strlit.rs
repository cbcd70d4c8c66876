//! String literals: escape decoding and splitting f-strings into literal and field parts.

use super::ast::FPart;
use super::parser::{PResult, Parser, SyntaxError};
use std::rc::Rc;

/// Decode backslash escapes (unless `raw`). A truncated `\x`, `\u` or `\U`
/// escape is an error, as in Python, and so is `\N{name}` (Unicode names are
/// not known here).
pub fn decode(body: &str, raw: bool) -> Result<String, String> {
    if raw || !body.contains('\\') {
        return Ok(body.to_string());
    }
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            out.push('\\');
            break;
        };
        match e {
            '\n' => {}
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
            }
            '\\' | '\'' | '"' => out.push(e),
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'v' => out.push('\x0b'),
            '0'..='7' => {
                let mut v = e.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match chars.peek().and_then(|c| c.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
            }
            'x' | 'u' | 'U' => {
                let n = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let mut v = 0u32;
                let mut ok = true;
                for _ in 0..n {
                    match chars.peek().and_then(|c| c.to_digit(16)) {
                        Some(d) => {
                            v = v.wrapping_mul(16).wrapping_add(d);
                            chars.next();
                        }
                        None => ok = false,
                    }
                }
                match char::from_u32(v) {
                    Some(ch) if ok => out.push(ch),
                    _ if !ok => return Err(format!("truncated \\{e} escape")),
                    _ => return Err(format!("illegal Unicode character in \\{e} escape")),
                }
            }
            'N' if chars.peek() == Some(&'{') => {
                return Err("unsupported: \\N{...} escapes (Unicode character names)".into());
            }
            _ => {
                out.push('\\');
                out.push(e);
            }
        }
    }
    Ok(out)
}

/// Split the body of an f-string into parts, parsing the fields' expressions.
pub fn fstring(
    p: &Parser<'_>,
    body: &str,
    raw: bool,
    line: u32,
    level: u32,
) -> PResult<Vec<FPart>> {
    if level > 2 {
        return Err(SyntaxError {
            line,
            msg: "f-string: expressions nested too deeply".into(),
        });
    }
    let mut parts = Vec::new();
    let mut lit = String::new();
    let bytes = body.as_bytes();
    let mut i = 0;
    let mut seg_start = 0;
    let err = |m: &str| SyntaxError {
        line,
        msg: format!("f-string: {m}"),
    };
    let decode = |s: &str| {
        decode(s, raw).map_err(|m| SyntaxError {
            line,
            msg: format!("syntax error: {m}"),
        })
    };
    while i < bytes.len() {
        match bytes.get(i) {
            Some(b'{') if bytes.get(i + 1) == Some(&b'{') => {
                lit.push_str(&decode(body.get(seg_start..i).unwrap_or(""))?);
                lit.push('{');
                i += 2;
                seg_start = i;
            }
            Some(b'}') if bytes.get(i + 1) == Some(&b'}') => {
                lit.push_str(&decode(body.get(seg_start..i).unwrap_or(""))?);
                lit.push('}');
                i += 2;
                seg_start = i;
            }
            Some(b'}') => return Err(err("single '}' is not allowed")),
            Some(b'{') => {
                lit.push_str(&decode(body.get(seg_start..i).unwrap_or(""))?);
                if !lit.is_empty() {
                    parts.push(FPart::Lit(Rc::from(std::mem::take(&mut lit))));
                }
                let (field, end) = field(p, body, i + 1, (raw, level), line)?;
                parts.extend(field);
                i = end;
                seg_start = i;
            }
            _ => i += 1,
        }
    }
    lit.push_str(&decode(body.get(seg_start..).unwrap_or(""))?);
    if !lit.is_empty() {
        parts.push(FPart::Lit(Rc::from(lit)));
    }
    Ok(parts)
}

/// Parse one `{expr[=][!c][:spec]}` starting after the `{`; returns its parts and the
/// index after the closing `}`.
fn field(
    p: &Parser<'_>,
    body: &str,
    start: usize,
    (raw, level): (bool, u32),
    line: u32,
) -> PResult<(Vec<FPart>, usize)> {
    let bytes = body.as_bytes();
    let err = |m: &str| SyntaxError {
        line,
        msg: format!("f-string: {m}"),
    };
    let mut depth = 0u32;
    let mut quote: Option<u8> = None;
    let mut i = start;
    while let Some(&c) = bytes.get(i) {
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                }
            }
            None => match c {
                b'\'' | b'"' => quote = Some(c),
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' if depth > 0 => depth -= 1,
                b'}' if depth > 0 => depth -= 1,
                b'}' | b':' if depth == 0 => break,
                b'!' if depth == 0 && bytes.get(i + 1) != Some(&b'=') => break,
                _ => {}
            },
        }
        i += 1;
    }
    let mut text = body.get(start..i).unwrap_or("");
    let mut out = Vec::new();
    let mut conv = None;
    let trimmed = text.trim_end();
    if trimmed.ends_with('=')
        && !["==", "!=", "<=", ">="]
            .iter()
            .any(|s| trimmed.ends_with(s))
    {
        out.push(FPart::Lit(Rc::from(text)));
        text = trimmed.get(..trimmed.len() - 1).unwrap_or("");
        conv = Some('r');
    }
    if text.trim().is_empty() {
        return Err(err("empty expression not allowed"));
    }
    let expr = p.sub_expr(text, line)?;
    if bytes.get(i) == Some(&b'!') {
        conv = bytes.get(i + 1).map(|&b| b as char);
        if !matches!(conv, Some('r' | 's' | 'a')) {
            return Err(err("invalid conversion character"));
        }
        i += 2;
    }
    let mut spec = Vec::new();
    if bytes.get(i) == Some(&b':') {
        let s = i + 1;
        let mut depth = 0u32;
        i = s;
        while let Some(&c) = bytes.get(i) {
            match c {
                b'{' => depth += 1,
                b'}' if depth == 0 => break,
                b'}' => depth -= 1,
                _ => {}
            }
            i += 1;
        }
        spec = fstring(p, body.get(s..i).unwrap_or(""), raw, line, level + 1)?;
    }
    if bytes.get(i) != Some(&b'}') {
        return Err(err("expecting '}'"));
    }
    out.push(FPart::Field { expr, conv, spec });
    Ok((out, i + 1))
}
