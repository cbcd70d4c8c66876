//! The compile stage: turn each case's source into a wasm module.
//!
//! A case's module is cached by content: the key is the SHA-256 of the
//! source bytes (and of every input file the case copies into its private
//! compile directory, with their names), the toolchain command with every placeholder but `{out}`
//! expanded, and the toolchain executable's identity (resolved path, size,
//! modification time; under `shell = true`, of `sh` and of the program the
//! command names). An unchanged case is never recompiled. External
//! commands run without a shell (quote-aware splitting) unless the suite
//! asks for one, in their own process group, which is killed whole after
//! every compile (so nothing it left in the background lives on), at the
//! timeout, and on Ctrl-C.
//!
//! Compile-only cases (`compile`, `compile_fail`) are judged on how the
//! compile ended: [`Compiler::compile_only`] returns a [`CompileRun`]
//! (cached too, when the compiler exited by itself) instead of a module.
//!
//! A suite from an archive (`Toolchain::Archived`) compiles nothing: a
//! case's source is its module, or the record of how its compile ended.
//!
//! - `key`: what a compile is keyed on (pure).
//! - `note`: the hash of a cached module, noted beside it.
//! - `spawn`: running the command in its own process group.
//! - `archived`: the compile records of an archive's cases.
//!
//! The stage hands on an [`Artifact`]: where the module is on disk and the
//! hash of its bytes, never the bytes themselves, so the parent's memory
//! does not grow with the number or size of modules. The hash of a cached
//! module is noted beside it (`KEY.sha256`), so a warm run reads no module
//! at all.

pub mod archived;
mod key;
mod note;
mod spawn;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use key::{
    cache_key, compile_record, executable_identity, inputs_digest, read_compile_record,
    shell_program, src_in_work_dir,
};
use spawn::{run_compiler, run_compiler_raw};

use sha2::{Digest, Sha256};
use xharness_suites::{Case, Suite, Toolchain};

/// A compiled case: the module on disk and the SHA-256 of its bytes.
#[derive(Debug, Clone)]
pub struct Artifact {
    /// The module file (a cache entry, or the case's own `.wasm` source).
    pub path: PathBuf,
    /// SHA-256 of the module's bytes, hex.
    pub sha256: String,
}

impl Artifact {
    fn of(path: PathBuf, bytes: &[u8]) -> Self {
        Artifact {
            path,
            sha256: hex::encode(Sha256::digest(bytes)),
        }
    }
}

/// Why a case has no module.
#[derive(Debug, Clone)]
pub struct CompileFailure {
    /// One line: what failed.
    pub summary: String,
    /// The compiler's output (stderr, then stdout) or other detail.
    pub output: String,
}

/// How the compile of a compile-only case ended.
#[derive(Debug, Clone)]
pub struct CompileRun {
    /// The compiler's exit code (`None`: killed by a signal).
    pub exit_code: Option<i32>,
    /// Whether it succeeded.
    pub ok: bool,
    /// What it printed: stdout, then stderr.
    pub output: Vec<u8>,
}

impl CompileRun {
    /// A compile that succeeded and printed nothing.
    pub fn succeeded() -> Self {
        CompileRun {
            exit_code: Some(0),
            ok: true,
            output: Vec::new(),
        }
    }
}

/// The compile stage for one suite.
pub struct Compiler {
    toolchain: Toolchain,
    root: PathBuf,
    suite_file: PathBuf,
    artifacts: PathBuf,
    identities: Mutex<HashMap<String, Result<String, String>>>,
    /// Binary modules used as they are, hashed once however many cases
    /// share one (every test of a libtest binary).
    binaries: Mutex<HashMap<PathBuf, Artifact>>,
}

impl Compiler {
    /// A compile stage for `suite` keeping modules under `cache_dir/artifacts`.
    pub fn new(suite: &Suite, cache_dir: &Path) -> Self {
        Compiler {
            toolchain: suite.toolchain.clone(),
            root: suite.root.clone(),
            suite_file: suite.file.clone(),
            artifacts: cache_dir.join("artifacts"),
            identities: Mutex::new(HashMap::new()),
            binaries: Mutex::new(HashMap::new()),
        }
    }

    /// The same stage, taking these `(path, SHA-256 hex)` of binary
    /// modules as known.
    pub fn knowing(self, modules: &[(PathBuf, String)]) -> Self {
        let mut memo = self.binaries.lock().unwrap_or_else(PoisonError::into_inner);
        for (path, sha) in modules {
            let artifact = Artifact {
                path: path.clone(),
                sha256: sha.clone(),
            };
            memo.insert(path.clone(), artifact);
        }
        drop(memo);
        self
    }

