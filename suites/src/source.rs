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
        SuiteError::Invalid { loc: self.loc(at.span()), key: key.to_owned(), message: message.into() }
    }

    /// Deserialize the whole file, turning parser errors into "FILE:LINE: message".
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, SuiteError> {
        toml::from_str(&self.text).map_err(|err| {
            let loc = match err.span() {
                Some(span) => self.loc(span),
                None => Loc::file(self.path.clone()),
            };
            SuiteError::Parse { loc, message: err.message().trim_end().to_owned() }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile { path: "/s/suite.toml".into(), text: text.into() }
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
        let err = file("\n\na = \"x\"\n").parse::<Doc>().err().map(|e| e.to_string());
        let err = err.unwrap_or_default();
        assert!(err.starts_with("/s/suite.toml:3: "), "{err}");
    }
}
