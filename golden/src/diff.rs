//! Unified diffs of a [`Mismatch`] for people: escaped, optionally coloured, capped.
//!
//! The diff is line-based (via `similar`, 3 lines of context) and always valid text:
//! bytes that are not UTF-8, and control characters that would fight the terminal,
//! are shown as `\xNN`. A last line without a newline is followed by the usual
//! `\ No newline at end of file` marker. Past [`MAX_LINES`] diff lines the rest is cut
//! and replaced by one line saying how many were omitted.

use std::fmt::Write as _;
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use similar::{ChangeTag, DiffOp, TextDiff};

use crate::Mismatch;

/// Lines of unchanged context shown around each change.
pub const CONTEXT: usize = 3;
/// Diff lines (hunk headers included, file header excluded) shown before cutting.
pub const MAX_LINES: usize = 200;
/// Bytes of one line shown before cutting that line.
pub const MAX_LINE_BYTES: usize = 1000;
/// How long the diff algorithm may search for a minimal diff before settling.
const DIFF_TIMEOUT: Duration = Duration::from_secs(2);

/// What a rendered diff line is, which decides its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Hunk,
    Equal,
    Delete,
    Insert,
    Note,
}

impl Kind {
    fn style(self) -> Style {
        match self {
            Kind::Hunk => Style::new().fg_color(Some(AnsiColor::Cyan.into())),
            Kind::Delete => Style::new().fg_color(Some(AnsiColor::Red.into())),
            Kind::Insert => Style::new().fg_color(Some(AnsiColor::Green.into())),
            Kind::Equal | Kind::Note => Style::new(),
        }
    }
}

/// Renders `m` as a unified diff from the golden (expected) to the actual output.
///
/// With `color`, removed lines are red, added lines green and hunk headers cyan
/// (ANSI escapes); without it the text is plain.
pub fn render_diff(m: &Mismatch, color: bool) -> String {
    let mut out = String::new();
    let bold = Style::new().bold();
    push(
        &mut out,
        bold,
        &format!("--- {} (expected)", m.golden.display()),
        color,
    );
    push(&mut out, bold, &format!("+++ actual {}", m.stream), color);
    let lines = diff_lines(&m.expected, &m.actual);
    for (kind, text) in lines.iter().take(MAX_LINES) {
        push(&mut out, kind.style(), text, color);
    }
    if lines.len() > MAX_LINES {
        let omitted = lines.len() - MAX_LINES;
        let note = format!("... {omitted} more diff lines omitted");
        push(&mut out, Style::new().italic(), &note, color);
    }
    out
}

/// Appends `text` and a newline, styled when `color` is on.
fn push(out: &mut String, style: Style, text: &str, color: bool) {
    if color && style != Style::new() {
        let _ = writeln!(out, "{style}{text}{style:#}");
    } else {
        out.push_str(text);
        out.push('\n');
    }
}

/// Every line of the diff body: hunk headers, prefixed lines and no-newline markers.
fn diff_lines(expected: &[u8], actual: &[u8]) -> Vec<(Kind, String)> {
    let diff = TextDiff::configure()
        .timeout(DIFF_TIMEOUT)
        .diff_lines(expected, actual);
    let mut lines = Vec::new();
    for group in diff.grouped_ops(CONTEXT) {
        lines.push((Kind::Hunk, hunk_header(&group)));
        for op in &group {
            for change in diff.iter_changes(op) {
                let (kind, sign) = match change.tag() {
                    ChangeTag::Equal => (Kind::Equal, ' '),
                    ChangeTag::Delete => (Kind::Delete, '-'),
                    ChangeTag::Insert => (Kind::Insert, '+'),
                };
                lines.push((kind, format!("{sign}{}", escape_line(change.value()))));
                if change.missing_newline() {
                    lines.push((Kind::Note, "\\ No newline at end of file".to_string()));
                }
            }
        }
    }
    lines
}

