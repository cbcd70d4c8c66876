//! Per-case sidecar files next to a source: `STEM.exit` and `STEM.args`.
//!
//! `STEM.exit` holds the expected exit code (whitespace trimmed). `STEM.args` holds one
//! argument per line, taken literally (no placeholders; a blank line is an empty
//! argument), so arguments may contain spaces or braces.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use super::discover::Listing;
use crate::error::SuiteError;

/// Read a sidecar as UTF-8 text; `None` if it does not exist (is not in
/// the suite's `listing`).
fn read(
    dir: &Path,
    stem: &str,
    ext: &str,
    listing: &Listing,
) -> Result<Option<(PathBuf, String)>, SuiteError> {
    let path = dir.join(format!("{stem}.{ext}"));
    if !listing.contains(&path) {
        return Ok(None);
    }
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(SuiteError::Io { path, source }),
    };
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Some((path, text))),
        Err(_) => {
            let message = "not valid UTF-8; save it as UTF-8 text".to_owned();
            Err(SuiteError::Sidecar {
                file: path,
                message,
            })
        }
    }
}

/// The exit code in `STEM.exit`, if that file exists.
pub fn exit_code(dir: &Path, stem: &str, listing: &Listing) -> Result<Option<i32>, SuiteError> {
    let Some((path, text)) = read(dir, stem, "exit", listing)? else {
        return Ok(None);
    };
    match text.trim().parse::<i32>() {
        Ok(code) => Ok(Some(code)),
        Err(_) => Err(SuiteError::Sidecar {
            file: path,
            message: format!(
                "expected an exit code as a decimal integer (e.g. `3`), found {:?}; \
                 fix the file or delete it to expect `run.exit_code`",
                text.trim()
            ),
        }),
    }
}

/// The arguments in `STEM.args`, one per line; empty if that file does not exist.
pub fn args(dir: &Path, stem: &str, listing: &Listing) -> Result<Vec<String>, SuiteError> {
    let Some((_, text)) = read(dir, stem, "args", listing)? else {
        return Ok(Vec::new());
    };
    Ok(text.lines().map(str::to_owned).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> tempfile::TempDir {
        tempfile::tempdir().expect("a temporary folder for the sidecar files")
    }

    /// The files in `d`, as discovery lists them.
    fn listing(d: &tempfile::TempDir) -> Listing {
        std::fs::read_dir(d.path())
            .expect("list the temporary folder")
            .map(|e| e.expect("a folder entry").path())
            .collect()
    }

    #[test]
    fn missing_sidecars_are_fine() {
        let d = dir();
        assert_eq!(exit_code(d.path(), "x", &listing(&d)).ok(), Some(None));
        assert_eq!(args(d.path(), "x", &listing(&d)).ok(), Some(vec![]));
    }

    #[test]
    fn exit_code_is_trimmed() {
        let d = dir();
        std::fs::write(d.path().join("x.exit"), " 42\n").expect("write the sidecar file");
        assert_eq!(exit_code(d.path(), "x", &listing(&d)).ok(), Some(Some(42)));
    }

    #[test]
    fn bad_exit_code_names_the_file() {
        let d = dir();
        std::fs::write(d.path().join("x.exit"), "forty-two\n").expect("write the sidecar file");
        let err = exit_code(d.path(), "x", &listing(&d))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("x.exit: expected an exit code"), "{err}");
        assert!(err.contains("\"forty-two\""), "{err}");
    }

    #[test]
    fn args_are_lines_taken_literally() {
        let d = dir();
        std::fs::write(d.path().join("x.args"), "hello world\n\n{stem}\r\nlast")
            .expect("write the sidecar file");
        let got = args(d.path(), "x", &listing(&d)).ok();
        assert_eq!(
            got,
            Some(vec![
                "hello world".into(),
                "".into(),
                "{stem}".into(),
                "last".into()
            ])
        );
    }
}
