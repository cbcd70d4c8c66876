//! Baselines: the known failures of each engine, in the WASI testsuite's
//! own expectation format, so CI is green on them and red on a new one.
//!
//! ```toml
//! version = 1
//! [[suite]]
//! name = "WASI Rust tests"          # a manifest.json's name, or the suite's
//! # output-mismatch: stdout line "." became "/"
//! [[suite.test]]
//! name = "fd_readdir"               # the test's file stem, or the case name
//! expected = "fail"                 # or: action = "skip" (its comment is the reason)
//! ```
//!
//! `--expectations PATH` (and `expectations = [...]` in a suite file) names
//! a folder holding `ENGINE.toml` files, or one file as `ENGINE=FILE`, so
//! the testsuite's `expectations/wasmtime/linux.toml` reads as it is. An
//! entry that still fails is an expected failure; one that passes is an
//! unexpected pass naming the `FILE:LINE` to delete. An entry naming no
//! case is a warning (such files list tests of other WASI versions).
//! `--write-expectations DIR` writes `DIR/ENGINE.toml` from a run.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use xharness_reports::{CaseResult, Status};
use xharness_suites::{Case, Expectation, Suite, SuiteKind};

/// Where one engine's baseline comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A folder of `ENGINE.toml` files.
    Dir(PathBuf),
    /// `ENGINE=FILE`.
    File { engine: String, path: PathBuf },
}

/// Read `--expectations` (or a suite file's entry): `ENGINE=FILE` or a folder.
pub fn source(arg: &str, known: &[&str]) -> crate::Result<Source> {
    if let Some((engine, path)) = arg.split_once('=')
        && !engine.contains('/')
    {
        if !known.contains(&engine) {
            return Err(format!(
                "--expectations {arg}: unknown engine {engine:?}; known engines: {}",
                known.join(", ")
            )
            .into());
        }
        return Ok(Source::File {
            engine: engine.to_string(),
            path: PathBuf::from(path),
        });
    }
    let dir = PathBuf::from(arg);
    if !dir.is_dir() {
        return Err(format!(
            "--expectations {arg}: no such folder; give a folder of ENGINE.toml files or ENGINE=FILE"
        ).into());
    }
    Ok(Source::Dir(dir))
}

/// One `[[suite.test]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its `[[suite]]`'s name.
    pub suite: String,
    /// Its `name`.
    pub test: String,
    /// `action = "skip"` (else `expected = "fail"`).
    pub skip: bool,
    /// The comment lines just above its `[[suite.test]]`, joined.
    pub comment: Option<String>,
    /// `FILE:LINE` of its `name`.
    pub location: String,
}

#[derive(Deserialize)]
struct RawFile {
    version: Option<toml::Spanned<i64>>,
    #[serde(default)]
    suite: Vec<RawSuite>,
}

#[derive(Deserialize)]
struct RawSuite {
    name: String,
    #[serde(default)]
    test: Vec<RawTest>,
}

#[derive(Deserialize)]
struct RawTest {
    name: toml::Spanned<String>,
    expected: Option<String>,
    action: Option<String>,
}

/// The entries of the expectations file at `path`.
pub fn read(path: &Path) -> crate::Result<Vec<Entry>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read the expectations file: {e}", path.display()))?;
    parse(path, &text)
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Parse the text of an expectations file (`path` names it in errors).
pub fn parse(path: &Path, text: &str) -> crate::Result<Vec<Entry>> {
    let at = |line: usize| format!("{}:{line}", path.display());
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| line_of(text, s.start));
        format!("{}: not an expectations file: {}", at(line), e.message())
    })?;
    match &raw.version {
        Some(v) if *v.get_ref() == 1 => {}
        Some(v) => {
            return Err(format!(
                "{}: version {} is not supported; this xharness reads version = 1",
                at(line_of(text, v.span().start)),
                v.get_ref()
            )
            .into());
        }
        None => return Err(format!("{}: missing `version = 1`", at(1)).into()),
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for s in raw.suite {
        for t in s.test {
            let line = line_of(text, t.name.span().start);
            let skip = match (t.expected.as_deref(), t.action.as_deref()) {
                (Some("fail"), None) => false,
                (None, Some("skip")) => true,
                _ => {
                    return Err(format!(
                        "{}: test {:?} needs `expected = \"fail\"` or `action = \"skip\"`",
                        at(line),
                        t.name.get_ref()
                    )
                    .into());
                }
            };
            out.push(Entry {
                suite: s.name.clone(),
                test: t.name.into_inner(),
                skip,
                comment: comment_above(&lines, line),
                location: at(line),
            });
        }
    }
    Ok(out)
}

