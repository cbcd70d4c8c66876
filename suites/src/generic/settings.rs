//! Suite-wide `[run]` and `[golden]` settings, validated once and expanded per case.
//!
//! Every template is checked at load time, so an unknown placeholder is reported with
//! its key and line even before any case is built. Relative paths that come out of
//! a template (stdin, goldens, dir hosts) are taken relative to the case's folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use toml::Spanned;

use super::config::{RawGolden, RawRun};
use super::discover::{Found, Listing};
use super::sidecar;
use super::template_message;
use crate::error::SuiteError;
use crate::source::SourceFile;
use crate::template::{self, Vars};
use crate::{Case, CaseExpect, CaseKind, CaseRun, CaseSource, DirMapping, Expectation, Mode};

const RUN_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_MEMORY: u64 = 1 << 30;
const MAX_OUTPUT: u64 = 1 << 20;
const STDIN: &str = "{dir}/{stem}.stdin";
const GOLDEN_STDOUT: &str = "{dir}/{stem}.stdout";
const GOLDEN_STDERR: &str = "{dir}/{stem}.stderr";

/// One `run.dirs` entry split into its parts (templates still unexpanded).
#[derive(Debug, Clone)]
struct DirSpec {
    host: String,
    guest: Option<String>,
    read_only: bool,
}

/// Validated suite-wide settings; [`Settings::case`] turns them into a [`Case`].
#[derive(Debug, Clone)]
pub struct Settings {
    args: Vec<String>,
    env: Vec<(String, String)>,
    dirs: Vec<DirSpec>,
    stdin: Option<String>,
    exit_code: i32,
    timeout: Duration,
    max_memory: u64,
    max_output: usize,
    golden_stdout: String,
    golden_stderr: String,
    native: Vec<PathBuf>,
}

/// Check that a template only uses known placeholders, pointing at its key if not.
fn checked(file: &SourceFile, value: &Spanned<String>, key: &str) -> Result<String, SuiteError> {
    template::placeholders(value.get_ref())
        .map_err(|err| file.invalid(value, key, template_message(err)))?;
    Ok(value.get_ref().clone())
}

/// A path template that must not be empty.
fn path_template(
    file: &SourceFile,
    value: Option<&Spanned<String>>,
    key: &str,
    default: &str,
) -> Result<String, SuiteError> {
    let Some(value) = value else {
        return Ok(default.to_owned());
    };
    if value.get_ref().trim().is_empty() {
        let message = format!("must not be empty; remove the key to use {default:?}");
        return Err(file.invalid(value, key, message));
    }
    checked(file, value, key)
}

impl Settings {
    /// Validate `[run]` and the golden paths, filling in defaults.
    pub fn new(file: &SourceFile, run: &RawRun, golden: &RawGolden) -> Result<Self, SuiteError> {
        let args = run.args.iter().map(|a| checked(file, a, "run.args"));
        let stdin = match &run.stdin {
            Some(s) if s.get_ref().is_empty() => None,
            Some(s) => Some(checked(file, s, "run.stdin")?),
            None => Some(STDIN.to_owned()),
        };
        let max_output = run.max_output.map_or(MAX_OUTPUT, |s| s.0);
        let base = file.path.parent().unwrap_or(std::path::Path::new("/"));
        let mut native = Vec::new();
        for n in &run.native {
            let path = base.join(n.get_ref());
            if !path.is_file() {
                let message = format!(
                    "native-import description {} does not exist",
                    path.display()
                );
                return Err(file.invalid(n, "run.native", message));
            }
            native.push(path);
        }
        Ok(Settings {
            native,
            args: args.collect::<Result<_, _>>()?,
            env: env(file, &run.env)?,
            dirs: run
                .dirs
                .iter()
                .map(|d| dir_spec(file, d))
                .collect::<Result<_, _>>()?,
            stdin,
            exit_code: run.exit_code.unwrap_or(0),
            timeout: run.timeout.map_or(RUN_TIMEOUT, |s| s.0),
            max_memory: run.max_memory.map_or(MAX_MEMORY, |s| s.0),
            max_output: usize::try_from(max_output).unwrap_or(usize::MAX),
            golden_stdout: path_template(
                file,
                golden.stdout.as_ref(),
                "golden.stdout",
                GOLDEN_STDOUT,
            )?,
            golden_stderr: path_template(
                file,
                golden.stderr.as_ref(),
                "golden.stderr",
                GOLDEN_STDERR,
            )?,
        })
    }

    /// Build the case for one discovered source, reading its sidecar files
    /// (those of them that `listing` holds).
    pub fn case(
        &self,
        root: &Path,
        found: Found,
        expect: BTreeMap<String, Expectation>,
        listing: &Listing,
    ) -> Result<Case, SuiteError> {
        let dir = found
            .src
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| root.to_path_buf());
        let stem = found
            .src
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        let vars = Vars {
            src: &found.src,
            dir: &dir,
            stem: &stem,
            name: &found.name,
            root,
            flags: "",
            out: None,
        };
        let expand = |t: &str| template::expand(t, &vars);
        let to_path = |t: &str| expand(t).map(|p| dir.join(p));

