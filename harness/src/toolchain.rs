//! The compile stage: turn each case's source into a wasm module.
//!
//! A case's module is cached by content: the key is the SHA-256 of the
//! source bytes, the toolchain command with every placeholder but `{out}`
//! expanded, and the toolchain executable's identity (resolved path, size,
//! modification time; under `shell = true`, of `sh` and of the program the
//! command names). An unchanged case is never recompiled. External
//! commands run without a shell (quote-aware splitting) unless the suite
//! asks for one, in their own process group, which is killed whole after
//! every compile (so nothing it left in the background lives on), at the
//! timeout, and on Ctrl-C.
//!
//! The stage hands on an [`Artifact`]: where the module is on disk and the
//! hash of its bytes, never the bytes themselves, so the parent's memory
//! does not grow with the number or size of modules.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant, UNIX_EPOCH};

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

/// The compile stage for one suite.
pub struct Compiler {
    toolchain: Toolchain,
    root: PathBuf,
    suite_file: PathBuf,
    artifacts: PathBuf,
    identities: Mutex<HashMap<String, Result<String, String>>>,
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
        }
    }

    /// The case's module, from the cache or freshly compiled.
    pub fn module(&self, case: &Case) -> Result<Artifact, CompileFailure> {
        let source = std::fs::read(&case.src).map_err(|e| CompileFailure {
            summary: format!("cannot read source {}: {e}", case.src.display()),
            output: String::new(),
        })?;
        match &self.toolchain {
            Toolchain::BuiltinWasm => Ok(Artifact::of(case.src.clone(), &source)),
            Toolchain::BuiltinWat => self.wat(case, &source),
            Toolchain::Command {
                template,
                timeout,
                shell,
            } => self.external(case, &source, template, *timeout, *shell),
        }
    }

    /// WAT is translated in-process and the module kept in the artifact
    /// cache, keyed by the text's hash.
    fn wat(&self, case: &Case, source: &[u8]) -> Result<Artifact, CompileFailure> {
        let cached = self
            .artifacts
            .join(format!("wat-{}.wasm", hex::encode(Sha256::digest(source))));
        if let Ok(bytes) = std::fs::read(&cached) {
            return Ok(Artifact::of(cached, &bytes));
        }
        let wasm = wat::parse_bytes(source).map_err(|mut e| {
            e.set_path(&case.src);
            CompileFailure {
                summary: format!("invalid WAT in {}", case.src.display()),
                output: e.to_string(),
            }
        })?;
        xharness_atomic::write_cache(&cached, &wasm).map_err(|e| CompileFailure {
            summary: format!("cannot write {}: {e}", cached.display()),
            output: "set XHARNESS_CACHE_DIR or --cache-dir to a writable directory".into(),
        })?;
        Ok(Artifact::of(cached, &wasm))
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
        let vars = case.vars(&self.root);
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
        let key = cache_key(source, &keyed, &identity);
        let cached = self.artifacts.join(format!("{key}.wasm"));
        if let Ok(bytes) = std::fs::read(&cached) {
            return Ok(Artifact::of(cached, &bytes));
        }
        std::fs::create_dir_all(&self.artifacts)
            .map_err(|e| fail(format!("cannot create {}: {e}", self.artifacts.display())))?;
        let work = tempfile::Builder::new()
            .prefix("compile-")
            .tempdir_in(&self.artifacts)
            .map_err(|e| {
                fail(format!(
                    "cannot create a temp dir in {}: {e}",
                    self.artifacts.display()
                ))
            })?;
        let out = work.path().join(format!("{}.wasm", case.stem));
        let expanded = xharness_suites::expand(template, &vars.with_out(&out))
            .map_err(|e| fail(e.to_string()))?;
        let argv = self.argv(&expanded, shell)?;
        run_compiler(&argv, &case.dir, timeout)?;
        let bytes = std::fs::read(&out).map_err(|e| CompileFailure {
            summary: format!("the toolchain succeeded but wrote no module at {{out}} ({e})"),
            output: format!(
                "command: {expanded}\ncheck that [toolchain] command in {} writes to {{out}}",
                self.suite_file.display()
            ),
        })?;
        // Atomic publish: rename within the same directory.
        match std::fs::rename(&out, &cached) {
            Ok(()) => Ok(Artifact::of(cached, &bytes)),
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

/// The program a shell command runs first: its first word that is not a
/// variable assignment (`CC=clang`) or a keyword like `exec`.
fn shell_program(command: &str) -> Option<String> {
    let words = shell_words::split(command).ok()?;
    words
        .into_iter()
        .find(|w| !w.contains('=') && !matches!(w.as_str(), "exec" | "env" | "command"))
        .filter(|w| which(w).is_some())
}

fn cache_key(source: &[u8], command: &str, identity: &str) -> String {
    let mut h = Sha256::new();
    h.update(Sha256::digest(source));
    h.update(command.as_bytes());
    h.update([0]);
    h.update(identity.as_bytes());
    hex::encode(h.finalize())
}

/// Resolved path, size and modification time of a program on PATH.
fn executable_identity(program: &str) -> Result<String, String> {
    let path = which(program).ok_or_else(|| {
        format!(
            "toolchain program `{program}` was not found on PATH; install it or fix the command"
        )
    })?;
    let real = std::fs::canonicalize(&path).unwrap_or(path);
    let meta =
        std::fs::metadata(&real).map_err(|e| format!("cannot stat {}: {e}", real.display()))?;
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .unwrap_or_default();
    Ok(format!(
        "{}:{}:{}",
        real.display(),
        meta.len(),
        mtime.as_nanos()
    ))
}

fn which(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        let p = PathBuf::from(program);
        return p.is_file().then_some(p);
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// Run the compiler in its own process group, killed whole when it has
/// finished (whatever it left running), at the timeout and on Ctrl-C.
fn run_compiler(argv: &[String], cwd: &Path, timeout: Duration) -> Result<(), CompileFailure> {
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..])
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    crate::sys::own_group_dying_with_parent(&mut cmd);
    let mut child = cmd.spawn().map_err(|e| CompileFailure {
        summary: format!("cannot start `{}`: {e}", argv[0]),
        output: String::new(),
    })?;
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) if crate::sys::interrupted() => break Err("was interrupted".to_string()),
            Ok(None) if start.elapsed() >= timeout => {
                break Err(format!("timed out after {:.1} s", timeout.as_secs_f64()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => break Err(format!("could not be waited for ({e})")),
        }
    };
    // The group goes in every case: a compiler's leftover background
    // processes would otherwise hold the output pipes open.
    crate::sys::kill_group(child.id());
    let status = match status {
        Ok(status) => status,
        Err(why) => {
            let _ = child.wait();
            return Err(CompileFailure {
                summary: format!("the toolchain {why} and was killed"),
                output: join_output(err, out),
            });
        }
    };
    let output = join_output(err, out);
    if status.success() {
        return Ok(());
    }
    let how = match status.code() {
        Some(code) => format!("exited with code {code}"),
        None => "was killed by a signal (crashed)".to_string(),
    };
    Err(CompileFailure {
        summary: format!("the toolchain {how}: {}", argv.join(" ")),
        output,
    })
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            // Keep at most 64 KiB of compiler output; read the rest to avoid blocking it.
            let _ = (&mut p).take(64 << 10).read_to_end(&mut buf);
            let _ = std::io::copy(&mut p, &mut std::io::sink());
        }
        buf
    })
}

fn join_output(
    err: std::thread::JoinHandle<Vec<u8>>,
    out: std::thread::JoinHandle<Vec<u8>>,
) -> String {
    let err = err.join().unwrap_or_default();
    let out = out.join().unwrap_or_default();
    let mut text = String::from_utf8_lossy(&err).into_owned();
    if !out.is_empty() {
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&String::from_utf8_lossy(&out));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shell_command_is_keyed_on_the_program_it_runs() {
        // `sh` is on every PATH this runs on; assignments and `exec` are skipped.
        assert_eq!(shell_program("CC=x exec sh -c true").as_deref(), Some("sh"));
        assert_eq!(shell_program("FOO=1 BAR=2").as_deref(), None);
        assert_eq!(shell_program("no-such-compiler-xyz {src}"), None);
    }
}
