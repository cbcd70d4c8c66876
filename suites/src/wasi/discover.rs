//! Walking the root for `*.wasm` files and turning each, with its spec, into a case.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use walkdir::{DirEntry, WalkDir};

use super::Limits;
use super::expected;
use super::spec::{self, Spec};
use crate::error::SuiteError;
use crate::{
    ANY_ENGINE, Case, CaseExpect, CaseKind, CaseRun, CaseSource, DerivedFile, DirMapping,
    Expectation, Mode, Normalize, StreamNormalize,
};

/// What discovery found under a root.
#[derive(Debug, Default)]
pub struct Found {
    /// One case per `.wasm` file, sorted by name.
    pub cases: Vec<Case>,
    /// `FILE: message` for each spec that could not be read, or that has unknown keys.
    pub warnings: Vec<String>,
    /// The expected texts the cases' goldens and stdin name, once each.
    pub derived: Vec<DerivedFile>,
}

/// Every `*.wasm` file under `root` as a case; expected text becomes
/// [`Found::derived`] files (nothing is written).
pub fn discover(root: &Path, limits: &Limits) -> Result<Found, SuiteError> {
    let mut found = Found::default();
    let mut derived = std::collections::BTreeMap::new();
    let walker = WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !ignored(e));
    for entry in walker {
        let entry = entry.map_err(|source| SuiteError::Walk {
            root: root.to_path_buf(),
            source,
        })?;
        let is_wasm = entry.path().extension().is_some_and(|x| x == "wasm");
        if !is_wasm || !entry.path().is_file() {
            continue;
        }
        let case = case(
            root,
            entry.path(),
            limits,
            &mut derived,
            &mut found.warnings,
        )?;
        found.cases.push(case);
    }
    found.cases.sort_by(|a, b| a.name.cmp(&b.name));
    found.derived = derived
        .into_iter()
        .map(|(path, text)| DerivedFile { path, text })
        .collect();
    Ok(found)
}

/// Left behind by tests (`*.cleanup`), or hidden (`.git`).
fn ignored(e: &DirEntry) -> bool {
    let name = e.file_name().to_string_lossy();
    name.ends_with(".cleanup") || name.starts_with('.')
}

/// The `name` in the `manifest.json` of a test's folder (the WASI
/// testsuite names each folder's suite there), if it has one.
fn manifest_name(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("manifest.json")).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    value.get("name")?.as_str().map(str::to_owned)
}

/// The case for one module.
fn case(
    root: &Path,
    src: &Path,
    limits: &Limits,
    derived: &mut std::collections::BTreeMap<PathBuf, String>,
    warnings: &mut Vec<String>,
) -> Result<Case, SuiteError> {
    let utf8 = |p: &Path| {
        p.to_str()
            .map(str::to_owned)
            .ok_or_else(|| SuiteError::NonUtf8Path {
                path: p.to_path_buf(),
            })
    };
    let rel = src.strip_prefix(root).unwrap_or(src);
    let name = utf8(&rel.with_extension(""))?.replace('\\', "/");
    let dir = src.parent().unwrap_or(root).to_path_buf();
    let stem = utf8(Path::new(src.file_stem().unwrap_or_default()))?;
    let spec_file = src.with_extension("json");
    let (spec, format, skip) = judged_spec(src, &spec_file, warnings);
    let mut dirs = Vec::new();
    if let Some(r) = &spec.root {
        dirs.push(copied(dir.join(r), "/".into()));
    }
    for d in &spec.dirs {
        dirs.push(copied(dir.join(d), d.trim_end_matches('/').to_owned()));
    }
    let mut derive = |text: &str| {
        let file = expected::derived(text);
        derived.insert(file.path.clone(), file.text);
        file.path
    };
    let golden_stdout = match &spec.stdout {
        Some(t) => derive(t),
        None => dir.join(format!("{stem}.stdout")),
    };
    let golden_stderr = match &spec.stderr {
        Some(t) => derive(t),
        None => dir.join(format!("{stem}.stderr")),
    };
    let stdin = spec.stdin.as_deref().map(&mut derive);
    let mut info = vec![("spec".to_owned(), format.to_owned())];
    if let Some(suite) = manifest_name(&dir) {
        info.push(("manifest".into(), suite));
    }
    if let Some(r) = &spec.root {
        info.push(("root".into(), r.clone()));
    }
    let expect: BTreeMap<String, Expectation> = skip
        .map(|why| BTreeMap::from([(ANY_ENGINE.to_owned(), Expectation::Skip(why))]))
        .unwrap_or_default();
    let expect = CaseExpect {
        exit_code: spec.exit_code,
        golden_stdout,
        golden_stderr,
        engines: expect,
        mode: Mode::CompileAndRun,
        normalize: Some(std::sync::Arc::new(StreamNormalize {
            stdout: prefix_normalize(spec.stdout.as_deref()),
            stderr: prefix_normalize(spec.stderr.as_deref()),
        })),
        ignore_stdout: spec.stdout.is_none(),
        ignore_stderr: spec.stderr.is_none(),
    };
    let run = CaseRun {
        args: spec.args,
        env: spec.env.into_iter().collect(),
        dirs,
        stdin,
        timeout: limits.timeout,
        max_memory: limits.max_memory,
        max_output: limits.max_output,
        scratch: false,
        combine_output: false,
    };
    Ok(Case {
        name,
        source: CaseSource {
            src: src.to_path_buf(),
            dir,
            stem,
        },
        run,
        expect,
        info,
        kind: CaseKind::Wasi,
    })
}

