//! The compile stage: turn each case's source into a wasm module.
//!
//! A case's module is cached by content: the key is the SHA-256 of the
//! source bytes, the toolchain command with every placeholder but `{out}`
//! expanded, and the toolchain executable's identity (resolved path, size,
//! modification time). An unchanged case is never recompiled. External
//! commands run without a shell (quote-aware splitting) unless the suite
//! asks for one, in their own process group, which is killed whole when
//! the compile times out.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant, UNIX_EPOCH};

use sha2::{Digest, Sha256};
use xharness_suites::{Case, Suite, Toolchain};

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

    /// The case's module bytes, from the cache or freshly compiled.
    pub fn module(&self, case: &Case) -> Result<Vec<u8>, CompileFailure> {
        let source = std::fs::read(&case.src).map_err(|e| CompileFailure {
            summary: format!("cannot read source {}: {e}", case.src.display()),
            output: String::new(),
        })?;
        match &self.toolchain {
            Toolchain::BuiltinWasm => Ok(source),
            Toolchain::BuiltinWat => {
                wat::parse_bytes(&source)
                    .map(|b| b.into_owned())
                    .map_err(|e| {
                        let mut e = e;
                        e.set_path(&case.src);
                        CompileFailure {
                            summary: format!("invalid WAT in {}", case.src.display()),
                            output: e.to_string(),
                        }
                    })
            }
            Toolchain::Command {
                template,
                timeout,
                shell,
            } => self.external(case, &source, template, *timeout, *shell),
        }
    }

    fn external(
        &self,
        case: &Case,
        source: &[u8],
        template: &str,
        timeout: Duration,
        shell: bool,
    ) -> Result<Vec<u8>, CompileFailure> {
        let fail = |summary: String| CompileFailure {
            summary,
            output: String::new(),
        };
        let vars = case.vars(&self.root);
        let keyed = xharness_suites::expand(template, &vars).map_err(|e| fail(e.to_string()))?;
        let argv = self.argv(&keyed, shell)?;
        let identity = self.identity(&argv[0])?;
        let key = cache_key(source, &keyed, &identity);
        let cached = self.artifacts.join(format!("{key}.wasm"));
        if let Ok(bytes) = std::fs::read(&cached) {
            return Ok(bytes);
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
        let _ = std::fs::rename(&out, &cached);
        Ok(bytes)
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

/// Run the compiler in its own process group; kill the group on timeout.
fn run_compiler(argv: &[String], cwd: &Path, timeout: Duration) -> Result<(), CompileFailure> {
    use std::os::unix::process::CommandExt;
    let mut child = Command::new(&argv[0])
        .args(&argv[1..])
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|e| CompileFailure {
            summary: format!("cannot start `{}`: {e}", argv[0]),
            output: String::new(),
        })?;
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if start.elapsed() >= timeout => break None,
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(_) => break None,
        }
    };
    let Some(status) = status else {
        kill_group(child.id());
        let _ = child.wait();
        return Err(CompileFailure {
            summary: format!(
                "the toolchain timed out after {:.1} s and was killed",
                timeout.as_secs_f64()
            ),
            output: join_output(err, out),
        });
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

fn kill_group(pid: u32) {
    if let Ok(pid) = i32::try_from(pid) {
        let _ = nix::sys::signal::killpg(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
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
