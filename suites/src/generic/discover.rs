//! Walk the suite root and pick source files with the include/exclude globs.
//!
//! Globs are matched against the '/'-separated path under root; `*` does not cross a
//! '/', `**` does. Hidden files and folders (name starting with '.') are skipped. The
//! result is sorted by case name, so discovery is deterministic.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use toml::Spanned;
use walkdir::{DirEntry, WalkDir};

use crate::error::SuiteError;
use crate::source::SourceFile;

/// A discovered source file and the case name it gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Path under root without extension, '/'-separated.
    pub name: String,
    /// Absolute path of the source.
    pub src: PathBuf,
}

/// Every path the walk saw (hidden ones excepted), so per-case files such
/// as sidecars are looked up here instead of with a failing `open` each.
pub type Listing = HashSet<PathBuf>;

/// Every file under `root` matching `include` and not `exclude`, sorted by
/// name, and the [`Listing`] of everything the walk saw.
pub fn discover(
    file: &SourceFile,
    root: &Path,
    include: &Spanned<Vec<Spanned<String>>>,
    exclude: &[Spanned<String>],
) -> Result<(Vec<Found>, Listing), SuiteError> {
    if include.get_ref().is_empty() {
        let message = "no globs given; add at least one, e.g. include = [\"**/*.c\"]";
        return Err(file.invalid(include, "include", message));
    }
    let include = glob_set(file, include.get_ref(), "include")?;
    let exclude = glob_set(file, exclude, "exclude")?;
    let mut found = Vec::new();
    let mut listing = Listing::new();
    let walker = WalkDir::new(root).sort_by_file_name().into_iter();
    for entry in walker.filter_entry(|e| e.depth() == 0 || !is_hidden(e)) {
        let entry = entry.map_err(|source| SuiteError::Walk {
            root: root.to_path_buf(),
            source,
        })?;
        // The walk's own file type needs no call; a link is followed.
        let is_file = if entry.path_is_symlink() {
            entry.path().is_file()
        } else {
            entry.file_type().is_file()
        };
        let path = entry.into_path();
        if is_file {
            let rel = relative(root, &path)?;
            if include.is_match(&rel) && !exclude.is_match(&rel) {
                found.push(Found {
                    name: case_name(&rel),
                    src: path.clone(),
                });
            }
        }
        // Folders too: a folder where a sidecar is expected is read, and
        // fails with a message naming it.
        listing.insert(path);
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    reject_duplicates(file, &found)?;
    Ok((found, listing))
}

fn glob_set(
    file: &SourceFile,
    globs: &[Spanned<String>],
    key: &str,
) -> Result<GlobSet, SuiteError> {
    let mut set = GlobSetBuilder::new();
    for glob in globs {
        let built = GlobBuilder::new(glob.get_ref())
            .literal_separator(true)
            .build();
        match built {
            Ok(g) => set.add(g),
            Err(err) => {
                let message = format!("bad glob {:?}: {}", glob.get_ref(), err.kind());
                return Err(file.invalid(glob, key, message));
            }
        };
    }
    set.build().map_err(|err| {
        let message = format!("cannot combine globs: {err}");
        SuiteError::Invalid {
            loc: crate::error::Loc::file(file.path.clone()),
            key: key.into(),
            message,
        }
    })
}

fn is_hidden(entry: &DirEntry) -> bool {
    entry
        .file_name()
        .to_str()
        .is_some_and(|n| n.starts_with('.'))
}

/// `path` under `root` as a '/'-separated UTF-8 string.
fn relative(root: &Path, path: &Path) -> Result<String, SuiteError> {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut parts = Vec::new();
    for part in rel.components() {
        match part.as_os_str().to_str() {
            Some(s) => parts.push(s),
            None => {
                return Err(SuiteError::NonUtf8Path {
                    path: path.to_path_buf(),
                });
            }
        }
    }
    Ok(parts.join("/"))
}

/// Drop the last extension: `io/cat.c` -> `io/cat`, `a/b.tar.gz` -> `a/b.tar`.
fn case_name(rel: &str) -> String {
    let file_start = rel.rfind('/').map_or(0, |i| i + 1);
    match rel[file_start..].rfind('.') {
        Some(dot) if dot > 0 => rel[..file_start + dot].to_owned(),
        _ => rel.to_owned(),
    }
}

fn reject_duplicates(file: &SourceFile, found: &[Found]) -> Result<(), SuiteError> {
    match found.windows(2).find(|w| w[0].name == w[1].name) {
        Some(pair) => Err(SuiteError::DuplicateCase {
            file: file.path.clone(),
            name: pair[0].name.clone(),
            first: pair[0].src.clone(),
            second: pair[1].src.clone(),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_names_drop_one_extension() {
        assert_eq!(case_name("io/cat.c"), "io/cat");
        assert_eq!(case_name("hello.wat"), "hello");
        assert_eq!(case_name("a/b.tar.gz"), "a/b.tar");
        assert_eq!(case_name("a.d/Makefile"), "a.d/Makefile");
        assert_eq!(case_name(".hidden"), ".hidden");
    }
}
