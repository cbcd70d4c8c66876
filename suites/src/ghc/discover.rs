//! Finding and evaluating every `*.T` file under the root, in parallel.
//!
//! Each file is evaluated on its own (a fresh interpreter, its own copy of
//! `config`), as the driver gives each file fresh `setTestOpts` settings.
//! A statement that fails becomes a warning naming the file and line, and
//! the rest of the file is still evaluated. The files are shared among
//! threads by an atomic counter; results come back in path order.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::config::Config;
use super::host::{Declared, FileHost};
use pyeval::{self as py, Limits};

/// The test declarations of one `.T` file and what its folder holds.
#[derive(Debug, Clone)]
pub struct FileTests {
    /// The `.T` file, relative to the root, '/'-separated.
    pub file: String,
    /// Absolute folder of the file (the tests' source folder).
    pub dir: PathBuf,
    /// File names in that folder, sorted.
    pub listing: Vec<String>,
    /// Its `test(...)` calls, in order.
    pub tests: Vec<Declared>,
}

/// Everything discovery found.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Per `.T` file, in path order.
    pub files: Vec<FileTests>,
    /// `file:line: message` for each statement that could not be evaluated.
    pub warnings: Vec<String>,
    /// Driver names used but unknown here, with how often.
    pub unknown: BTreeMap<String, usize>,
}

impl Discovery {
    /// Number of `test(...)` calls.
    pub fn test_count(&self) -> usize {
        self.files.iter().map(|f| f.tests.len()).sum()
    }
}

/// Every `*.T` file under `root`, sorted, relative to it.
pub fn t_files(root: &Path) -> Vec<String> {
    let mut files: Vec<String> = walkdir::WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.file_name().to_string_lossy().ends_with(".T"))
        .filter_map(|e| {
            e.path()
                .strip_prefix(root)
                .ok()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
        })
        .collect();
    files.sort();
    files
}

/// Evaluate every `.T` file under `root` with `config`, on `threads` threads.
pub fn discover(root: &Path, config: &Config, threads: usize) -> Discovery {
    let files = t_files(root);
    let next = AtomicUsize::new(0);
    let threads = threads.clamp(1, files.len().max(1));
    let mut results: Vec<(usize, FileResult)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(file) = files.get(i) else {
                            return done;
                        };
                        done.push((i, evaluate(root, file, config)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    let mut out = Discovery::default();
    for (_, r) in results {
        out.warnings.extend(r.warnings);
        for (name, n) in r.unknown {
            *out.unknown.entry(name).or_default() += n;
        }
        out.files.push(r.tests);
    }
    out
}

struct FileResult {
    tests: FileTests,
    warnings: Vec<String>,
    unknown: BTreeMap<String, usize>,
}

/// Evaluate one file; never fails (problems become warnings).
fn evaluate(root: &Path, file: &str, config: &Config) -> FileResult {
    let path = root.join(file);
    let dir = path.parent().unwrap_or(root).to_path_buf();
    let mut warnings = Vec::new();
    let src = match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => {
            warnings.push(format!("{}: cannot read: {e}", path.display()));
            String::new()
        }
    };
    let evaluated = evaluate_source(&src, config);
    for (line, message) in &evaluated.warnings {
        warnings.push(format!("{}:{line}: {message}", path.display()));
    }
    let mut listing: Vec<String> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    listing.sort();
    FileResult {
        tests: FileTests {
            file: file.to_owned(),
            dir,
            listing,
            tests: evaluated.tests,
        },
        warnings,
        unknown: evaluated.unknown,
    }
}

/// What evaluating one `.T` file's text yields.
#[derive(Debug, Default)]
pub struct Evaluated {
    /// Its `test(...)` calls, in order.
    pub tests: Vec<Declared>,
    /// (line, message) for each statement that could not be evaluated.
    pub warnings: Vec<(u32, String)>,
    /// Driver names used but unknown here, with how often.
    pub unknown: BTreeMap<String, usize>,
}

/// Evaluate the text of one `.T` file with `config`. Never panics, never
/// hangs: problems become warnings.
pub fn evaluate_source(src: &str, config: &Config) -> Evaluated {
    let mut host = FileHost::new(config);
    let mut warnings: Vec<(u32, String)> = py::run_file(src, &mut host, &Limits::default())
        .into_iter()
        .map(|w| (w.line, w.message))
        .collect();
    warnings.append(&mut host.problems);
    warnings.sort_by_key(|(line, _)| *line);
    Evaluated {
        tests: std::mem::take(&mut host.tests),
        warnings,
        unknown: std::mem::take(&mut host.unknown),
    }
}