/// The module's spec, a word for its format, and why the case is skipped
/// on every engine if it is; problems with the spec become warnings.
fn judged_spec(
    src: &Path,
    spec_file: &Path,
    warnings: &mut Vec<String>,
) -> (Spec, &'static str, Option<String>) {
    let (spec, problem) = read_spec(spec_file);
    let format = match problem {
        Some(_) => "invalid",
        None => spec.format.as_str(),
    };
    for w in &spec.warnings {
        warnings.push(format!("{}: {w}", spec_file.display()));
    }
    let problem = problem.map(|p| {
        let message = format!("{}: {p}", spec_file.display());
        warnings.push(format!("{message}; the test is skipped"));
        format!("spec {message}")
    });
    let skip = not_core_module(src)
        .or(problem)
        .or_else(|| spec.unsupported.clone());
    (spec, format, skip)
}

/// The spec beside a module: the defaults when there is none, and the
/// problem when it cannot be read.
fn read_spec(path: &Path) -> (Spec, Option<String>) {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (Spec::default(), None),
        Err(e) => return (Spec::default(), Some(format!("cannot read it: {e}"))),
    };
    match spec::parse(&text) {
        Ok(s) => (s, None),
        Err(e) => (Spec::default(), Some(e)),
    }
}

fn copied(host: PathBuf, guest: String) -> DirMapping {
    DirMapping {
        host,
        guest,
        read_only: false,
        copy: true,
    }
}

/// Compare as the official runner does: the stream must start with
/// `expected`. The rule cuts the actual output down to `expected` when it
/// starts with it; applied to the golden (which is `expected`) it changes
/// nothing.
fn prefix_normalize(expected: Option<&str>) -> Normalize {
    let mut n = Normalize {
        normalize_crlf: true,
        ..Normalize::default()
    };
    if let Some(text) = expected.filter(|t| !t.is_empty()) {
        let pattern = format!(r"\A{}(?s-u:.+)\z", regex::escape(text));
        n.rules.push((pattern, text.replace('$', "$$")));
    }
    n
}

/// Why a `.wasm` file is to be skipped: it is a component (the engines run
/// core modules). Anything else, unreadable or not wasm at all, is left to
/// fail when it is run.
fn not_core_module(src: &Path) -> Option<String> {
    let mut head = [0u8; 8];
    let read = std::fs::File::open(src).and_then(|mut f| f.read_exact(&mut head));
    match (read, head) {
        (Ok(()), [0, b'a', b's', b'm', v0, v1, 1, 0]) if [v0, v1] != [1, 0] => Some(
            "a component (e.g. wasm32-wasip3), not a core module; the engines run core modules"
                .into(),
        ),
        _ => None,
    }
}