    /// The case's module, from the cache or freshly compiled.
    pub fn module(&self, case: &Case) -> Result<Artifact, CompileFailure> {
        match self.toolchain {
            Toolchain::BuiltinWasm => return self.binary(case),
            Toolchain::Archived => return self.archived(case).and_then(|_| self.binary(case)),
            _ => {}
        }
        let source = std::fs::read(&case.source.src).map_err(|e| CompileFailure {
            summary: format!("cannot read source {}: {e}", case.source.src.display()),
            output: String::new(),
        })?;
        match &self.toolchain {
            Toolchain::BuiltinWasm | Toolchain::Archived => {
                Ok(Artifact::of(case.source.src.clone(), &source))
            }
            Toolchain::BuiltinWat => self.wat(case, &source),
            Toolchain::Command {
                template,
                timeout,
                shell,
            } => self.external(case, &source, template, *timeout, *shell),
        }
    }

    /// A binary module used as is: read and hashed on its first use.
    fn binary(&self, case: &Case) -> Result<Artifact, CompileFailure> {
        let memo = |m: &Mutex<HashMap<PathBuf, Artifact>>| {
            m.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(&case.source.src)
                .cloned()
        };
        if let Some(a) = memo(&self.binaries) {
            return Ok(a);
        }
        let source = std::fs::read(&case.source.src).map_err(|e| CompileFailure {
            summary: format!("cannot read module {}: {e}", case.source.src.display()),
            output: String::new(),
        })?;
        let artifact = Artifact::of(case.source.src.clone(), &source);
        self.binaries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(case.source.src.clone(), artifact.clone());
        Ok(artifact)
    }

    /// A case of an archive: `Some` record of how its compile ended, or
    /// `None` for a module; a failed compile is the error it was.
    fn archived(&self, case: &Case) -> Result<Option<CompileRun>, CompileFailure> {
        if case.source.src.extension().is_some_and(|e| e == "wasm") {
            return Ok(None);
        }
        let record = archived::read_built(&case.source.src).map_err(|e| CompileFailure {
            summary: e,
            output: String::new(),
        })?;
        match record {
            Ok(run) => Ok(Some(run)),
            Err((summary, output)) => Err(CompileFailure { summary, output }),
        }
    }

    /// Compile a compile-only case and say how the compiler ended.
    pub fn compile_only(&self, case: &Case) -> Result<CompileRun, CompileFailure> {
        if self.toolchain == Toolchain::Archived {
            return self.archived(case)?.ok_or_else(|| CompileFailure {
                summary: format!(
                    "the archive holds a module for {}, not the compile's record",
                    case.name
                ),
                output: String::new(),
            });
        }
        let source = std::fs::read(&case.source.src).map_err(|e| CompileFailure {
            summary: format!("cannot read source {}: {e}", case.source.src.display()),
            output: String::new(),
        })?;
        let ran = |r: Result<Artifact, CompileFailure>| match r {
            Ok(_) => CompileRun {
                exit_code: Some(0),
                ok: true,
                output: Vec::new(),
            },
            Err(f) => CompileRun {
                exit_code: Some(1),
                ok: false,
                output: f.output.into_bytes(),
            },
        };
        match &self.toolchain {
            Toolchain::BuiltinWasm | Toolchain::Archived => {
                Ok(ran(Ok(Artifact::of(case.source.src.clone(), &source))))
            }
            Toolchain::BuiltinWat => Ok(ran(self.wat(case, &source))),
            Toolchain::Command {
                template,
                timeout,
                shell,
            } => {
                let prepared = self.prepare(case, &source, template, *shell)?;
                let record = self.artifacts.join(format!("{}.compile", prepared.key));
                if let Some(run) = read_compile_record(&record) {
                    return Ok(run);
                }
                let work = self.work_dir()?;
                let out = work.path().join(format!("{}.wasm", case.source.stem));
                let cwd = self.stage_inputs(case, work.path())?;
                let argv = self.command(case, template, *shell, &out)?;
                let (status, output) = run_compiler_raw(&argv, &cwd, *timeout)?;
                let run = CompileRun {
                    exit_code: status.code(),
                    ok: status.success(),
                    output,
                };
                if run.exit_code.is_some() {
                    // Best effort: an unwritable cache only costs a recompile.
                    let _ = xharness_atomic::write_cache(&record, &compile_record(&run));
                }
                Ok(run)
            }
        }
    }

