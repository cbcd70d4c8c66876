//! The one error type of this crate; file errors name the file.

use std::io;
use std::path::PathBuf;

/// Everything that can go wrong while writing a report or reading a saved run.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A report file (or its temporary sibling, or its directory) could not be written.
    #[error("cannot write report {}: {source} (check that its directory is writable)", path.display())]
    Write {
        /// The report file.
        path: PathBuf,
        /// The underlying IO error.
        #[source]
        source: io::Error,
    },
    /// A report could not be serialised as JSON.
    #[error("cannot serialise JSON report {}: {source}", path.display())]
    Json {
        /// The report file.
        path: PathBuf,
        /// The serialisation error.
        #[source]
        source: serde_json::Error,
    },
    /// A report could not be serialised as JUnit XML.
    #[error("cannot serialise JUnit report {}: {source}", path.display())]
    Junit {
        /// The report file.
        path: PathBuf,
        /// The serialisation error.
        #[source]
        source: quick_junit::SerializeError,
    },
    /// A saved results file could not be read.
    #[error("cannot read results file {}: {source}", path.display())]
    Read {
        /// The results file.
        path: PathBuf,
        /// The underlying IO error.
        #[source]
        source: io::Error,
    },
    /// A saved results file is not a JSON report as `--json` writes it.
    #[error(
        "{} is not an xharness JSON report ({source}); pass files written by `--json`, not `--list`",
        path.display()
    )]
    Parse {
        /// The results file.
        path: PathBuf,
        /// What the JSON parser found (it names the line and column).
        #[source]
        source: serde_json::Error,
    },
    /// Writing to the console failed (for example a closed pipe).
    #[error("cannot write to the console: {0}")]
    Console(#[source] io::Error),
}
