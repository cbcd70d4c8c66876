//! Writing an archive: compile every selected case (on all cores), gather
//! the files the cases name, rewrite their paths, and write the entries in
//! path order into one zstd-compressed tar.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use xharness_engines::Engine;
use xharness_engines::cache::ModuleCache;
use xharness_suites::{Case, Suite};

use super::{FORMAT, Manifest, SuiteInfo, archived};
use crate::toolchain::archived::Built;
use crate::toolchain::{Artifact, CompileFailure, Compiler};

/// zstd level: a good ratio at a speed that suits thousands of modules.
const LEVEL: i32 = 9;

/// What `write` wrote.
#[derive(Debug)]
pub struct Written {
    /// Cases in the archive.
    pub cases: usize,
    /// Distinct modules stored.
    pub modules: usize,
    /// Cases that did not compile (kept, so the run reports them).
    pub not_compiled: usize,
    /// Entries in all.
    pub entries: usize,
    /// Size of the archive file.
    pub bytes: u64,
}

/// One entry's content: bytes made here, or a file copied as it is.
enum Entry {
    Bytes(Vec<u8>),
    File { host: PathBuf, executable: bool },
}

/// What goes into an archive and how it is built.
pub struct Build<'a> {
    /// The suite, discovered.
    pub suite: &'a Suite,
    /// The cases to archive.
    pub cases: &'a [&'a Case],
    /// The engines the archive is for (a case skipped on all is not built).
    pub engines: &'a [String],
    /// The suite's compile stage.
    pub compiler: &'a Compiler,
    /// Compiles at once.
    pub jobs: usize,
    /// Engines whose native code to store too, through the module cache
    /// in `cache_dir`.
    pub precompile: &'a [Arc<dyn Engine>],
    /// The cache folder.
    pub cache_dir: &'a Path,
}

/// Compile the cases and write the archive to `out` (a temp file renamed
/// into place).
pub fn write(build: &Build, out: &Path) -> crate::Result<Written> {
    let Build {
        suite,
        cases,
        engines,
        compiler,
        jobs,
        precompile,
        cache_dir,
    } = *build;
    let built = compile_all(cases, engines, compiler, jobs);
    let mut entries: BTreeMap<PathBuf, Entry> = BTreeMap::new();
    let mut manifest_cases = Vec::with_capacity(cases.len());
    let mut modules: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut not_compiled = 0;
    for (i, (case, result)) in cases.iter().zip(built).enumerate() {
        let mut case = (*case).clone();
        let src = match result {
            Compiled::Module(a) => {
                let name = PathBuf::from(format!("modules/{}.wasm", a.sha256));
                modules.insert(a.sha256.clone(), a.path.clone());
                entries.insert(
                    name.clone(),
                    Entry::File {
                        host: a.path,
                        executable: false,
                    },
                );
                name
            }
            Compiled::Record(record) => {
                not_compiled += usize::from(matches!(record, Built::Failed { .. }));
                let name = PathBuf::from(format!("built/{i}.json"));
                let json = serde_json::to_vec_pretty(&record)
                    .map_err(|e| format!("cannot write a compile record: {e}"))?;
                entries.insert(name.clone(), Entry::Bytes(json));
                name
            }
            Compiled::Nothing => {
                let src = case.source.src.clone();
                add_tree(&mut entries, &src, &suite.root);
                archived(&src, &suite.root)
            }
        };
        case.source.src = src;
        for p in case.paths_mut() {
            add_tree(&mut entries, p, &suite.root);
            *p = archived(p, &suite.root);
        }
        manifest_cases.push(case);
    }
    let expectations = suite
        .expectations
        .iter()
        .map(|e| {
            let (engine, file) = match e.split_once('=') {
                Some((engine, file)) => (Some(engine), file),
                None => (None, e.as_str()),
            };
            let host = Path::new(file);
            add_tree(&mut entries, host, &suite.root);
            let moved = archived(host, &suite.root).display().to_string();
            engine.map_or(moved.clone(), |engine| format!("{engine}={moved}"))
        })
        .collect();
    let mut precompiled = Vec::new();
    for engine in precompile {
        add_native(&mut entries, engine.as_ref(), &modules, cache_dir)?;
        precompiled.push(engine.name().to_owned());
    }
    let manifest = Manifest {
        format: FORMAT,
        xharness: env!("CARGO_PKG_VERSION").to_owned(),
        suite: SuiteInfo {
            name: suite.name.clone(),
            kind: suite.kind.as_str().to_owned(),
            file: suite.file.clone(),
            normalize: suite.normalize.clone(),
            retries: suite.retries,
            expectations,
        },
        cases: manifest_cases,
        precompiled,
    };
    let json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| format!("cannot write the archive's manifest: {e}"))?;
    entries.insert(PathBuf::from("manifest.json"), Entry::Bytes(json));
    let count = entries.len();
    let bytes = write_tar_zst(&entries, out)?;
    Ok(Written {
        cases: cases.len(),
        modules: modules.len(),
        not_compiled,
        entries: count,
        bytes,
    })
}

