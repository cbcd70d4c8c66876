//! The harness's error type: what went wrong, as data (file, line, case,
//! engine, program), and the exit status its kind calls for.
//!
//! The other crates have an error enum each; this one wraps them and adds
//! what only the harness meets (the command line, programs it spawns,
//! files it writes). Messages print as `xharness: MESSAGE`; the status is
//! [`Error::exit_code`], from the kind and never from the text.

use std::path::PathBuf;

use xharness_reports::ReportError;

use crate::exit;

/// A result whose error is the harness's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a command could not do its work.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The command line asks for something that cannot be done (a filter
    /// no case matches, one engine where there are several, a bad flag
    /// value).
    #[error("{0}")]
    Usage(String),
    /// A suite definition is wrong; the error names its file and line.
    #[error(transparent)]
    Suite(#[from] xharness_suites::SuiteError),
    /// An engine could not be chosen or set up.
    #[error(transparent)]
    Engine(#[from] xharness_engines::EngineError),
    /// A report could not be written, or a saved run read.
    #[error(transparent)]
    Report(#[from] xharness_reports::ReportError),
    /// An input the run was given is wrong: a baseline, expectations,
    /// rules, report or state file, a module. The message names the file
    /// (and line) and what to do.
    #[error("{message}")]
    Config {
        /// The file at fault, when there is one.
        file: Option<PathBuf>,
        /// Its line, when known.
        line: Option<usize>,
        /// What is wrong and what to do, naming the file.
        message: String,
    },
    /// A program the run needs is not installed.
    #[error("{message}")]
    NotFound {
        /// The program, as the user named it.
        program: String,
        /// What it was needed for and how to get it, naming the program.
        message: String,
    },
    /// Reading or writing a file failed.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was being done: `write the JSON report to`.
        action: String,
        /// The file or directory.
        path: PathBuf,
        /// The system's reason.
        #[source]
        source: std::io::Error,
    },
    /// One case could not get as far as a verdict: its module did not
    /// compile, when only that case was asked for (`xharness repro`).
    #[error("{case}{}: {message}", engine.as_ref().map(|e| format!(" on {e}")).unwrap_or_default())]
    Case {
        /// The case's name.
        case: String,
        /// The engine, when it is one engine's problem.
        engine: Option<String>,
        /// What went wrong.
        message: String,
    },
    /// The harness's own machinery failed: a worker would not start, the
    /// system refused a call it needs.
    #[error("{0}")]
    Internal(String),
}

impl Error {
    /// A command-line problem.
    pub fn usage(message: impl Into<String>) -> Self {
        Error::Usage(message.into())
    }

    /// An input file (or value) that is wrong; the message names it.
    pub fn config(message: impl Into<String>) -> Self {
        Error::Config {
            file: None,
            line: None,
            message: message.into(),
        }
    }

    /// A file that is wrong at a known place.
    pub fn config_at(file: impl Into<PathBuf>, line: Option<usize>, message: String) -> Self {
        Error::Config {
            file: Some(file.into()),
            line,
            message,
        }
    }

    /// An I/O failure on `path` while doing `action` (`"write"`, `"create
    /// the scratch directory"`).
    pub fn io(action: impl Into<String>, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            action: action.into(),
            path: path.into(),
            source,
        }
    }

    /// The exit status for this error's kind; see [`crate::exit`].
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) | Error::Suite(_) | Error::Engine(_) | Error::Config { .. } => {
                exit::USAGE
            }
            Error::Case { .. } => exit::FAILED,
            Error::Internal(_) => exit::INTERNAL,
            Error::Report(e) => match e {
                ReportError::Write { source, .. } | ReportError::Read { source, .. } => {
                    io_exit_code(source)
                }
                ReportError::Console(source) => io_exit_code(source),
                _ => exit::USAGE,
            },
            Error::NotFound { .. } => exit::NOT_FOUND,
            Error::Io { source, .. } => io_exit_code(source),
        }
    }
}

/// A path that is not there was named by the user (a usage error);
/// any other I/O failure is the system's.
fn io_exit_code(e: &std::io::Error) -> u8 {
    match e.kind() {
        std::io::ErrorKind::NotFound => exit::USAGE,
        _ => exit::IO,
    }
}

/// A message built where the input at fault is named in the text: a
/// configuration error, as every such error was before this type existed.
impl From<String> for Error {
    fn from(message: String) -> Self {
        Error::config(message)
    }
}

impl From<&str> for Error {
    fn from(message: &str) -> Self {
        Error::config(message)
    }
}

/// Print `error` as `PREFIX: MESSAGE` on stderr and give its exit status.
pub fn report(prefix: &str, error: &Error) -> std::process::ExitCode {
    eprintln!("{prefix}: {error}");
    std::process::ExitCode::from(error.exit_code())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exit_code_follows_the_kind() {
        let io = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        assert_eq!(Error::usage("x").exit_code(), exit::USAGE);
        assert_eq!(Error::config("x").exit_code(), exit::USAGE);
        assert_eq!(Error::io("write", "/r.json", io).exit_code(), exit::IO);
        let gone = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert_eq!(
            Error::io("read", "/nope.json", gone).exit_code(),
            exit::USAGE
        );
        let missing = Error::NotFound {
            program: "cargo".into(),
            message: "not found on PATH".into(),
        };
        assert_eq!(missing.exit_code(), exit::NOT_FOUND);
    }

    #[test]
    fn messages_name_the_file_and_keep_the_cause() {
        let io = std::io::Error::from(std::io::ErrorKind::NotFound);
        let e = Error::io("write the JSON report to", "/out/r.json", io);
        assert!(
            e.to_string()
                .starts_with("cannot write the JSON report to /out/r.json: ")
        );
        assert!(std::error::Error::source(&e).is_some());
    }
}