        let mut args = self
            .args
            .iter()
            .map(|a| expand(a))
            .collect::<Result<Vec<_>, _>>()?;
        args.extend(sidecar::args(&dir, &stem, listing)?);
        let env = self.env.iter().map(|(k, v)| Ok((k.clone(), expand(v)?)));
        let dirs = self.dirs.iter().map(|d| dir_mapping(d, &dir, &vars));
        let run = CaseRun {
            args,
            env: env.collect::<Result<_, SuiteError>>()?,
            dirs: dirs.collect::<Result<_, _>>()?,
            stdin: self.stdin.as_deref().map(to_path).transpose()?,
            timeout: self.timeout,
            max_memory: self.max_memory,
            max_output: self.max_output,
            scratch: true,
            combine_output: false,
        };
        let expect = CaseExpect {
            exit_code: sidecar::exit_code(&dir, &stem, listing)?.unwrap_or(self.exit_code),
            golden_stdout: to_path(&self.golden_stdout)?,
            golden_stderr: to_path(&self.golden_stderr)?,
            engines: expect,
            mode: Mode::CompileAndRun,
            normalize: None,
            ignore_stdout: false,
            ignore_stderr: false,
        };
        Ok(Case {
            name: found.name,
            source: CaseSource {
                src: found.src,
                dir,
                stem,
            },
            run,
            expect,
            info: Vec::new(),
            kind: CaseKind::Generic {
                native: self.native.clone(),
            },
        })
    }
}

/// Validate `run.env`: names must be usable as variable names, values valid templates.
fn env(
    file: &SourceFile,
    raw: &BTreeMap<Spanned<String>, Spanned<String>>,
) -> Result<Vec<(String, String)>, SuiteError> {
    let mut env = Vec::with_capacity(raw.len());
    for (key, value) in raw {
        let name = key.get_ref();
        let dotted = format!("run.env.{name}");
        if name.is_empty() || name.contains(['=', '\0']) {
            let message = "an environment variable name must be non-empty without `=`";
            return Err(file.invalid(key, &dotted, message));
        }
        env.push((name.clone(), checked(file, value, &dotted)?));
    }
    env.sort();
    Ok(env)
}

/// Split `"HOST[::GUEST][:ro]"`.
fn dir_spec(file: &SourceFile, entry: &Spanned<String>) -> Result<DirSpec, SuiteError> {
    let text = checked(file, entry, "run.dirs")?;
    let (rest, read_only) = match text.strip_suffix(":ro") {
        Some(rest) => (rest, true),
        None => (text.as_str(), false),
    };
    let (host, guest) = match rest.split_once("::") {
        Some((host, guest)) => (host, Some(guest.to_owned())),
        None => (rest, None),
    };
    if host.is_empty() || guest.as_deref().is_some_and(str::is_empty) {
        let message = format!(
            "bad entry {text:?}; write \"HOST\", \"HOST::GUEST\", optionally followed by \":ro\""
        );
        return Err(file.invalid(entry, "run.dirs", message));
    }
    Ok(DirSpec {
        host: host.to_owned(),
        guest,
        read_only,
    })
}

/// Expand a dir entry for one case; the guest path defaults to the host as written.
fn dir_mapping(spec: &DirSpec, dir: &Path, vars: &Vars) -> Result<DirMapping, SuiteError> {
    let host = template::expand(&spec.host, vars)?;
    let guest = match &spec.guest {
        Some(guest) => template::expand(guest, vars)?,
        None => host.clone(),
    };
    let host: PathBuf = dir.join(host);
    Ok(DirMapping {
        host,
        guest,
        read_only: spec.read_only,
        copy: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        crate::source::test_file(text)
    }

    fn spec(entry: &str) -> Result<DirSpec, String> {
        let text = format!("d = {entry:?}");
        let f = file(&text);
        #[derive(serde::Deserialize)]
        struct Doc {
            d: Spanned<String>,
        }
        let doc: Doc = f.parse().map_err(|e| e.to_string())?;
        dir_spec(&f, &doc.d).map_err(|e| e.to_string())
    }

    #[test]
    fn dir_entries_split() {
        let d = spec("data").ok();
        assert_eq!(
            d.map(|d| (d.host, d.guest, d.read_only)),
            Some(("data".into(), None, false))
        );
        let d = spec("data::/mnt:ro").ok();
        let want = ("data".into(), Some("/mnt".into()), true);
        assert_eq!(d.map(|d| (d.host, d.guest, d.read_only)), Some(want));
        let d = spec("{dir}/x::.").ok();
        assert_eq!(
            d.map(|d| (d.host, d.guest)),
            Some(("{dir}/x".into(), Some(".".into())))
        );
    }

    #[test]
    fn bad_dir_entries_are_errors() {
        for bad in ["", ":ro", "::/mnt", "data::", "{nope}"] {
            let err = spec(bad).err().unwrap_or_default();
            assert!(
                err.starts_with("/s/suite.toml:1: `run.dirs`"),
                "{bad}: {err}"
            );
        }
    }
}
