//! What a compile is keyed on: the source and input bytes, the expanded
//! command, and the identity of the programs it runs; and the record a
//! compile-only result is cached as. Pure functions over files on disk:
//! nothing here spawns a process or writes the cache.

use std::path::Path;
use std::time::UNIX_EPOCH;

use sha2::{Digest, Sha256};
use xharness_suites::Case;

use super::{CompileFailure, CompileRun};

/// The source's name inside the compile directory, when the case has inputs.
pub(super) fn src_in_work_dir(case: &Case) -> Option<String> {
    if case.inputs().is_empty() {
        return None;
    }
    let found = case.inputs().iter().find(|i| i.host == case.source.src);
    Some(match found {
        Some(input) => input.dest.clone(),
        None => case
            .source
            .src
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    })
}

/// SHA-256 over every input's name and bytes (directories walked in
/// order), so a change to any file the compile reads recompiles.
pub(super) fn inputs_digest(case: &Case) -> Result<String, CompileFailure> {
    let mut h = Sha256::new();
    for input in case.inputs() {
        h.update(input.dest.as_bytes());
        h.update([0]);
        for entry in walkdir::WalkDir::new(&input.host).sort_by_file_name() {
            let entry = entry.map_err(|e| CompileFailure {
                summary: format!(
                    "cannot read input {} of case {}: {e}",
                    input.host.display(),
                    case.name
                ),
                output: "check the test's extra_files (or its suite's inputs)".into(),
            })?;
            if entry.file_type().is_file() {
                let bytes = std::fs::read(entry.path()).map_err(|e| CompileFailure {
                    summary: format!("cannot read input {}: {e}", entry.path().display()),
                    output: String::new(),
                })?;
                h.update(
                    entry
                        .path()
                        .strip_prefix(&input.host)
                        .unwrap_or(entry.path())
                        .to_string_lossy()
                        .as_bytes(),
                );
                h.update([0]);
                h.update(Sha256::digest(&bytes));
            }
        }
    }
    Ok(hex::encode(h.finalize()))
}

/// A cached compile-only result: `EXIT\n` then the output.
pub(super) fn compile_record(run: &CompileRun) -> Vec<u8> {
    let mut bytes = format!("{}\n", run.exit_code.unwrap_or(-1)).into_bytes();
    bytes.extend_from_slice(&run.output);
    bytes
}

pub(super) fn read_compile_record(path: &Path) -> Option<CompileRun> {
    let bytes = std::fs::read(path).ok()?;
    let nl = bytes.iter().position(|b| *b == b'\n')?;
    let code: i32 = std::str::from_utf8(&bytes[..nl]).ok()?.parse().ok()?;
    Some(CompileRun {
        exit_code: Some(code),
        ok: code == 0,
        output: bytes[nl + 1..].to_vec(),
    })
}

/// The program a shell command runs first: its first word that is not a
/// variable assignment (`CC=clang`) or a keyword like `exec`.
pub(super) fn shell_program(command: &str) -> Option<String> {
    let words = shell_words::split(command).ok()?;
    words
        .into_iter()
        .find(|w| !w.contains('=') && !matches!(w.as_str(), "exec" | "env" | "command"))
        .filter(|w| crate::program::find(w).is_some())
}

/// The cache key of a compile: source digest, keyed command, identity.
pub(super) fn cache_key(source: &[u8], command: &str, identity: &str) -> String {
    let mut h = Sha256::new();
    h.update(Sha256::digest(source));
    h.update(command.as_bytes());
    h.update([0]);
    h.update(identity.as_bytes());
    hex::encode(h.finalize())
}

/// Resolved path, size and modification time of a program on PATH.
pub(super) fn executable_identity(program: &str) -> Result<String, String> {
    let path = crate::program::find(program).ok_or_else(|| {
        format!(
            "toolchain program `{program}` was not found on PATH; install it or fix the command"
        )
    })?;
    let real = std::fs::canonicalize(&path).unwrap_or(path);
    let meta =
        std::fs::metadata(&real).map_err(|e| format!("cannot stat {}: {e}", real.display()))?;
    Ok(format!(
        "{}:{}:{}",
        real.display(),
        meta.len(),
        mtime_ns(&meta)
    ))
}

/// A file's modification time in nanoseconds since the epoch (0 where the
/// platform gives none).
pub(super) fn mtime_ns(meta: &std::fs::Metadata) -> u128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
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
