//! Running a case's shell steps (GHC's `pre_cmd`, `makefile_test`,
//! `run_command`, `cmd_prefix` / `cmd_wrapper`): each command runs as
//! `sh -c CMD` under `xharness exec --engine E` in the case's private
//! directory, so a `.wasm` program the commands build runs as `./prog` on
//! the case's engine.
//!
//! The command gets the harness's environment, the case's variables
//! (`TEST_HC`, `TEST_HC_OPTS`, …), and `MAKEFLAGS` carrying the make
//! variables as command-line definitions. It runs in its own process
//! group: at the deadline, on Ctrl-C and when it ends, the whole group is
//! killed, so nothing it started outlives the case. Output is captured
//! under the case's cap, stdout and stderr apart or, for combined output,
//! through one pipe in write order.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use xharness_engines::capture::CaptureBuf;
use xharness_engines::{Outcome, Status};
use xharness_suites::{Case, ShellSteps};

use xharness_reports::Reason;
use xharness_suites::{Expectation, Mode};

use super::Session;
use crate::sys::Waited;
use crate::verdict::{self, Failure, JobRecord};
use crate::worker::{JobEnd, KillReason, Watch};

impl Session {
    /// One attempt of a case that drives a shell: its private directory
    /// with the inputs, `pre_cmd`, then the test: the shell command
    /// (`makefile_test`, `run_command`), or the compile and the program's
    /// run (inside the wrapper's command, or on a worker).
    pub(super) fn shell_attempt(&self, c: usize, engine: &str, steps: &ShellSteps) -> JobRecord {
        let case = &self.suite.cases[c];
        let fail = |reason, detail: String| {
            JobRecord::bare(verdict::finish(
                case,
                engine,
                Some(Failure { reason, detail }),
                0.0,
            ))
        };
        let Some(exe) = self.opts.exe.as_deref() else {
            return fail(
                Reason::InstantiateError,
                "this case drives a shell, whose `.wasm` programs run through `xharness exec`: run it with the xharness command".into(),
            );
        };
        let scratch = match self.scratch.take(&case.source.stem) {
            Ok(s) => s,
            Err(e) => return fail(Reason::InstantiateError, e.to_string()),
        };
        let dir = scratch.path();
        if let Err(e) = crate::scratch::copy_inputs(case.inputs(), dir) {
            return fail(Reason::InstantiateError, e.to_string());
        }
        let step = Step::of(case, steps, exe, engine, dir);
        if let Some(pre) = &steps.pre_cmd {
            let expected_to_fail = matches!(case.expectation(engine), Some(Expectation::XFail(_)));
            match step.run(pre) {
                Ok(JobEnd::Finished(o)) if o.status == Status::Exited(0) || expected_to_fail => {}
                Ok(end) => return fail(Reason::CompileError, pre_cmd_failure(pre, end)),
                Err(e) => return fail(Reason::InstantiateError, e.to_string()),
            }
        }
        let norms = &self.norms[c];
        if case.expect.mode == Mode::Shell {
            let Some(command) = &steps.command else {
                return fail(
                    Reason::InstantiateError,
                    "the case has no shell command".into(),
                );
            };
            return match step.run(command) {
                Ok(end) => verdict::judge(case, engine, end, norms),
                Err(e) => fail(Reason::InstantiateError, e.to_string()),
            };
        }
        let compiled = if steps.pre_cmd.is_some() {
            self.compiler.compile_in(case, dir)
        } else if case.expect.mode.compile_only() {
            self.compile_runs[c]
                .get_or_init(|| self.compiler.compile_only(case))
                .clone()
                .map(|run| (run, None))
        } else {
            self.artifacts[c]
                .get_or_init(|| self.compiler.module(case))
                .clone()
                .map(|a| (crate::toolchain::CompileRun::succeeded(), Some(a)))
        };
        let (run, artifact) = match compiled {
            Ok(c) => c,
            Err(f) => {
                return fail(
                    Reason::CompileError,
                    format!(
                        "{}
{}",
                        f.summary, f.output
                    ),
                );
            }
        };
        if case.expect.mode.compile_only() {
            return verdict::judge_compile(case, engine, run.ok, run.exit_code, run.output, norms);
        }
        let Some(artifact) = artifact.filter(|_| run.ok) else {
            let output = String::from_utf8_lossy(&run.output);
            return fail(
                Reason::CompileError,
                format!(
                    "the compiler failed:
{output}"
                ),
            );
        };
        match &steps.command {
            Some(command) => {
                let program = dir.join(format!("{}.wasm", case.source.stem));
                if let Err(e) = place_program(&artifact.path, &program) {
                    return fail(Reason::InstantiateError, e);
                }
                match step.run(command) {
                    Ok(end) => verdict::judge(case, engine, end, norms),
                    Err(e) => fail(Reason::InstantiateError, e.to_string()),
                }
            }
            None => {
                let (job, stdin) = match self.job_for(case, engine, &artifact, Some(dir), &[]) {
                    Ok(j) => j,
                    Err(e) => return fail(Reason::InstantiateError, e.to_string()),
                };
                let watch = Watch {
                    timeout: case.run.timeout,
                    max_rss: case.run.max_memory.saturating_add(self.opts.rss_margin),
                };
                verdict::judge(case, engine, self.pool.run(&job, &stdin, watch), norms)
            }
        }
    }
}

