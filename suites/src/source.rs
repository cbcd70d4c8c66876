//! A suite file's text kept next to its path, to turn TOML byte spans into "FILE:LINE".

use std::ops::Range;
use std::path::PathBuf;

use serde::de::DeserializeOwned;
use toml::Spanned;

use crate::error::{Loc, SuiteError};

/// The text of a definition file and where it came from.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Absolute path of the file.
    pub path: PathBuf,
    /// Its full text.
    pub text: String,
}

impl SourceFile {
    /// Read `path` (already absolute) into memory.
    pub fn read(path: PathBuf) -> Result<Self, SuiteError> {
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(SourceFile { path, text }),
            Err(source) => Err(SuiteError::Io { path, source }),
        }
    }

    /// 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        let prefix = self.text.as_bytes().get(..end).unwrap_or_default();
        prefix.iter().filter(|b| **b == b'\n').count() + 1
    }

    /// Location of a byte span (its start).
    pub fn loc(&self, span: Range<usize>) -> Loc {
        Loc::at(self.path.clone(), self.line_of(span.start))
    }

    /// An [`SuiteError::Invalid`] pointing at a spanned value.
    pub fn invalid<T>(&self, at: &Spanned<T>, key: &str, message: impl Into<String>) -> SuiteError {
        SuiteError::Invalid {
            loc: self.loc(at.span()),
            key: key.to_owned(),
            message: message.into(),
        }
    }

    /// Deserialize the whole file, turning parser errors into "FILE:LINE: message".
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, SuiteError> {
        toml::from_str(&self.text).map_err(|err| {
            let loc = match err.span() {
                Some(span) => self.loc(span),
                None => Loc::file(self.path.clone()),
            };
            let mut message = err.message().trim_end().to_owned();
            let missing = message.starts_with("missing field");
            let key = err.span().and_then(|span| {
                if missing {
                    self.table_at(span.start)
                } else {
                    self.key_at(span.start)
                }
            });
            if missing {
                message.push_str("; add it");
            }
            SuiteError::Parse { loc, key, message }
        })
    }

    /// Dotted key of the `key = value` line at or above `offset`, prefixed by its
    /// `[table]`; a best effort for parser errors, which keep their key path private.
    pub fn key_at(&self, offset: usize) -> Option<String> {
        let line = self.line_of(offset);
        let mut key = None;
        for text in self
            .text
            .lines()
            .take(line)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
        {
            let text = text.trim();
            if let Some(header) = table_header(text) {
                return key.map(|k| {
                    if header.is_empty() {
                        k
                    } else {
                        format!("{header}.{k}")
                    }
                });
            }
            if key.is_none() {
                key = key_of_line(text);
            }
        }
        key
    }

    /// Name of the `[table]` whose header is at or above `offset`; `None` at top level.
    pub fn table_at(&self, offset: usize) -> Option<String> {
        let lines: Vec<&str> = self.text.lines().take(self.line_of(offset)).collect();
        lines
            .into_iter()
            .rev()
            .find_map(|l| table_header(l.trim()))
            .filter(|t| !t.is_empty())
    }
}

/// `"[run]"` -> `"run"`, `"[[golden.normalize]]"` -> `"golden.normalize"`.
fn table_header(line: &str) -> Option<String> {
    let inner = line.strip_prefix('[')?;
    let inner = inner.strip_prefix('[').unwrap_or(inner);
    let end = inner.find(']')?;
    Some(inner[..end].trim().to_owned())
}

/// `"timeout = 3"` -> `"timeout"`; `"\"io/x\" = ..."` -> `"\"io/x\""`; else `None`.
fn key_of_line(line: &str) -> Option<String> {
    let (key, _) = line.split_once('=')?;
    let key = key.trim();
    let bare = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    let quoted = key.len() >= 2 && key.starts_with('"') && key.ends_with('"');
    let ok = !key.is_empty() && (quoted || key.chars().all(bare));
    ok.then(|| key.to_owned())
}

/// A suite file at `/s/suite.toml` with the given text, for unit tests.
#[cfg(test)]
pub(crate) fn test_file(text: &str) -> SourceFile {
    SourceFile {
        path: "/s/suite.toml".into(),
        text: text.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        test_file(text)
    }

    #[test]
    fn lines_are_one_based() {
        let f = file("a\nbb\nccc\n");
        assert_eq!(f.line_of(0), 1);
        assert_eq!(f.line_of(2), 2);
        assert_eq!(f.line_of(5), 3);
        assert_eq!(f.line_of(999), 4);
    }

    #[test]
    fn parse_errors_carry_the_line() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Doc {
            a: i32,
        }
        let err = file("\n\na = \"x\"\n")
            .parse::<Doc>()
            .err()
            .map(|e| e.to_string());
        let err = err.unwrap_or_default();
        assert!(err.starts_with("/s/suite.toml:3: `a`: "), "{err}");
    }

    #[test]
    fn keys_are_found_with_their_table() {
        let f = file(
            "name = 1\n[run]\nargs = [\n  \"x=y\",\n  3,\n]\n[[golden.normalize]]\n\"q\" = 2\n",
        );
        let at = |needle: &str| f.text.find(needle).and_then(|o| f.key_at(o));
        assert_eq!(at("1"), Some("name".into()));
        assert_eq!(at("3"), Some("run.args".into()));
        assert_eq!(at("2"), Some("golden.normalize.\"q\"".into()));
        assert_eq!(at("[run]"), None);
        assert_eq!(
            at("3").and(f.text.find("3")).and_then(|o| f.table_at(o)),
            Some("run".into())
        );
        assert_eq!(f.table_at(0), None);
    }
}
