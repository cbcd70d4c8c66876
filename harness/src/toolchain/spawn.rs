//! Running a toolchain command: in its own process group, with its output
//! drained on threads (64 KiB kept per stream), killed whole when it ends,
//! at the timeout and on Ctrl-C. Knows nothing of cases or the cache.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::CompileFailure;
use crate::sys::Waited;

/// Run the compiler in its own process group, killed whole when it has
/// finished (whatever it left running), at the timeout and on Ctrl-C.
pub(super) fn run_compiler(
    argv: &[String],
    cwd: &Path,
    timeout: Duration,
) -> Result<(), CompileFailure> {
    let (status, output) = run_compiler_raw(argv, cwd, timeout)?;
    if status.success() {
        return Ok(());
    }
    let how = match status.code() {
        Some(code) => format!("exited with code {code}"),
        None => "was killed by a signal (crashed)".to_string(),
    };
    Err(CompileFailure {
        summary: format!("the toolchain {how}: {}", argv.join(" ")),
        output: String::from_utf8_lossy(&output).into_owned(),
    })
}

/// Run the compiler to its end: its status and output (stdout, then
/// stderr, as GHC's driver collects them), or why it did not end by itself.
pub(super) fn run_compiler_raw(
    argv: &[String],
    cwd: &Path,
    timeout: Duration,
) -> Result<(std::process::ExitStatus, Vec<u8>), CompileFailure> {
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
    let status = match crate::sys::wait_group(&mut child, start, timeout) {
        Waited::Exited(status) => Ok(status),
        Waited::Interrupted => Err("was interrupted".to_string()),
        Waited::TimedOut => Err(format!("timed out after {:.1} s", timeout.as_secs_f64())),
        Waited::Failed(e) => Err(format!("could not be waited for ({e})")),
    };
    match status {
        Ok(status) => {
            let mut output = out.join().unwrap_or_default();
            output.extend(err.join().unwrap_or_default());
            Ok((status, output))
        }
        Err(why) => Err(CompileFailure {
            summary: format!("the toolchain {why} and was killed"),
            output: join_output(err, out),
        }),
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
