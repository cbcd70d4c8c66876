//! `xharness exec -- COMMAND [ARGS…]`: run an unmodified program and all
//! its descendants with binfmt_misc rules applied in user space, so that a
//! test driver that knows nothing of wasm can spawn `./prog.wasm` directly.
//!
//! # How
//!
//! The command starts under `ptrace` with a seccomp filter that stops only
//! `execve` and `execveat` in this supervisor (`sys`); every other system
//! call runs at full speed. The filter and the tracing are inherited by
//! forks, vforks, clones and threads. At each stop the supervisor reads the
//! file the call names (from the tracee's view: its cwd and descriptors
//! under `/proc/PID`), and if the file is executable and matches a rule
//! ([`binfmt`]), it writes a new path and argv below the tracee's stack
//! pointer and points the call's registers at them, exactly the argv the
//! kernel's binfmt_misc would build. Anything else runs untouched, and
//! fails as it would without xharness.
//!
//! The built-in rule sends wasm (`\0asm`) to this binary's `xharness run`
//! on the chosen engine, with the caller's environment and its working
//! directory preopened as `.`. User rules (`--binfmt`, `--binfmt-file`)
//! are tried first, in order.
//!
//! No root is needed (seccomp under `no_new_privs`; tracing one's own
//! children), nothing is global to the machine, and runs with different
//! engines can happen at once. `no_new_privs` also means set-uid programs
//! run without their privileges inside.
//!
//! The supervisor waits until every traced process has ended, then exits
//! with the command's status (or dies of the same signal). Stop signals
//! (`SIGTSTP`, a `SIGSTOP` from outside) are not honoured: a stopped
//! tracee is resumed.

pub mod binfmt;
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod supervise;
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod sys;

use std::path::PathBuf;
use std::process::ExitCode;

use binfmt::{Matcher, Rule};

/// `xharness exec` arguments, as the CLI parsed them.
#[derive(Debug, Clone)]
pub struct ExecOptions {
    /// Engine for the built-in wasm rule.
    pub engine: String,
    /// `--binfmt` rules.
    pub rules: Vec<String>,
    /// `--binfmt-file` files.
    pub rule_files: Vec<PathBuf>,
    /// The command and its arguments.
    pub command: Vec<String>,
}

/// Run the command; the process's exit status is the command's.
pub fn main(opts: &ExecOptions) -> ExitCode {
    match run(opts) {
        Ok(code) => ExitCode::from(code),
        Err(message) => crate::error::report("xharness exec", &message),
    }
}

/// Every active rule: the user's, then the built-in wasm rule.
pub fn rules(opts: &ExecOptions) -> crate::Result<Vec<Rule>> {
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    let mut rules = Vec::new();
    for text in &opts.rules {
        rules.push(Rule::parse(text, &cwd)?);
    }
    for file in &opts.rule_files {
        rules.extend(binfmt::parse_file(file, &cwd)?);
    }
    let exe = std::env::current_exe()
        .and_then(std::fs::canonicalize)
        .map_err(|e| format!("cannot find this xharness binary: {e}"))?;
    rules.push(Rule {
        name: "wasm".into(),
        matcher: Matcher::Magic {
            offset: 0,
            magic: b"\0asm".to_vec(),
            mask: None,
        },
        interpreter: exe,
        extra_args: [
            "run",
            "--engine",
            &opts.engine,
            "--inherit-env",
            "--dir",
            ".",
            "--",
        ]
        .map(String::from)
        .to_vec(),
        preserve_argv0: false,
    });
    Ok(rules)
}

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn run(opts: &ExecOptions) -> crate::Result<u8> {
    let rules = rules(opts)?;
    supervise::run(&opts.command, rules)
}

#[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
fn run(_: &ExecOptions) -> crate::Result<u8> {
    Err(format!(
        "needs Linux on x86_64 (seccomp and ptrace register layout); this build is for {} on {}",
        std::env::consts::ARCH,
        std::env::consts::OS
    ))
}
