//! Opening an archive: unpack it once per content into the cache
//! (`CACHE/archives/SHA/`, a temp folder renamed into place, so
//! concurrent runs share one copy and never see half of it), check it, and
//! turn its manifest back into a [`Suite`] whose paths point into it.

use std::path::Path;

use sha2::{Digest, Sha256};
use xharness_suites::{Suite, SuiteKind, Toolchain};

use super::{FORMAT, Manifest};

/// The suite an archive holds, unpacked under `cache_dir`. Native code it
/// carries is put into the module cache there.
pub fn open(file: &Path, cache_dir: &Path) -> crate::Result<Suite> {
    let bytes = std::fs::read(file)
        .map_err(|e| crate::Error::usage(format!("cannot read archive {}: {e}", file.display())))?;
    let sha = hex::encode(Sha256::digest(&bytes));
    let parent = cache_dir.join("archives");
    let dir = parent.join(&sha);
    if !dir.join("manifest.json").is_file() {
        unpack(file, &bytes, &parent, &dir)?;
    }
    let raw: serde_json::Value = std::fs::read(dir.join("manifest.json"))
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
        .map_err(|e| bad(file, &format!("its manifest cannot be read ({e})")))?;
    // The format first: a newer archive may not parse as this one's.
    let format = raw["format"].as_u64();
    if format != Some(u64::from(FORMAT)) {
        return Err(crate::Error::usage(format!(
            "archive {} was written by xharness {} in archive format {}, and this xharness {} reads format {FORMAT}: build the archive again with this version",
            file.display(),
            raw["xharness"].as_str().unwrap_or("(unknown)"),
            format.map_or_else(|| "(none)".to_owned(), |f| f.to_string()),
            env!("CARGO_PKG_VERSION")
        )));
    }
    let manifest: Manifest = serde_json::from_value(raw)
        .map_err(|e| bad(file, &format!("its manifest cannot be read ({e})")))?;
    install_native(&dir, cache_dir);
    suite_of(manifest, file, &dir)
}

fn bad(file: &Path, why: &str) -> crate::Error {
    crate::Error::usage(format!(
        "archive {} is not a complete xharness archive: {why}; it may be truncated or damaged: copy it again, or build it again with `xharness archive`",
        file.display()
    ))
}

/// Unpack into a fresh folder beside `dir`, then rename it into place; a
/// run that got there first wins, and its copy is used.
fn unpack(file: &Path, bytes: &[u8], parent: &Path, dir: &Path) -> crate::Result<()> {
    std::fs::create_dir_all(parent)
        .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    let tmp = tempfile::Builder::new()
        .prefix("unpack-")
        .tempdir_in(parent)
        .map_err(|e| format!("cannot create a folder in {}: {e}", parent.display()))?;
    let decoder = zstd::Decoder::new(bytes).map_err(|e| bad(file, &e.to_string()))?;
    let mut archive = tar::Archive::new(decoder);
    archive
        .unpack(tmp.path())
        .map_err(|e| bad(file, &format!("unpacking failed ({e})")))?;
    if !tmp.path().join("manifest.json").is_file() {
        return Err(bad(file, "it has no manifest.json"));
    }
    let kept = tmp.keep();
    if std::fs::rename(&kept, dir).is_err() {
        // Another run unpacked the same archive meanwhile.
        let _ = std::fs::remove_dir_all(&kept);
        if !dir.join("manifest.json").is_file() {
            return Err(format!("cannot move the unpacked archive to {}", dir.display()).into());
        }
    }
    Ok(())
}

/// Copy the archive's native code into the module cache, where workers
/// look for it; entries already there are kept.
fn install_native(dir: &Path, cache_dir: &Path) {
    let native = dir.join("native");
    for e in walkdir::WalkDir::new(&native).into_iter().flatten() {
        let Ok(rel) = e.path().strip_prefix(&native) else {
            continue;
        };
        let dest = cache_dir.join(rel);
        if e.file_type().is_file() && !dest.exists() {
            if let Some(p) = dest.parent() {
                let _ = std::fs::create_dir_all(p);
            }
            // Best effort: a missing entry only costs a native compile.
            let _ = std::fs::copy(e.path(), &dest);
        }
    }
}

fn suite_of(manifest: Manifest, file: &Path, dir: &Path) -> crate::Result<Suite> {
    let kind = match manifest.suite.kind.as_str() {
        "generic" => SuiteKind::Generic,
        "ghc-testsuite" => SuiteKind::GhcTestsuite,
        "wasi-testsuite" => SuiteKind::WasiTestsuite,
        "libtest" => SuiteKind::Libtest,
        other => return Err(bad(file, &format!("its suite kind `{other}` is unknown"))),
    };
    let mut cases = manifest.cases;
    for case in &mut cases {
        let src = dir.join(&case.source.src);
        let built = case.source.src.starts_with("modules") || case.source.src.starts_with("built");
        if built && !src.is_file() {
            return Err(bad(
                file,
                &format!(
                    "it lacks {} (the module of case {})",
                    case.source.src.display(),
                    case.name
                ),
            ));
        }
        case.source.src = src;
        for p in case.paths_mut() {
            *p = dir.join(&*p);
        }
    }
    let expectations = manifest
        .suite
        .expectations
        .iter()
        .map(|e| match e.split_once('=') {
            Some((engine, f)) => format!("{engine}={}", dir.join(f).display()),
            None => dir.join(e).display().to_string(),
        })
        .collect();
    Ok(Suite {
        name: manifest.suite.name,
        kind,
        file: manifest.suite.file,
        root: dir.join("tree/root"),
        toolchain: Toolchain::Archived,
        normalize: manifest.suite.normalize,
        cases,
        retries: manifest.suite.retries,
        warnings: Vec::new(),
        expectations,
        engine_keys: Vec::new(),
        derived: Vec::new(),
    })
}
