//! Finding test binaries: in cargo's JSON messages, or by glob.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{Binary, TARGET};
use crate::error::SuiteError;

/// The cargo command line (after `cargo`) that builds the test binaries
/// without running them; `extra` comes from `--cargo` or the suite file.
pub fn command(extra: &[String]) -> Vec<String> {
    let mut args: Vec<String> = [
        "test",
        "--target",
        TARGET,
        "--no-run",
        "--message-format=json",
    ]
    .map(String::from)
    .to_vec();
    args.extend(extra.iter().cloned());
    args
}

#[derive(Deserialize)]
struct Message {
    reason: String,
    manifest_path: Option<PathBuf>,
    target: Option<Target>,
    profile: Option<Profile>,
    executable: Option<PathBuf>,
}

#[derive(Deserialize)]
struct Target {
    name: String,
    kind: Vec<String>,
}

#[derive(Deserialize)]
struct Profile {
    test: bool,
}

/// The test binaries among cargo's `--message-format=json` lines on stdout:
/// each `compiler-artifact` of a test profile with an executable. Lines
/// that are not JSON (a build script's output) are passed over.
pub fn binaries_from_messages(stdout: &str) -> Vec<Binary> {
    let mut found: Vec<(Binary, String)> = Vec::new();
    for line in stdout.lines() {
        let Ok(m) = serde_json::from_str::<Message>(line) else {
            continue;
        };
        let (Some(target), Some(exe), true) = (
            m.target,
            m.executable,
            m.reason == "compiler-artifact" && m.profile.is_some_and(|p| p.test),
        ) else {
            continue;
        };
        let cwd = m
            .manifest_path
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let kind = target.kind.first().cloned().unwrap_or_default();
        found.push((
            Binary {
                path: exe,
                name: target.name,
                cwd,
            },
            kind,
        ));
    }
    // Two targets of one name (a lib and a test file both called `io`, or
    // two packages' libs): tell them apart by kind, then by folder.
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for (b, _) in &found {
        *count.entry(b.name.clone()).or_default() += 1;
    }
    for (b, kind) in &mut found {
        if count[&b.name] > 1 {
            let package = b.cwd.file_name().map(|n| n.to_string_lossy().into_owned());
            b.name = format!("{}-{kind}-{}", package.unwrap_or_default(), b.name);
        }
    }
    let mut out: Vec<Binary> = found.into_iter().map(|(b, _)| b).collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out.dedup_by(|a, b| a.path == b.path);
    out
}

/// A binary's case-name prefix from its file: the stem without cargo's
/// `-HASH` suffix (16 hex digits).
pub fn name_of(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    match stem.rsplit_once('-') {
        Some((base, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            base.to_owned()
        }
        _ => stem,
    }
}

/// The `.wasm` files matched by `globs` (relative to `root`, or absolute);
/// of several files with one name the newest wins and the others become
/// warnings. No match at all is an error naming the suite file.
pub(super) fn glob_binaries(
    root: &Path,
    globs: &[String],
    file: &Path,
) -> Result<(Vec<Binary>, Vec<String>), SuiteError> {
    let mut by_name: BTreeMap<String, Vec<(std::time::SystemTime, PathBuf)>> = BTreeMap::new();
    for g in globs {
        let pattern = if Path::new(g).is_absolute() {
            g.clone()
        } else {
            format!("{}/{g}", root.display())
        };
        let matcher = globset::Glob::new(&pattern)
            .map_err(|e| bad_glob(file, g, &e.to_string()))?
            .compile_matcher();
        for entry in walkdir::WalkDir::new(walk_start(&pattern))
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
        {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "wasm") && matcher.is_match(path) {
                let modified = entry
                    .metadata()
                    .ok()
                    .and_then(|m| m.modified().ok())
                    .unwrap_or(std::time::UNIX_EPOCH);
                by_name
                    .entry(name_of(path))
                    .or_default()
                    .push((modified, path.to_path_buf()));
            }
        }
    }
    if by_name.is_empty() {
        return Err(bad_glob(
            file,
            &globs.join(", "),
            "matches no .wasm file; build the tests first (`cargo test --target wasm32-wasip1 --no-run`) or fix the glob",
        ));
    }
    let mut binaries = Vec::new();
    let mut warnings = Vec::new();
    for (name, mut files) in by_name {
        files.sort();
        files.dedup_by(|a, b| a.1 == b.1);
        let (_, newest) = files.pop().expect("every entry has a file");
        for (_, old) in files {
            warnings.push(format!(
                "{}: {} is an older build of {name} than {}; using the newer",
                file.display(),
                old.display(),
                newest.display()
            ));
        }
        binaries.push(Binary {
            path: newest,
            name,
            cwd: root.to_path_buf(),
        });
    }
    Ok((binaries, warnings))
}

/// The longest leading run of path components without glob characters.
fn walk_start(pattern: &str) -> PathBuf {
    let mut start = PathBuf::from("/");
    for part in Path::new(pattern)
        .parent()
        .into_iter()
        .flat_map(Path::components)
    {
        let text = part.as_os_str().to_string_lossy();
        if text.contains(['*', '?', '[', '{']) {
            break;
        }
        start.push(part);
    }
    start
}

fn bad_glob(file: &Path, glob: &str, why: &str) -> SuiteError {
    SuiteError::Libtest {
        file: file.to_path_buf(),
        message: format!("binaries glob {glob:?}: {why}"),
    }
}