/// The `#` lines just above the `[[suite.test]]` header that precedes
/// line `line` (1-based).
fn comment_above(lines: &[&str], line: usize) -> Option<String> {
    let header = (0..line.min(lines.len()))
        .rev()
        .find(|&i| lines[i].trim_start().starts_with("[[suite.test]]"))?;
    let mut comment: Vec<&str> = lines[..header]
        .iter()
        .rev()
        .take_while(|l| l.trim_start().starts_with('#'))
        .map(|l| l.trim_start().trim_start_matches('#').trim())
        .collect();
    comment.reverse();
    (!comment.is_empty()).then(|| comment.join(" "))
}

/// The `[[suite]]` name and `[[suite.test]]` name a case has in a baseline.
pub fn key(suite: &Suite, case: &Case) -> (String, String) {
    if suite.kind == SuiteKind::WasiTestsuite {
        let manifest = case.info.iter().find(|(k, _)| k == "manifest");
        let name = manifest.map_or_else(|| suite.name.clone(), |(_, v)| v.clone());
        return (name, case.source.stem.clone());
    }
    (suite.name.clone(), case.name.clone())
}

/// The baseline entries that applied: (case, engine) → `FILE:LINE`.
pub type Applied = HashMap<(String, String), String>;

/// Apply the baselines of `sources` for the run's `engines` to the suite's
/// cases; returns what applied and the warnings.
pub fn apply(
    suite: &mut Suite,
    engines: &[String],
    sources: &[Source],
) -> crate::Result<(Applied, Vec<String>)> {
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for s in sources {
        match s {
            Source::Dir(dir) => {
                for e in engines {
                    let path = dir.join(format!("{e}.toml"));
                    if path.is_file() {
                        files.push((e.clone(), path));
                    }
                }
            }
            Source::File { engine, path } if engines.contains(engine) => {
                files.push((engine.clone(), path.clone()));
            }
            Source::File { .. } => {}
        }
    }
    let index: HashMap<(String, String), usize> = suite
        .cases
        .iter()
        .enumerate()
        .map(|(i, c)| (key(suite, c), i))
        .collect();
    let mut applied = Applied::new();
    let mut warnings = Vec::new();
    for (engine, path) in files {
        for entry in read(&path)? {
            let Some(&i) = index.get(&(entry.suite.clone(), entry.test.clone())) else {
                warnings.push(format!(
                    "{}: no case {:?} in suite {:?}; the entry is ignored",
                    entry.location, entry.test, entry.suite
                ));
                continue;
            };
            let case = &mut suite.cases[i];
            let wanted = if entry.skip {
                Expectation::Skip(
                    entry
                        .comment
                        .clone()
                        .unwrap_or_else(|| format!("baseline {}", entry.location)),
                )
            } else {
                Expectation::XFail(format!("baseline {}", entry.location))
            };
            match case.expectation(&engine) {
                Some(existing) if same_kind(existing, &wanted) => {}
                // A case the suite skips cannot be judged: an entry that
                // expects it to fail changes nothing (the official files
                // list tests of WASI versions the engines here skip).
                Some(Expectation::Skip(_)) if !entry.skip => continue,
                Some(existing) => {
                    return Err(format!(
                        "{}: {} on {engine} is {} here, but {} in {}'s [expect.{engine}]: keep one of the two",
                        entry.location,
                        case.name,
                        if entry.skip {
                            "skipped"
                        } else {
                            "expected to fail"
                        },
                        kind_word(existing),
                        suite.file.display()
                    ).into());
                }
                None => {
                    case.expect.engines.insert(engine.clone(), wanted);
                }
            }
            applied.insert((case.name.clone(), engine.clone()), entry.location.clone());
        }
    }
    Ok((applied, warnings))
}

fn same_kind(a: &Expectation, b: &Expectation) -> bool {
    matches!(
        (a, b),
        (Expectation::Skip(_), Expectation::Skip(_))
            | (
                Expectation::XFail(_) | Expectation::Fragile(_),
                Expectation::XFail(_)
            )
    )
}

fn kind_word(e: &Expectation) -> &'static str {
    match e {
        Expectation::XFail(_) => "expected to fail",
        Expectation::Skip(_) => "skipped",
        Expectation::Fragile(_) => "fragile",
    }
}

