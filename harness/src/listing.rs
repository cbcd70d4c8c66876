//! The listing stage: for a `libtest` suite, find its test binaries (build
//! them with cargo, or match globs) and ask each for its tests, before any
//! test is scheduled.
//!
//! A binary's list is a fact about its bytes, so it is cached under the
//! module's SHA-256 (`CACHE/libtest-lists/SHA.json`): a warm re-run lists
//! nothing, and does not even hash a binary whose size and mtime it has
//! seen (`CACHE/libtest-lists/hashes/`). A cold one runs `--list` in the worker pool on every engine of
//! the run, one binary per thread: the first engine's answer is used, and
//! each engine has compiled (and cached) the module once before its tests
//! start, so no two workers compile one module at the same time.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use sha2::{Digest, Sha256};
use xharness_suites::libtest::{Binary, Listed, Source, cargo, listing};
use xharness_suites::{Definition, Suite};

use crate::worker::{Job, JobEnd, Pool, Watch};

/// A suite ready to run, and the hashes of the modules listing read.
pub struct Ready {
    /// The suite.
    pub suite: Suite,
    /// `(module path, SHA-256 hex)` of every binary listed, so the run
    /// does not read and hash them again (see `Options::known_modules`).
    pub module_hashes: Vec<(PathBuf, String)>,
}

/// A definition made ready to run: a libtest plan is built and listed.
/// `source` (from `--cargo` / `--binaries`) replaces the plan's own.
pub fn ready(
    definition: Definition,
    source: Option<Source>,
    engines: &[String],
    pool: &Pool,
    cache_dir: &Path,
    jobs: usize,
    cargo: &std::ffi::OsStr,
) -> crate::Result<Ready> {
    let plan = match definition {
        Definition::Suite(mut suite) => {
            write_derived(&mut suite, cache_dir)?;
            return Ok(Ready {
                suite,
                module_hashes: Vec::new(),
            });
        }
        Definition::Libtest(plan) => match source {
            Some(s) => plan.with_source(s),
            None => plan,
        },
    };
    let (binaries, mut warnings) = match &plan.source {
        Source::Cargo(args) => (build_with_cargo(cargo, &plan.root, args)?, Vec::new()),
        Source::Binaries(globs) => plan.glob_binaries(globs).map_err(|e| e.to_string())?,
    };
    let lister = Lister {
        engines,
        pool,
        cache_dir,
        watch: Watch {
            timeout: plan.timeout.max(Duration::from_secs(60)),
            max_rss: plan
                .max_memory
                .saturating_add(crate::session::DEFAULT_RSS_MARGIN),
        },
        warnings: Mutex::new(Vec::new()),
    };
    let listed = lister.list_all(binaries, jobs)?;
    warnings.extend(lister.warnings.into_inner().unwrap_or_default());
    let module_hashes = listed
        .iter()
        .map(|(b, (sha, _))| (b.path.clone(), sha.clone()))
        .collect();
    let listed = listed
        .into_iter()
        .map(|(b, (_, tests))| (b, tests))
        .collect();
    let suite = plan.suite(listed, warnings).map_err(|e| e.to_string())?;
    Ok(Ready {
        suite,
        module_hashes,
    })
}

/// Write the files the suite derives from its data (a WASI spec's
/// inline expected output) under `CACHE/derived`, once per content, and
/// point the cases at them. A file already there with the same bytes is
/// left alone, so concurrent runs share it.
fn write_derived(suite: &mut xharness_suites::Suite, cache_dir: &Path) -> crate::Result<()> {
    for file in suite.place_derived(&cache_dir.join("derived")) {
        if std::fs::read(&file.path).is_ok_and(|have| have == file.text.as_bytes()) {
            continue;
        }
        xharness_atomic::write_cache(&file.path, file.text.as_bytes())
            .map_err(|e| crate::Error::io("write the derived golden", &file.path, e))?;
    }
    Ok(())
}

