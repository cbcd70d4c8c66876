//! What `--failed` re-runs: the (case, engine) pairs of a suite that
//! failed or did not run last time, kept under the cache directory.
//!
//! One JSON file per suite, named by the hash of the suite file's path,
//! written atomically after every run of that suite (a `--failed` run
//! included, so fixing cases shrinks the list).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use xharness_reports::{CaseResult, Status};

#[derive(Debug, Default, Serialize, Deserialize)]
struct State {
    suite: String,
    /// (case, engine) pairs to re-run.
    failed: BTreeSet<(String, String)>,
}

fn path(cache_dir: &Path, suite_file: &Path) -> PathBuf {
    let key = hex::encode(Sha256::digest(suite_file.to_string_lossy().as_bytes()));
    cache_dir.join("state").join(format!("{}.json", &key[..32]))
}

/// Pairs to re-run: `None` when no run of this suite was recorded.
pub fn load(
    cache_dir: &Path,
    suite_file: &Path,
) -> crate::Result<Option<BTreeSet<(String, String)>>> {
    let path = path(cache_dir, suite_file);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(crate::Error::io("read", &path, e)),
    };
    let state: State = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{} is damaged ({e}); delete it and run the whole suite once",
            path.display()
        )
    })?;
    Ok(Some(state.failed))
}

/// Record a finished run. With `only` (a `--failed` run), pairs that were
/// not part of the run keep their previous state.
pub fn save(
    cache_dir: &Path,
    suite_file: &Path,
    results: &[CaseResult],
    previous: Option<&BTreeSet<(String, String)>>,
) -> crate::Result<()> {
    let mut failed: BTreeSet<(String, String)> = previous.cloned().unwrap_or_default();
    for r in results {
        let pair = (r.case.clone(), r.engine.clone());
        if r.status.is_failure() || r.status == Status::NotRun {
            failed.insert(pair);
        } else {
            failed.remove(&pair);
        }
    }
    let state = State {
        suite: suite_file.display().to_string(),
        failed,
    };
    let path = path(cache_dir, suite_file);
    let json = serde_json::to_vec_pretty(&state).map_err(|e| e.to_string())?;
    xharness_atomic::write(&path, &json).map_err(|e| crate::Error::io("write", &path, e))
}

/// Raw (stdout, stderr) of the records that did not pass, by (case, engine).
pub type KeptOutputs = std::collections::HashMap<(String, String), (Vec<u8>, Vec<u8>)>;

/// A record of the last run that did not pass, with the guest's raw
/// output (up to `max_output`), for `xharness repro`.
#[derive(Debug, Clone, PartialEq)]
pub struct Kept {
    /// The record as reported.
    pub result: CaseResult,
    /// What the guest wrote to stdout (head and tail over the cap).
    pub stdout: Vec<u8>,
    /// What it wrote to stderr.
    pub stderr: Vec<u8>,
}

fn kept_dir(cache_dir: &Path, suite_file: &Path) -> PathBuf {
    path(cache_dir, suite_file).with_extension("records")
}

fn kept_stem(case: &str, engine: &str) -> String {
    let key = hex::encode(Sha256::digest(format!("{case}\0{engine}").as_bytes()));
    key[..32].to_string()
}

/// Keep the run's records that did not pass (`outputs`: (case, engine) →
/// raw stdout and stderr); the kept records of pairs that now passed are
/// removed.
pub fn save_kept(
    cache_dir: &Path,
    suite_file: &Path,
    results: &[CaseResult],
    outputs: &KeptOutputs,
) -> crate::Result<()> {
    let dir = kept_dir(cache_dir, suite_file);
    let io = |p: &Path, e: std::io::Error| crate::Error::io("write", p, e);
    for r in results {
        let stem = kept_stem(&r.case, &r.engine);
        let files = ["json", "stdout", "stderr"].map(|ext| dir.join(format!("{stem}.{ext}")));
        let Some((out, err)) = outputs.get(&(r.case.clone(), r.engine.clone())) else {
            for f in &files {
                let _ = std::fs::remove_file(f);
            }
            continue;
        };
        let json = serde_json::to_vec(r).map_err(|e| e.to_string())?;
        for (f, bytes) in files.iter().zip([&json, out, err]) {
            xharness_atomic::write(f, bytes).map_err(|e| io(f, e))?;
        }
    }
    Ok(())
}

/// The kept record of (case, engine) from the last run, if it did not pass.
pub fn load_kept(
    cache_dir: &Path,
    suite_file: &Path,
    case: &str,
    engine: &str,
) -> crate::Result<Option<Kept>> {
    let dir = kept_dir(cache_dir, suite_file);
    let stem = kept_stem(case, engine);
    let json = dir.join(format!("{stem}.json"));
    let text = match std::fs::read(&json) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(crate::Error::io("read", &json, e)),
    };
    let result: CaseResult = serde_json::from_slice(&text).map_err(|e| {
        format!(
            "{} is damaged ({e}); delete it and run the suite again",
            json.display()
        )
    })?;
    let read = |ext: &str| std::fs::read(dir.join(format!("{stem}.{ext}"))).unwrap_or_default();
    Ok(Some(Kept {
        result,
        stdout: read("stdout"),
        stderr: read("stderr"),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(case: &str, engine: &str, status: Status) -> CaseResult {
        CaseResult::new(case, engine, status)
    }

    #[test]
    fn a_rerun_of_failures_keeps_pairs_it_did_not_run() {
        let cache = tempfile::tempdir().unwrap();
        let suite = Path::new("/suites/a/suite.toml");
        assert_eq!(load(cache.path(), suite).unwrap(), None);
        let first = [
            result("x", "wasmtime", Status::Fail),
            result("y", "wasmtime", Status::NotRun),
            result("z", "wasmtime", Status::Pass),
        ];
        save(cache.path(), suite, &first, None).unwrap();
        let failed = load(cache.path(), suite).unwrap().unwrap();
        assert_eq!(failed.len(), 2);
        // Re-run only x, which now passes: y stays to be re-run.
        save(
            cache.path(),
            suite,
            &[result("x", "wasmtime", Status::Pass)],
            Some(&failed),
        )
        .unwrap();
        let left = load(cache.path(), suite).unwrap().unwrap();
        assert_eq!(
            left.into_iter().collect::<Vec<_>>(),
            [("y".to_string(), "wasmtime".to_string())]
        );
        // Another suite has its own state.
        assert_eq!(
            load(cache.path(), Path::new("/suites/b/suite.toml")).unwrap(),
            None
        );
    }

    #[test]
    fn a_damaged_state_file_names_itself() {
        let cache = tempfile::tempdir().unwrap();
        let suite = Path::new("/s/suite.toml");
        let p = path(cache.path(), suite);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, "{not json").unwrap();
        let err = load(cache.path(), suite).unwrap_err().to_string();
        assert!(
            err.contains(&p.display().to_string()) && err.contains("delete"),
            "{err}"
        );
    }
}