/// How one case was built for the archive.
enum Compiled {
    Module(Artifact),
    Record(Built),
    /// Nothing to build: a shell test's command is the test, or the case
    /// is skipped on every engine.
    Nothing,
}

fn compile_all(
    cases: &[&Case],
    engines: &[String],
    compiler: &Compiler,
    jobs: usize,
) -> Vec<Compiled> {
    let next = AtomicUsize::new(0);
    let jobs = jobs.clamp(1, cases.len().max(1));
    let mut done: Vec<(usize, Compiled)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..jobs)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(case) = cases.get(i) else {
                            return mine;
                        };
                        mine.push((i, compile_one(case, engines, compiler)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, c)| c).collect()
}

fn compile_one(case: &Case, engines: &[String], compiler: &Compiler) -> Compiled {
    // A case skipped on every engine never runs: nothing to build.
    let skipped = engines.iter().all(|e| {
        matches!(
            case.expectation(e),
            Some(xharness_suites::Expectation::Skip(_))
        )
    });
    if skipped {
        return Compiled::Nothing;
    }
    let failed = |f: CompileFailure| {
        Compiled::Record(Built::Failed {
            summary: f.summary,
            output: f.output,
        })
    };
    match case.expect.mode {
        xharness_suites::Mode::Shell => Compiled::Nothing,
        m if m.compile_only() => match compiler.compile_only(case) {
            Ok(run) => Compiled::Record(Built::Compiled {
                exit_code: run.exit_code,
                ok: run.ok,
                output: String::from_utf8_lossy(&run.output).into_owned(),
            }),
            Err(f) => failed(f),
        },
        _ => match compiler.module(case) {
            Ok(a) => Compiled::Module(a),
            Err(f) => failed(f),
        },
    }
}

/// Add `path` (a file, or a directory's files) to the entries under its
/// archived name; a path that does not exist adds nothing (a missing
/// golden means "expected empty" there too). A folder holding
/// `CACHEDIR.TAG` (Cargo's `target/`) is left out.
fn add_tree(entries: &mut BTreeMap<PathBuf, Entry>, path: &Path, root: &Path) {
    if path.is_file() {
        entries.insert(archived(path, root), file_entry(path));
        return;
    }
    if !path.is_dir() {
        return;
    }
    let walk = walkdir::WalkDir::new(path)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !(e.file_type().is_dir() && e.path().join("CACHEDIR.TAG").exists()));
    for e in walk.flatten() {
        if e.file_type().is_file() {
            entries.insert(archived(e.path(), root), file_entry(e.path()));
        }
    }
}

fn file_entry(path: &Path) -> Entry {
    use std::os::unix::fs::PermissionsExt;
    let executable = std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0);
    Entry::File {
        host: path.to_path_buf(),
        executable,
    }
}

/// Native code of every module for `engine`, compiled through the module
/// cache and stored under `native/` as the cache lays it out.
fn add_native(
    entries: &mut BTreeMap<PathBuf, Entry>,
    engine: &dyn Engine,
    modules: &BTreeMap<String, PathBuf>,
    cache_dir: &Path,
) -> crate::Result<()> {
    if !engine.caches_native_code() {
        return Ok(());
    }
    let cache = ModuleCache::new(cache_dir);
    for path in modules.values() {
        let wasm = std::fs::read(path)
            .map_err(|e| format!("cannot read module {}: {e}", path.display()))?;
        cache.load_or_compile(engine, &wasm).map_err(|e| {
            format!(
                "{} cannot compile module {} to precompile it: {e}",
                engine.name(),
                path.display()
            )
        })?;
        let bin = cache.entry_path(engine, &wasm);
        for file in [bin.clone(), bin.with_extension("sum")] {
            let rel = file.strip_prefix(cache_dir).unwrap_or(&file);
            if file.is_file() {
                entries.insert(Path::new("native").join(rel), file_entry(&file));
            }
        }
    }
    Ok(())
}

/// Write the entries, in order, with fixed times, owners and modes.
fn write_tar_zst(entries: &BTreeMap<PathBuf, Entry>, out: &Path) -> crate::Result<u64> {
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let fail = |e: std::io::Error| format!("cannot write archive {}: {e}", out.display());
    let tmp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    let encoder = zstd::Encoder::new(tmp.as_file(), LEVEL).map_err(fail)?;
    let mut tar = tar::Builder::new(encoder);
    for (path, entry) in entries {
        let (data, mode) = match entry {
            Entry::Bytes(b) => (b.clone(), 0o644),
            Entry::File { host, executable } => (
                std::fs::read(host)
                    .map_err(|e| format!("cannot read {} into the archive: {e}", host.display()))?,
                if *executable { 0o755 } else { 0o644 },
            ),
        };
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(mode);
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, path, data.as_slice())
            .map_err(fail)?;
    }
    let mut encoder = tar.into_inner().map_err(fail)?;
    encoder.flush().map_err(fail)?;
    encoder.finish().map_err(fail)?;
    // A file to hand around (CI artifacts), not a private temp file.
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644))
            .map_err(fail)?;
    }
    tmp.persist(out)
        .map_err(|e| format!("cannot write archive {}: {}", out.display(), e.error))?;
    let bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    Ok(bytes)
}
