//! Python replacement templates (`re.sub`'s string `repl`, `Match.expand`):
//! `\1`, `\g<1>`, `\g<name>`, character escapes, and Python's errors.

/// A parsed template: literal text and group references.
pub enum Piece {
    Lit(String),
    Group(usize),
}

/// Parse `repl` for a pattern with `groups` groups; `named` maps a group name to
/// its number. Errors are Python's messages.
pub fn parse(
    repl: &str,
    groups: usize,
    named: &dyn Fn(&str) -> Option<usize>,
) -> Result<Vec<Piece>, String> {
    let cs: Vec<char> = repl.chars().collect();
    let mut out = Vec::new();
    let mut lit = String::new();
    let mut i = 0;
    let group = |n: usize, at: usize| {
        if n > groups {
            Err(format!("invalid group reference {n} at position {at}"))
        } else {
            Ok(Piece::Group(n))
        }
    };
    while let Some(&c) = cs.get(i) {
        i += 1;
        if c != '\\' {
            lit.push(c);
            continue;
        }
        let at = i - 1;
        let Some(&e) = cs.get(i) else {
            return Err(format!("bad escape (end of pattern) at position {at}"));
        };
        i += 1;
        let oct = |k: usize| cs.get(k).is_some_and(|c| ('0'..='7').contains(c));
        let piece = match e {
            'g' => {
                if cs.get(i) != Some(&'<') {
                    return Err(format!("missing < at position {i}"));
                }
                let start = i + 1;
                let Some(len) = cs[start..].iter().position(|&c| c == '>') else {
                    return Err(format!("missing >, unterminated name at position {start}"));
                };
                let name: String = cs[start..start + len].iter().collect();
                i = start + len + 1;
                if name.is_empty() {
                    return Err(format!("missing group name at position {start}"));
                }
                if name.chars().all(|c| c.is_ascii_digit()) {
                    let n = name.parse::<usize>().unwrap_or(usize::MAX);
                    group(n, start)?
                } else {
                    match named(&name) {
                        Some(n) => Piece::Group(n),
                        None => return Err(format!("IndexError: unknown group name '{name}'")),
                    }
                }
            }
            '0' => {
                let mut v = 0;
                for _ in 0..2 {
                    if !oct(i) {
                        break;
                    }
                    v = v * 8 + cs[i].to_digit(8).unwrap_or(0);
                    i += 1;
                }
                lit.push(char::from_u32(v).unwrap_or('\0'));
                continue;
            }
            '1'..='9' => {
                if oct(i - 1) && oct(i) && oct(i + 1) {
                    let v = cs[i - 1..i + 2]
                        .iter()
                        .fold(0, |v, c| v * 8 + c.to_digit(8).unwrap_or(0));
                    if v > 0o377 {
                        return Err(format!(
                            "octal escape value \\{v:o} outside of range 0-0o377 at position {at}"
                        ));
                    }
                    i += 2;
                    lit.push(char::from_u32(v).unwrap_or('\0'));
                    continue;
                }
                let mut n = e.to_digit(10).unwrap_or(0) as usize;
                if let Some(d) = cs.get(i).and_then(|c| c.to_digit(10)) {
                    n = n * 10 + d as usize;
                    i += 1;
                }
                group(n, at + 1)?
            }
            'n' | 't' | 'r' | 'f' | 'v' | 'a' | 'b' | '\\' => {
                lit.push(match e {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    'f' => '\x0c',
                    'v' => '\x0b',
                    'a' => '\x07',
                    'b' => '\x08',
                    _ => '\\',
                });
                continue;
            }
            e if e.is_ascii_alphabetic() => {
                return Err(format!("bad escape \\{e} at position {at}"));
            }
            e => {
                lit.push('\\');
                lit.push(e);
                continue;
            }
        };
        if !lit.is_empty() {
            out.push(Piece::Lit(std::mem::take(&mut lit)));
        }
        out.push(piece);
    }
    if !lit.is_empty() {
        out.push(Piece::Lit(lit));
    }
    Ok(out)
}

/// Append the expansion of `pieces` to `out`; `group(n)` is group `n`'s text
/// (empty when it did not take part).
pub fn expand<'a>(pieces: &[Piece], group: impl Fn(usize) -> &'a str, out: &mut String) {
    for p in pieces {
        match p {
            Piece::Lit(s) => out.push_str(s),
            Piece::Group(n) => out.push_str(group(*n)),
        }
    }
}
