//! The one error type of this crate; every variant names the file or pattern at fault.

use std::io;
use std::path::PathBuf;

/// Everything that can go wrong while normalising, reading or blessing golden files.
#[derive(Debug, thiserror::Error)]
pub enum GoldenError {
    /// A normalisation rule's pattern is not a valid regular expression.
    #[error(
        "invalid normalisation regex `{pattern}`: {source}\n(fix the pattern of this rule; see the `regex` crate syntax)"
    )]
    InvalidRegex {
        /// The pattern as the user wrote it.
        pattern: String,
        /// Why the regex crate rejected it.
        #[source]
        source: regex::Error,
    },
    /// A golden file exists but could not be read.
    #[error("cannot read golden file {}: {source}", path.display())]
    Read {
        /// The golden file.
        path: PathBuf,
        /// The underlying IO error.
        #[source]
        source: io::Error,
    },
    /// A golden file (or its directory, or its temporary sibling) could not be written.
    #[error("cannot bless golden file {}: {source} (check that its directory is writable)", path.display())]
    Bless {
        /// The golden file being written.
        path: PathBuf,
        /// The underlying IO error.
        #[source]
        source: io::Error,
    },
}
