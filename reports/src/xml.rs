//! XML 1.0 escaping for text and attribute values.
//!
//! Besides the five markup characters, XML 1.0 forbids most C0 control characters
//! (everything below U+0020 except tab, newline and carriage return) and U+FFFE/U+FFFF
//! even as character references. Those are replaced by a visible `\xNN` / `\u{FFFE}`
//! so a diff full of ANSI escapes or NUL bytes still yields a well-formed report.

use std::fmt::Write as _;

/// Escapes `s` for use between tags; `\r` becomes `&#13;` so parsers keep it.
pub(crate) fn escape_text(s: &str) -> String {
    escape(s, false)
}

/// Escapes `s` for use inside a double- or single-quoted attribute value; tab, newline
/// and carriage return become character references so attribute normalisation keeps them.
pub(crate) fn escape_attr(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, attr: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            '\'' if attr => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\n' if attr => out.push_str("&#10;"),
            '\t' if attr => out.push_str("&#9;"),
            '\n' | '\t' => out.push(c),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            '\u{FFFE}' | '\u{FFFF}' => {
                let _ = write!(out, "\\u{{{:X}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters() {
        assert_eq!(escape_text(r#"a<b>&"c'"#), r#"a&lt;b&gt;&amp;"c'"#);
        assert_eq!(escape_attr(r#"a<b>&"c'"#), "a&lt;b&gt;&amp;&quot;c&apos;");
    }

    #[test]
    fn forbidden_controls_are_replaced() {
        assert_eq!(
            escape_text("\0\x1b[31m\x7f\u{FFFE}"),
            "\\x00\\x1b[31m\x7f\\u{FFFE}"
        );
    }

    #[test]
    fn whitespace_kept() {
        assert_eq!(escape_text("a\tb\r\nc"), "a\tb&#13;\nc");
        assert_eq!(escape_attr("a\tb\r\nc"), "a&#9;b&#13;&#10;c");
    }

    #[test]
    fn cdata_end_is_harmless() {
        assert_eq!(escape_text("]]>"), "]]&gt;");
    }
}