/// Write `DIR/ENGINE.toml` for each engine: every case that did not pass
/// (failed, errored, failed as expected: `expected = "fail"`; skipped:
/// `action = "skip"`), each with its signature or skip reason as a comment.
pub fn write(
    dir: &Path,
    suite: &Suite,
    engines: &[String],
    results: &[CaseResult],
) -> crate::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let cases: HashMap<&str, &Case> = suite.cases.iter().map(|c| (c.name.as_str(), c)).collect();
    let mut written = Vec::new();
    for engine in engines {
        let mut by_suite: BTreeMap<String, Vec<(String, String, bool)>> = BTreeMap::new();
        for r in results.iter().filter(|r| &r.engine == engine) {
            let skip = match r.status {
                Status::Fail | Status::Error | Status::XFail => false,
                Status::Skip => true,
                _ => continue,
            };
            let Some(case) = cases.get(r.case.as_str()) else {
                continue;
            };
            let (s, t) = key(suite, case);
            let comment = if skip {
                r.expectation.clone().unwrap_or_else(|| "skipped".into())
            } else {
                r.signature
                    .clone()
                    .unwrap_or_else(|| xharness_reports::groups::signature(r, &[]))
            };
            by_suite.entry(s).or_default().push((t, comment, skip));
        }
        let mut text = format!(
            "# Known results of suite {:?} on {engine}, written by xharness --write-expectations.\n# Each entry's comment is its failure signature (or skip reason).\nversion = 1\n",
            suite.name
        );
        for (name, mut tests) in by_suite {
            tests.sort();
            text.push_str(&format!("\n[[suite]]\nname = {}\n", toml_str(&name)));
            for (test, comment, skip) in tests {
                let comment = comment.replace('\n', " ");
                text.push_str(&format!(
                    "\n# {comment}\n[[suite.test]]\nname = {}\n",
                    toml_str(&test)
                ));
                text.push_str(if skip {
                    "action = \"skip\"\n"
                } else {
                    "expected = \"fail\"\n"
                });
            }
        }
        let path = dir.join(format!("{engine}.toml"));
        xharness_atomic::write(&path, text.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFICIAL: &str = "version = 1\n\n[[suite]]\nname = \"WASI Rust tests\"\n\n# wasmer preopens / as fd 3\n[[suite.test]]\nname = \"fd_readdir\"\nexpected = \"fail\"\n\n[[suite.test]]\nname = \"sockets\"\naction = \"skip\"\n";

    #[test]
    fn entries_carry_their_line_and_comment() {
        let e = parse(Path::new("x/linux.toml"), OFFICIAL).expect("parses");
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].suite, "WASI Rust tests");
        assert_eq!((e[0].test.as_str(), e[0].skip), ("fd_readdir", false));
        assert_eq!(e[0].location, "x/linux.toml:8");
        assert_eq!(e[0].comment.as_deref(), Some("wasmer preopens / as fd 3"));
        assert_eq!(
            (e[1].test.as_str(), e[1].skip, e[1].comment.as_deref()),
            ("sockets", true, None)
        );
    }

    #[test]
    fn malformed_files_name_the_file_and_line() {
        let bad = |text: &str| {
            parse(Path::new("b.toml"), text)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert!(
            bad("version = 2\n").starts_with("b.toml:1: version 2"),
            "{}",
            bad("version = 2\n")
        );
        assert!(bad("[[suite]]\nname = \"s\"\n").contains("missing `version = 1`"));
        let e = bad(
            "version = 1\n[[suite]]\nname = \"s\"\n[[suite.test]]\nname = \"t\"\nexpected = \"pass\"\n",
        );
        assert!(e.starts_with("b.toml:5: test \"t\" needs"), "{e}");
        let e = bad("version = 1\n[[suite]\n");
        assert!(e.starts_with("b.toml:2: not an expectations file"), "{e}");
    }

    #[test]
    fn sources_are_folders_or_engine_files() {
        let known = ["wasmtime", "wasmer"];
        assert_eq!(
            source("wasmer=a/b.toml", &known).map_err(|e| e.to_string()),
            Ok(Source::File {
                engine: "wasmer".into(),
                path: "a/b.toml".into()
            })
        );
        let e = source("wasmx=a.toml", &known)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("unknown engine \"wasmx\""), "{e}");
        assert!(source("/no/such/dir", &known).is_err());
    }
}