    /// Compile `case` in `dir` as it stands now (a `pre_cmd` may have
    /// written files there), uncached: how the compiler ended and, for a
    /// case that runs, its module (kept in the artifact cache by content).
    pub fn compile_in(
        &self,
        case: &Case,
        dir: &Path,
    ) -> Result<(CompileRun, Option<Artifact>), CompileFailure> {
        let Toolchain::Command {
            template,
            timeout,
            shell,
        } = &self.toolchain
        else {
            // Built-in toolchains read only the source: nothing to redo.
            if case.expect.mode.compile_only() {
                return self.compile_only(case).map(|run| (run, None));
            }
            return self
                .module(case)
                .map(|a| (CompileRun::succeeded(), Some(a)));
        };
        let out = dir.join(format!("{}.wasm", case.source.stem));
        let argv = self.command(case, template, *shell, &out)?;
        let (status, output) = run_compiler_raw(&argv, dir, *timeout)?;
        let run = CompileRun {
            exit_code: status.code(),
            ok: status.success(),
            output,
        };
        if !run.ok || case.expect.mode.compile_only() {
            return Ok((run, None));
        }
        let bytes = std::fs::read(&out).map_err(|e| CompileFailure {
            summary: format!("the toolchain succeeded but wrote no module at {{out}} ({e})"),
            output: format!("command: {}", argv.join(" ")),
        })?;
        let built = Artifact::of(out, &bytes);
        let kept = self.artifacts.join(format!("built-{}.wasm", built.sha256));
        std::fs::create_dir_all(&self.artifacts)
            .and_then(|()| xharness_atomic::write_cache(&kept, &bytes))
            .map_err(|e| CompileFailure {
                summary: format!("cannot store the module at {}: {e}", kept.display()),
                output: String::new(),
            })?;
        Ok((
            run,
            Some(Artifact {
                path: kept,
                sha256: built.sha256,
            }),
        ))
    }

    /// The cache key and keyed command of an external compile.
    fn prepare(
        &self,
        case: &Case,
        source: &[u8],
        template: &str,
        shell: bool,
    ) -> Result<Prepared, CompileFailure> {
        let fail = |summary: String| CompileFailure {
            summary,
            output: String::new(),
        };
        // With inputs the compile runs on copies: key on their names, not
        // on where this checkout happens to be.
        let src_name = src_in_work_dir(case);
        let mut vars = case.vars(&self.root);
        if let Some(name) = &src_name {
            vars.src = Path::new(name.as_str());
        }
        let keyed = xharness_suites::expand(template, &vars).map_err(|e| fail(e.to_string()))?;
        let argv = self.argv(&keyed, shell)?;
        let mut identity = self.identity(&argv[0])?;
        if shell {
            // `sh` alone says nothing about the compiler: key on the
            // program the command runs too.
            if let Some(program) = shell_program(&keyed) {
                identity.push('|');
                identity.push_str(&self.identity(&program)?);
            }
        }
        let inputs = inputs_digest(case)?;
        Ok(Prepared {
            key: cache_key(source, &format!("{keyed}\0{inputs}"), &identity),
        })
    }

    /// A fresh directory to compile in, under the artifact cache (so the
    /// module can be renamed into place).
    fn work_dir(&self) -> Result<tempfile::TempDir, CompileFailure> {
        let fail = |summary: String| CompileFailure {
            summary,
            output: String::new(),
        };
        std::fs::create_dir_all(&self.artifacts)
            .map_err(|e| fail(format!("cannot create {}: {e}", self.artifacts.display())))?;
        tempfile::Builder::new()
            .prefix("compile-")
            .tempdir_in(&self.artifacts)
            .map_err(|e| {
                fail(format!(
                    "cannot create a temp dir in {}: {e}",
                    self.artifacts.display()
                ))
            })
    }

    /// Copy the case's inputs into `work/src` and return the directory
    /// the compiler runs in: that one, or the case's own folder when it
    /// has no inputs.
    fn stage_inputs(&self, case: &Case, work: &Path) -> Result<PathBuf, CompileFailure> {
        if case.inputs().is_empty() {
            return Ok(case.source.dir.clone());
        }
        let dir = work.join("src");
        crate::scratch::copy_inputs(case.inputs(), &dir).map_err(|summary| CompileFailure {
            summary: summary.to_string(),
            output: String::new(),
        })?;
        Ok(dir)
    }

