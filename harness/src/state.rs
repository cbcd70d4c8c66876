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
    // A run whose outcome matches the last one's (every warm re-run of a
    // passing suite) leaves the file alone: no write and no sync to disk
    // at the end of the run.
    if std::fs::read(&path).is_ok_and(|old| old == json) {
        return Ok(());
    }
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
    // The folder is listed once: a run where everything passes, the
    // common case, then removes nothing and pays no call per record.
    let mut present = kept_files(&dir);
    if present.is_empty() && outputs.is_empty() {
        return Ok(());
    }
    let io = |p: &Path, e: std::io::Error| crate::Error::io("write", p, e);
    for r in results {
        let stem = kept_stem(&r.case, &r.engine);
        let names = ["json", "stdout", "stderr"].map(|ext| format!("{stem}.{ext}"));
        let Some((out, err)) = outputs.get(&(r.case.clone(), r.engine.clone())) else {
            for name in &names {
                if present.remove(name.as_str()) {
                    let _ = std::fs::remove_file(dir.join(name));
                }
            }
            continue;
        };
        let files = names.map(|name| dir.join(name));
        let json = serde_json::to_vec(r).map_err(|e| e.to_string())?;
        for (f, bytes) in files.iter().zip([&json, out, err]) {
            xharness_atomic::write(f, bytes).map_err(|e| io(f, e))?;
        }
    }
    Ok(())
}

/// The names of the files in the kept-records folder (none if it does not
/// exist or cannot be read: removing stale records is best-effort).
fn kept_files(dir: &Path) -> std::collections::HashSet<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Default::default();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect()
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
    fn an_unchanged_state_is_not_written_again_and_a_changed_one_is() {
        use std::os::unix::fs::MetadataExt;
        let cache = tempfile::tempdir().unwrap();
        let suite = Path::new("/s/suite.toml");
        let file = path(cache.path(), suite);
        let inode = || std::fs::metadata(&file).unwrap().ino();
        let pass = [result("x", "wasmtime", Status::Pass)];
        save(cache.path(), suite, &pass, None).unwrap();
        let first = inode();
        // Each write replaces the file (a new inode); an equal state keeps it.
        save(cache.path(), suite, &pass, None).unwrap();
        assert_eq!(inode(), first);
        save(
            cache.path(),
            suite,
            &[result("x", "wasmtime", Status::Fail)],
            None,
        )
        .unwrap();
        assert_ne!(inode(), first);
        assert_eq!(load(cache.path(), suite).unwrap().unwrap().len(), 1);
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

    #[test]
    fn kept_records_follow_the_last_run_and_a_clean_run_writes_nothing() {
        let cache = tempfile::tempdir().unwrap();
        let suite = Path::new("/s/suite.toml");
        let dir = kept_dir(cache.path(), suite);
        let pass = [result("x", "wasmtime", Status::Pass)];
        save_kept(cache.path(), suite, &pass, &KeptOutputs::new()).unwrap();
        assert!(!dir.exists(), "a run where all passed creates no folder");

        let fail = [
            result("x", "wasmtime", Status::Fail),
            result("y", "wasmtime", Status::Fail),
        ];
        let mut outputs = KeptOutputs::new();
        for case in ["x", "y"] {
            let out = format!("{case} out").into_bytes();
            outputs.insert((case.into(), "wasmtime".into()), (out, b"err".to_vec()));
        }
        save_kept(cache.path(), suite, &fail, &outputs).unwrap();
        let x = load_kept(cache.path(), suite, "x", "wasmtime")
            .unwrap()
            .unwrap();
        assert_eq!(
            (x.result.status, x.stdout.as_slice()),
            (Status::Fail, &b"x out"[..])
        );
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 6);

        // x passes now: its three files go, y's stay (it did not run).
        save_kept(cache.path(), suite, &pass, &KeptOutputs::new()).unwrap();
        assert_eq!(
            load_kept(cache.path(), suite, "x", "wasmtime").unwrap(),
            None
        );
        let y = load_kept(cache.path(), suite, "y", "wasmtime")
            .unwrap()
            .unwrap();
        assert_eq!(y.stderr, b"err");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 3);
    }
}