/// `@@ -a,b +c,d @@` for one group of ops; an empty range starts at the line before it.
fn hunk_header(group: &[DiffOp]) -> String {
    let (Some(first), Some(last)) = (group.first(), group.last()) else {
        return "@@ -0,0 +0,0 @@".to_string();
    };
    let old = first.old_range().start..last.old_range().end;
    let new = first.new_range().start..last.new_range().end;
    let start = |r: &std::ops::Range<usize>| if r.is_empty() { r.start } else { r.start + 1 };
    format!(
        "@@ -{},{} +{},{} @@",
        start(&old),
        old.len(),
        start(&new),
        new.len()
    )
}

/// One line's bytes (without its `\n`) as printable text: invalid UTF-8 and control
/// characters other than tab become `\xNN`; overlong lines are cut.
fn escape_line(line: &[u8]) -> String {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let (shown, cut) = match line.len().checked_sub(MAX_LINE_BYTES) {
        Some(extra) if extra > 0 => (&line[..MAX_LINE_BYTES], extra),
        _ => (line, 0),
    };
    let mut out = String::with_capacity(shown.len());
    for chunk in shown.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c != '\t' && c.is_ascii_control() {
                let _ = write!(out, "\\x{:02x}", c as u32);
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    if cut > 0 {
        let _ = write!(out, "... ({cut} more bytes on this line)");
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::Stream;

    fn mismatch(expected: &[u8], actual: &[u8]) -> Mismatch {
        Mismatch {
            stream: Stream::Stdout,
            golden: PathBuf::from("tests/c-basic/hello.stdout"),
            expected: expected.to_vec(),
            actual: actual.to_vec(),
            actual_raw: actual.to_vec(),
        }
    }

    #[test]
    fn plain_diff() {
        let m = mismatch(
            b"one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n",
            b"one\ntwo\nTHREE\nfour\nfive\nsix\nseven\neight\nnine\nten\neleven\n",
        );
        insta::assert_snapshot!(render_diff(&m, false));
    }

    #[test]
    fn missing_golden_diff() {
        let mut m = mismatch(b"", b"hello\nworld\n");
        m.stream = Stream::Stderr;
        insta::assert_snapshot!(render_diff(&m, false));
    }

    #[test]
    fn non_utf8_and_control_bytes_are_escaped() {
        let m = mismatch(
            b"caf\xc3\xa9\n",
            b"caf\xff\xfe\n\x1b[31mred\x1b[0m\tand\r\n",
        );
        insta::assert_snapshot!(render_diff(&m, false));
    }

    #[test]
    fn missing_trailing_newline_is_marked() {
        let m = mismatch(b"a\nb\n", b"a\nb");
        insta::assert_snapshot!(render_diff(&m, false));
    }

    #[test]
    fn coloured_diff() {
        let m = mismatch(b"same\nold\n", b"same\nnew\n");
        let rendered = render_diff(&m, true).replace('\x1b', "\\e");
        insta::assert_snapshot!(rendered);
    }

    #[test]
    fn plain_diff_has_no_escape_codes() {
        let m = mismatch(b"same\nold\n", b"same\nnew\n");
        assert!(!render_diff(&m, false).contains('\x1b'));
    }

    #[test]
    fn huge_diff_is_cut() {
        let actual: String = (0..1000).map(|i| format!("line {i}\n")).collect();
        let m = mismatch(b"", actual.as_bytes());
        let rendered = render_diff(&m, false);
        let lines: Vec<&str> = rendered.lines().collect();
        // 2 header lines + MAX_LINES diff lines + 1 note.
        assert_eq!(lines.len(), 2 + MAX_LINES + 1);
        assert_eq!(lines.last(), Some(&"... 801 more diff lines omitted"));
    }

    #[test]
    fn overlong_line_is_cut() {
        let m = mismatch(b"", &vec![b'x'; MAX_LINE_BYTES + 5]);
        let rendered = render_diff(&m, false);
        assert!(
            rendered.contains("... (5 more bytes on this line)"),
            "{rendered}"
        );
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let all: Vec<u8> = (0..=255u8).cycle().take(2048).collect();
        let m = mismatch(&all[..1000], &all[3..]);
        assert!(!render_diff(&m, true).is_empty());
    }
}