/// Run `cargo test --target wasm32-wasip1 --no-run --message-format=json
/// ARGS` in `root`; its progress goes to our stderr.
fn build_with_cargo(
    cargo: &std::ffi::OsStr,
    root: &Path,
    args: &[String],
) -> crate::Result<Vec<Binary>> {
    let argv = cargo::command(args);
    let shown = format!("cargo {}", argv.join(" "));
    let output = Command::new(cargo)
        .args(&argv)
        .current_dir(root)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| {
            let message = format!(
                "cannot start `{shown}` in {}: {e}; is cargo on PATH?",
                root.display()
            );
            match e.kind() {
                std::io::ErrorKind::NotFound => crate::Error::NotFound {
                    program: cargo.to_string_lossy().into_owned(),
                    message,
                },
                _ => crate::Error::Internal(message),
            }
        })?;
    if !output.status.success() {
        return Err(format!(
            "`{shown}` failed in {} ({}); its messages are above. If the target is missing: `rustup target add wasm32-wasip1`",
            root.display(),
            output.status
        ).into());
    }
    let binaries = cargo::binaries_from_messages(&String::from_utf8_lossy(&output.stdout));
    if binaries.is_empty() {
        return Err(format!(
            "`{shown}` in {} built no test binary; is it a crate with tests?",
            root.display()
        )
        .into());
    }
    Ok(binaries)
}

/// One binary's module hash and tests.
type HashAndTests = (String, Vec<Listed>);

/// One binary's module hash and tests, or why they could not be listed.
type Listing = crate::Result<HashAndTests>;

struct Lister<'a> {
    engines: &'a [String],
    pool: &'a Pool,
    cache_dir: &'a Path,
    watch: Watch,
    warnings: Mutex<Vec<String>>,
}