/// The detail of a failed `pre_cmd`, as the driver reports it.
fn pre_cmd_failure(cmd: &str, end: JobEnd) -> String {
    let (how, stdout, stderr) = match end {
        JobEnd::Finished(o) => (o.status.to_string(), o.stdout, o.stderr),
        JobEnd::Killed {
            why,
            stdout,
            stderr,
            ..
        } => (format!("was killed ({why:?})"), stdout, stderr),
        JobEnd::Crashed {
            message,
            stdout,
            stderr,
            ..
        } => (message, stdout, stderr),
        JobEnd::Rejected(m) | JobEnd::NoEngine(m) => (m, Default::default(), Default::default()),
    };
    format!(
        "pre_cmd failed ({how}): {cmd}\nstdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&stdout.shown()),
        String::from_utf8_lossy(&stderr.shown())
    )
}

/// Put the module where the wrapped run command finds it, executable.
fn place_program(module: &Path, program: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::copy(module, program)
        .and_then(|_| std::fs::set_permissions(program, std::fs::Permissions::from_mode(0o755)))
        .map_err(|e| format!("cannot place the program at {}: {e}", program.display()))
}

/// How one shell step runs.
pub(super) struct Step<'a> {
    /// The xharness binary (`xharness exec`).
    pub exe: &'a Path,
    /// The engine `.wasm` programs run on.
    pub engine: &'a str,
    /// The case's private directory.
    pub dir: &'a Path,
    /// The case's variables.
    pub steps: &'a ShellSteps,
    /// Feed this file as stdin (none: empty stdin).
    pub stdin: Option<&'a Path>,
    /// Wall-clock limit of the whole step.
    pub timeout: Duration,
    /// Bytes kept per stream.
    pub cap: usize,
    /// stderr into stdout, in write order.
    pub combine: bool,
}