    /// The compile command for `case`, writing to `out`, with `{src}` the
    /// copy's name when the case has inputs.
    fn command(
        &self,
        case: &Case,
        template: &str,
        shell: bool,
        out: &Path,
    ) -> Result<Vec<String>, CompileFailure> {
        // The compiler runs beside the copies: name the source
        // relatively, as GHC's driver does, so messages are the same on
        // every machine.
        let src = src_in_work_dir(case).map(PathBuf::from);
        let mut vars = case.vars(&self.root).with_out(out);
        if let Some(src) = &src {
            vars.src = src;
        }
        let expanded = xharness_suites::expand(template, &vars).map_err(|e| CompileFailure {
            summary: e.to_string(),
            output: String::new(),
        })?;
        self.argv(&expanded, shell)
    }

    /// WAT is translated in-process and the module kept in the artifact
    /// cache, keyed by the text's hash.
    fn wat(&self, case: &Case, source: &[u8]) -> Result<Artifact, CompileFailure> {
        let cached = self
            .artifacts
            .join(format!("wat-{}.wasm", hex::encode(Sha256::digest(source))));
        if let Some(artifact) = Artifact::cached(cached.clone()) {
            return Ok(artifact);
        }
        let wasm = wat::parse_bytes(source).map_err(|mut e| {
            e.set_path(&case.source.src);
            CompileFailure {
                summary: format!("invalid WAT in {}", case.source.src.display()),
                output: e.to_string(),
            }
        })?;
        xharness_atomic::write_cache(&cached, &wasm).map_err(|e| CompileFailure {
            summary: format!("cannot write {}: {e}", cached.display()),
            output: "set XHARNESS_CACHE_DIR or --cache-dir to a writable directory".into(),
        })?;
        Ok(Artifact::stored(cached, &wasm))
    }

    fn external(
        &self,
        case: &Case,
        source: &[u8],
        template: &str,
        timeout: Duration,
        shell: bool,
    ) -> Result<Artifact, CompileFailure> {
        let fail = |summary: String| CompileFailure {
            summary,
            output: String::new(),
        };
        let key = self.prepare(case, source, template, shell)?.key;
        let cached = self.artifacts.join(format!("{key}.wasm"));
        if let Some(artifact) = Artifact::cached(cached.clone()) {
            return Ok(artifact);
        }
        let work = self.work_dir()?;
        let out = work.path().join(format!("{}.wasm", case.source.stem));
        let cwd = self.stage_inputs(case, work.path())?;
        let argv = self.command(case, template, shell, &out)?;
        run_compiler(&argv, &cwd, timeout)?;
        let bytes = std::fs::read(&out).map_err(|e| CompileFailure {
            summary: format!("the toolchain succeeded but wrote no module at {{out}} ({e})"),
            output: format!(
                "command: {}\ncheck that [toolchain] command in {} writes to {{out}}",
                argv.join(" "),
                self.suite_file.display()
            ),
        })?;
        // Atomic publish: rename within the same directory.
        match std::fs::rename(&out, &cached) {
            Ok(()) => Ok(Artifact::stored(cached, &bytes)),
            Err(e) => Err(fail(format!(
                "cannot store the module at {}: {e}",
                cached.display()
            ))),
        }
    }

    fn argv(&self, command: &str, shell: bool) -> Result<Vec<String>, CompileFailure> {
        if shell {
            return Ok(vec!["sh".into(), "-c".into(), command.into()]);
        }
        let argv = shell_words::split(command).map_err(|e| CompileFailure {
            summary: format!(
                "cannot split the toolchain command ({e}); fix the quoting of [toolchain] command in {} or set shell = true",
                self.suite_file.display()
            ),
            output: command.into(),
        })?;
        if argv.is_empty() {
            return Err(CompileFailure {
                summary: format!(
                    "[toolchain] command in {} is empty",
                    self.suite_file.display()
                ),
                output: String::new(),
            });
        }
        Ok(argv)
    }

    /// The executable's identity, memoised per program name.
    fn identity(&self, program: &str) -> Result<String, CompileFailure> {
        let mut ids = self.identities.lock().unwrap_or_else(|e| e.into_inner());
        let id = ids
            .entry(program.to_string())
            .or_insert_with(|| executable_identity(program));
        id.clone().map_err(|summary| CompileFailure {
            summary: format!(
                "{summary} (from [toolchain] command in {})",
                self.suite_file.display()
            ),
            output: String::new(),
        })
    }
}

/// What [`Compiler::prepare`] works out.
struct Prepared {
    key: String,
}