impl Lister<'_> {
    /// Every binary's tests, in the binaries' order; `jobs` binaries at once.
    fn list_all(
        &self,
        binaries: Vec<Binary>,
        jobs: usize,
    ) -> crate::Result<Vec<(Binary, HashAndTests)>> {
        let next = std::sync::atomic::AtomicUsize::new(0);
        let slots: Vec<Mutex<Option<Listing>>> =
            binaries.iter().map(|_| Mutex::new(None)).collect();
        std::thread::scope(|s| {
            for _ in 0..jobs.clamp(1, binaries.len().max(1)) {
                s.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(b) = binaries.get(i) else { return };
                        let listed = self.list(b);
                        if let Ok(mut slot) = slots[i].lock() {
                            *slot = Some(listed);
                        }
                    }
                });
            }
        });
        let mut out = Vec::with_capacity(binaries.len());
        for (b, slot) in binaries.into_iter().zip(slots) {
            let listed = slot
                .into_inner()
                .ok()
                .flatten()
                .unwrap_or_else(|| Err(format!("{}: not listed", b.path.display()).into()))?;
            out.push((b, listed));
        }
        Ok(out)
    }

    /// One binary's hash and tests, from the cache or by running it.
    fn list(&self, binary: &Binary) -> Listing {
        let sha = self.hash(&binary.path)?;
        let cached = self
            .cache_dir
            .join("libtest-lists")
            .join(format!("{sha}.json"));
        if let Some(tests) = std::fs::read(&cached)
            .ok()
            .and_then(|b| serde_json::from_slice::<Vec<Listed>>(&b).ok())
        {
            return Ok((sha, tests));
        }
        let mut first: Option<Vec<Listed>> = None;
        for engine in self.engines {
            let tests = self.list_on(binary, &sha, engine)?;
            match &first {
                None => first = Some(tests),
                Some(f) if *f != tests => self.warn(format!(
                    "{}: {engine} lists other tests than {}; using {}'s list",
                    binary.path.display(),
                    self.engines[0],
                    self.engines[0]
                )),
                Some(_) => {}
            }
        }
        let tests = first.unwrap_or_default();
        if let Ok(json) = serde_json::to_vec(&tests) {
            // Best effort: an unwritable cache only costs listing again.
            let _ = xharness_atomic::write_cache(&cached, &json);
        }
        Ok((sha, tests))
    }

    /// The SHA-256 of a binary. Hashing a test binary of tens of MB costs
    /// more than running a small crate's tests, so the hash is remembered
    /// with the file's size and modification time (to the nanosecond, as
    /// cargo itself trusts mtimes) and read again only when they change.
    fn hash(&self, path: &Path) -> crate::Result<String> {
        let unreadable =
            |e: std::io::Error| format!("cannot read test binary {}: {e}", path.display());
        let meta = std::fs::metadata(path).map_err(unreadable)?;
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        let stamp = format!("{} {} {modified}", path.display(), meta.len());
        let memo = self
            .cache_dir
            .join("libtest-lists")
            .join("hashes")
            .join(hex::encode(Sha256::digest(stamp.as_bytes())));
        if let Ok(sha) = std::fs::read_to_string(&memo)
            && sha.len() == 64
        {
            return Ok(sha);
        }
        let bytes = std::fs::read(path).map_err(unreadable)?;
        let sha = hex::encode(Sha256::digest(&bytes));
        // Best effort, like every cache entry.
        let _ = xharness_atomic::write_cache(&memo, sha.as_bytes());
        Ok(sha)
    }

    /// List on one engine: JSON if this libtest offers it, else terse.
    fn list_on(&self, binary: &Binary, sha: &str, engine: &str) -> crate::Result<Vec<Listed>> {
        let env = vec![(
            listing::JSON_ENV.0.to_owned(),
            listing::JSON_ENV.1.to_owned(),
        )];
        if let Some(tests) = self
            .run(binary, sha, engine, &listing::JSON_ARGS, env)
            .ok()
            .and_then(|out| listing::parse_json(&out))
        {
            return Ok(tests);
        }
        let all = self.run(binary, sha, engine, &listing::TERSE_ARGS, Vec::new())?;
        let ignored = self.run(
            binary,
            sha,
            engine,
            &listing::TERSE_IGNORED_ARGS,
            Vec::new(),
        )?;
        Ok(listing::parse_terse(&all, &ignored))
    }

    /// Run the binary with `args`; its stdout when it exits 0.
    fn run(
        &self,
        binary: &Binary,
        sha: &str,
        engine: &str,
        args: &[&str],
        env: Vec<(String, String)>,
    ) -> crate::Result<String> {
        let program = binary
            .path
            .file_name()
            .map_or_else(|| "test.wasm".into(), |n| n.to_string_lossy().into_owned());
        let mut argv = vec![program];
        argv.extend(args.iter().map(|a| (*a).to_owned()));
        let job = Job {
            engine: engine.to_owned(),
            wasm: binary.path.clone(),
            wasm_sha256: sha.to_owned(),
            cache_dir: self.cache_dir.to_path_buf(),
            argv,
            env,
            preopens: Vec::new(),
            max_memory: 1 << 30,
            output_cap: 256 << 20,
            native: Vec::new(),
            combine_output: false,
            count_instructions: false,
        };
        let failed = |why: String| {
            format!(
                "cannot list the tests of {} on {engine} (`{}`): {why}",
                binary.path.display(),
                args.join(" ")
            )
        };
        match self.pool.run(&job, &[], self.watch) {
            JobEnd::Finished(o) => match o.status {
                xharness_engines::Status::Exited(0) => {
                    Ok(String::from_utf8_lossy(&o.stdout.bytes).into_owned())
                }
                other => Err(crate::Error::config(failed(format!(
                    "{other}\n{}",
                    String::from_utf8_lossy(&o.stderr.bytes)
                )))),
            },
            JobEnd::Rejected(why) => Err(crate::Error::config(failed(format!(
                "the engine rejected the module: {why}; is it a wasm32-wasip1 test binary?"
            )))),
            JobEnd::NoEngine(why) => Err(crate::Error::config(failed(why))),
            JobEnd::Killed { why, .. } => {
                Err(crate::Error::config(failed(format!("killed ({why:?})"))))
            }
            JobEnd::Crashed { message, .. } => Err(crate::Error::config(failed(message))),
        }
    }

    fn warn(&self, message: String) {
        if let Ok(mut w) = self.warnings.lock() {
            w.push(message);
        }
    }
}