impl Step<'_> {
    /// The step for `case` on `engine` in `dir`.
    pub fn of<'a>(
        case: &'a Case,
        steps: &'a ShellSteps,
        exe: &'a Path,
        engine: &'a str,
        dir: &'a Path,
    ) -> Step<'a> {
        Step {
            exe,
            engine,
            dir,
            steps,
            stdin: case.run.stdin.as_deref().filter(|p| p.is_file()),
            timeout: case.run.timeout,
            cap: case.run.max_output,
            combine: case.run.combine_output,
        }
    }

    /// Run `command` to its end, or until the deadline or Ctrl-C; the
    /// status is the shell's exit code (128 + N for a signal N).
    pub fn run(&self, command: &str) -> crate::Result<JobEnd> {
        let mut cmd = Command::new(self.exe);
        cmd.args(["exec", "--engine", self.engine, "--", "sh", "-c", command])
            .current_dir(self.dir)
            .envs(self.steps.env.iter().map(|(k, v)| (k, v)))
            .env("MAKEFLAGS", makeflags(self.steps));
        cmd.stdin(match self.stdin {
            Some(path) => Stdio::from(
                std::fs::File::open(path)
                    .map_err(|e| format!("cannot open stdin file {}: {e}", path.display()))?,
            ),
            None => Stdio::null(),
        });
        let (out_r, out_w) = std::io::pipe().map_err(|e| format!("cannot make a pipe: {e}"))?;
        let err_r = if self.combine {
            cmd.stderr(
                out_w
                    .try_clone()
                    .map_err(|e| format!("cannot dup a pipe: {e}"))?,
            );
            None
        } else {
            let (r, w) = std::io::pipe().map_err(|e| format!("cannot make a pipe: {e}"))?;
            cmd.stderr(w);
            Some(r)
        };
        cmd.stdout(out_w);
        crate::sys::own_group_dying_with_parent(&mut cmd);
        let start = Instant::now();
        let mut child = cmd.spawn().map_err(|e| {
            format!(
                "cannot start `{} exec` for a shell step: {e}",
                self.exe.display()
            )
        })?;
        // The pipes' write ends live in `cmd`: drop them, so the readers
        // see the end of output once every process of the step is gone.
        drop(cmd);
        let stdout = CaptureBuf::new(self.cap);
        let stderr = CaptureBuf::new(self.cap);
        let (done, readers_done) = std::sync::mpsc::channel();
        let readers = 1 + usize::from(err_r.is_some());
        drain(out_r, stdout.clone(), done.clone());
        if let Some(r) = err_r {
            drain(r, stderr.clone(), done);
        }
        let ended = match crate::sys::wait_group(&mut child, start, self.timeout) {
            Waited::Exited(status) => Ok(status),
            Waited::Interrupted => Err(KillReason::Interrupted),
            Waited::TimedOut => Err(KillReason::Timeout),
            Waited::Failed(e) => {
                return Err(format!("cannot wait for a shell step: {e}").into());
            }
        };
        // The pipes end when the last process holding them does. One that
        // left the process group (a daemon) may hold them on: wait a
        // little, then judge with what was read.
        for _ in 0..readers {
            if readers_done.recv_timeout(Duration::from_secs(2)).is_err() {
                break;
            }
        }
        let duration = start.elapsed();
        Ok(match ended {
            Ok(status) => {
                use std::os::unix::process::ExitStatusExt;
                let code = status
                    .code()
                    .or_else(|| status.signal().map(|s| 128 + s))
                    .unwrap_or(1);
                JobEnd::Finished(Outcome::new(
                    Status::Exited(code),
                    stdout.take(),
                    stderr.take(),
                    duration,
                ))
            }
            Err(why) => JobEnd::Killed {
                why,
                stdout: stdout.take(),
                stderr: stderr.take(),
                duration,
            },
        })
    }
}

/// `MAKEFLAGS` giving make the case's make variables as command-line
/// definitions (spaces escaped as make reads them there).
fn makeflags(steps: &ShellSteps) -> String {
    let defs: Vec<String> = steps
        .make_vars
        .iter()
        .filter_map(|name| {
            let value = steps.env.iter().find(|(k, _)| k == name)?.1.as_str();
            Some(format!(
                "{name}={}",
                value.replace('\\', "\\\\").replace(' ', "\\ ")
            ))
        })
        .collect();
    if defs.is_empty() {
        String::new()
    } else {
        format!(" -- {}", defs.join(" "))
    }
}

/// Read `pipe` into `into` on a thread of its own, saying on `done` when
/// the pipe has ended.
fn drain(mut pipe: std::io::PipeReader, into: CaptureBuf, done: std::sync::mpsc::Sender<()>) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 64 << 10];
        loop {
            match pipe.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => into.write(&buf[..n]),
            }
        }
        let _ = done.send(());
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makeflags_define_the_make_variables_only() {
        let steps = ShellSteps {
            env: vec![
                ("TEST_HC".into(), "/a b/ghc".into()),
                ("TEST_HC_OPTS".into(), "-O".into()),
                ("TOP".into(), "/t".into()),
            ],
            make_vars: vec!["TEST_HC".into(), "TOP".into()],
            ..ShellSteps::default()
        };
        assert_eq!(makeflags(&steps), " -- TEST_HC=/a\\ b/ghc TOP=/t");
    }
}
