//! One worker process from the parent's side: starting it with its three
//! pipes (jobs in; guest output and results out, see
//! [`super::protocol`]), running one job on it under the deadline, the
//! memory watch and Ctrl-C, and turning whatever happens into a
//! [`JobEnd`], with the output the guest printed until then.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read};
use std::os::fd::{AsFd, AsRawFd};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use xharness_engines::Captured;
use xharness_engines::capture::HeadTail;

use super::protocol::{self, Done, Job};

/// Environment variable that turns a process into a worker.
pub const WORKER_ENV: &str = "XHARNESS_WORKER";

/// Engines a new worker sets up before its first job (comma-separated).
pub const ENGINES_ENV: &str = "XHARNESS_WORKER_ENGINES";

/// How often a waiting job looks at the worker's memory and at Ctrl-C.
const POLL: Duration = Duration::from_millis(25);

/// How long a job is watched on its result stream alone: the output of a
/// job that ends sooner is read all at once after its result. (A guest
/// that fills the output pipe before then waits at most this long.)
const RESULT_ONLY: Duration = Duration::from_millis(2);

/// How long reading the rest of a job's output may wait for each frame
/// (after its result, a kill or a crash, the frames are already written).
const LAST_OUTPUT: Duration = Duration::from_secs(1);

/// Worker stderr kept for the report of a crash.
const STDERR_TAIL: usize = 8 << 10;

/// How to start a worker process.
#[derive(Debug, Clone)]
pub struct WorkerCommand {
    program: PathBuf,
    args: Vec<OsString>,
}

impl WorkerCommand {
    /// This very executable: the `xharness` binary, or a `cargo test`
    /// binary whose `main` is [`crate::libtest::main`].
    pub fn current_exe() -> crate::Result<Self> {
        let program = std::env::current_exe()
            .map_err(|e| format!("cannot find this executable to start workers: {e}"))?;
        Ok(WorkerCommand::program(program))
    }

    /// Another executable that serves jobs when `XHARNESS_WORKER=1` is
    /// set (its `main` calls [`crate::worker::serve_if_worker`]).
    pub fn program(program: impl Into<PathBuf>) -> Self {
        WorkerCommand {
            program: program.into(),
            args: Vec::new(),
        }
    }

    pub(super) fn spawn(&self, engines: &[String]) -> crate::Result<Worker> {
        let cannot = |e: &dyn std::fmt::Display| {
            format!(
                "cannot start a worker process ({}): {e}",
                self.program.display()
            )
        };
        let (output, output_end) =
            nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(|e| cannot(&e))?;
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args)
            .env(WORKER_ENV, "1")
            .env(ENGINES_ENV, engines.join(","))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        crate::sys::own_group_dying_with_parent(&mut cmd);
        crate::sys::pass_output_fd(&mut cmd, output_end.as_raw_fd());
        let started = crate::sys::spawn_from_keeper(cmd);
        // Only the worker writes to its output stream: at its end, reading
        // it meets the end of the stream.
        drop(output_end);
        let mut child = started.map_err(|e| cannot(&e))?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            crate::sys::kill_group(child.id());
            let _ = child.wait();
            return Err("a worker process started without pipes".into());
        };
        let tail = Arc::new(Mutex::new(VecDeque::new()));
        let t = tail.clone();
        std::thread::Builder::new()
            .name("xharness-worker-err".into())
            .spawn(move || keep_tail(stderr, &t))
            .map_err(|e| format!("cannot start a thread: {e}"))?;
        Ok(Worker {
            child,
            stdin: BufWriter::new(stdin),
            results: BufReader::new(stdout),
            output: BufReader::new(File::from(output)),
            stderr_tail: tail,
            jobs: 0,
        })
    }
}

/// Why the parent killed a worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KillReason {
    /// The job's deadline passed.
    Timeout,
    /// The worker's resident memory passed the job's limit plus the margin.
    Memory,
    /// SIGINT or SIGTERM.
    Interrupted,
}

/// How one job ended, seen from the parent.
#[derive(Debug)]
pub enum JobEnd {
    /// The guest ran; everything it printed (under the cap) is in the outcome.
    Finished(xharness_engines::Outcome),
    /// The engine could not compile or load the module.
    Rejected(String),
    /// The engine could not be set up in the worker: the error, or the
    /// panic's message.
    NoEngine(String),
    /// The parent killed the worker; the output the guest printed until then.
    Killed {
        why: KillReason,
        stdout: Captured,
        stderr: Captured,
        duration: Duration,
    },
    /// The worker died by itself (engine crash, abort, OOM kill, panic).
    Crashed {
        message: String,
        stdout: Captured,
        stderr: Captured,
        duration: Duration,
    },
}

/// Limits the parent enforces on a job from outside.
#[derive(Debug, Clone, Copy)]
pub struct Watch {
    /// Wall-clock limit.
    pub timeout: Duration,
    /// Kill the worker when its resident memory exceeds this many bytes.
    pub max_rss: u64,
}

enum Msg {
    Chunk(u8, Vec<u8>),
    /// The output stream ended.
    Ended,
    Done(Done),
    Rejected(String),
    NoEngine(String),
    Broken(String),
}

/// Both streams from the worker are read on the job's own thread: several
/// frames that arrived together cost one read, and no thread hand-off.
pub(super) struct Worker {
    child: Child,
    stdin: BufWriter<ChildStdin>,
    /// Results: one frame per job.
    results: BufReader<ChildStdout>,
    /// The guest's output frames.
    output: BufReader<File>,
    stderr_tail: Arc<Mutex<VecDeque<u8>>>,
    /// Jobs it has been given.
    pub(super) jobs: usize,
}

impl Worker {
    pub(super) fn run(&mut self, job: &Job, stdin: &[u8], watch: Watch) -> JobEnd {
        self.jobs += 1;
        let start = Instant::now();
        if let Err(e) = protocol::write_job(&mut self.stdin, job, stdin) {
            return self.died(&format!("could not take the job ({e})"), start, None);
        }
        let deadline = start
            .checked_add(watch.timeout)
            .unwrap_or_else(|| start + Duration::from_secs(u64::from(u32::MAX)));
        let both_from = start + RESULT_ONLY;
        let mut out = Output::new(job.output_cap);
        loop {
            let now = Instant::now();
            if now >= deadline {
                return self.kill(KillReason::Timeout, out, start);
            }
            if crate::sys::interrupted() {
                return self.kill(KillReason::Interrupted, out, start);
            }
            let both = now >= both_from;
            let wait = if both { POLL } else { both_from - now };
            match self.next(wait.min(deadline - now), both) {
                Some(Msg::Chunk(tag, bytes)) => out.push(tag, &bytes),
                Some(Msg::Done(done)) => {
                    // The job's output frames were all written before its
                    // result: read those not read yet.
                    while out.frames < done.output_frames {
                        match self.next_output(LAST_OUTPUT) {
                            Some(Msg::Chunk(tag, bytes)) => out.push(tag, &bytes),
                            Some(Msg::Broken(why)) => return self.died(&why, start, Some(out)),
                            _ => {
                                let why = "did not send all the output it counted";
                                return self.died(why, start, Some(out));
                            }
                        }
                    }
                    return JobEnd::Finished(out.finish(done));
                }
                Some(Msg::Rejected(message)) => return JobEnd::Rejected(message),
                Some(Msg::NoEngine(message)) => return JobEnd::NoEngine(message),
                Some(Msg::Broken(why)) => return self.died(&why, start, Some(out)),
                Some(Msg::Ended) => {
                    return self.died("closed its output stream", start, Some(out));
                }
                // Quiet for a while: look at the worker's memory. (Jobs
                // that finish within one poll never pay for the look.)
                None if both => {
                    let rss = crate::sys::rss_bytes(self.child.id());
                    if rss.is_some_and(|rss| rss > watch.max_rss) {
                        return self.kill(KillReason::Memory, out, start);
                    }
                }
                None => {}
            }
        }
    }

    /// The next frame within `wait`: a result, or an output frame when
    /// `output_too`; `None` when neither arrives.
    fn next(&mut self, wait: Duration, output_too: bool) -> Option<Msg> {
        if !self.results.buffer().is_empty() {
            return Some(self.read_result());
        }
        if output_too && !self.output.buffer().is_empty() {
            return self.next_output(Duration::ZERO);
        }
        let [result, output] = if output_too {
            crate::sys::which_readable(
                [
                    self.results.get_ref().as_fd(),
                    self.output.get_ref().as_fd(),
                ],
                wait,
            )
        } else {
            [crate::sys::readable(self.results.get_ref(), wait), false]
        };
        if output {
            // Output first: a result that came with it follows it.
            return self.next_output(Duration::ZERO);
        }
        result.then(|| self.read_result())
    }

    fn read_result(&mut self) -> Msg {
        match protocol::read_frame(&mut self.results) {
            Ok(None) => Msg::Broken("closed its result stream".into()),
            Ok(Some((protocol::DONE, json))) => match serde_json::from_slice(&json) {
                Ok(done) => Msg::Done(done),
                Err(e) => Msg::Broken(format!("sent an unreadable result: {e}")),
            },
            Ok(Some((protocol::REJECTED, text))) => {
                Msg::Rejected(String::from_utf8_lossy(&text).into_owned())
            }
            Ok(Some((protocol::NO_ENGINE, text))) => {
                Msg::NoEngine(String::from_utf8_lossy(&text).into_owned())
            }
            Ok(Some((tag, _))) => Msg::Broken(format!("sent an unknown result frame {tag:#x}")),
            Err(e) => Msg::Broken(format!("broke the protocol: {e}")),
        }
    }

    /// The next output frame within `wait`; `None` when none arrives, and
    /// [`Msg::Ended`] at the end of the stream.
    fn next_output(&mut self, wait: Duration) -> Option<Msg> {
        if self.output.buffer().is_empty() && !crate::sys::readable(self.output.get_ref(), wait) {
            return None;
        }
        Some(match protocol::read_frame(&mut self.output) {
            Ok(None) => Msg::Ended,
            Ok(Some((tag @ (protocol::STDOUT | protocol::STDERR), bytes))) => {
                Msg::Chunk(tag, bytes)
            }
            Ok(Some((tag, _))) => Msg::Broken(format!("sent an unknown output frame {tag:#x}")),
            Err(e) => Msg::Broken(format!("broke the protocol: {e}")),
        })
    }

    /// Read what is left of the output stream of a worker that is gone
    /// (its frames were written before it died; then the stream ends).
    fn last_output(&mut self, out: &mut Output) {
        while let Some(Msg::Chunk(tag, bytes)) = self.next_output(LAST_OUTPUT) {
            out.push(tag, &bytes);
        }
    }

    /// Kill the worker and collect what the guest printed before.
    fn kill(&mut self, why: KillReason, mut out: Output, start: Instant) -> JobEnd {
        let duration = start.elapsed();
        self.terminate();
        self.last_output(&mut out);
        let (stdout, stderr) = out.partial();
        JobEnd::Killed {
            why,
            stdout,
            stderr,
            duration,
        }
    }

    fn died(&mut self, what: &str, start: Instant, out: Option<Output>) -> JobEnd {
        let duration = start.elapsed();
        let how = self.reap();
        let out = out.map(|mut out| {
            self.last_output(&mut out);
            out
        });
        let tail = self.stderr_text();
        let mut message = format!("the worker process {how} ({what})");
        if !tail.is_empty() {
            message.push_str("; its last words:\n");
            message.push_str(&tail);
        }
        let (stdout, stderr) = out.map(Output::partial).unwrap_or_default();
        JobEnd::Crashed {
            message,
            stdout,
            stderr,
            duration,
        }
    }

    /// How the worker ended: wait up to a second for it to finish dying,
    /// then kill it.
    fn reap(&mut self) -> String {
        let waited = Instant::now();
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => {
                    crate::sys::kill_group(self.child.id());
                    return crate::sys::describe_exit(status);
                }
                Ok(None) if waited.elapsed() < Duration::from_secs(1) => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Ok(None) => {
                    self.terminate();
                    return "stopped answering and was killed".to_string();
                }
                Err(e) => return format!("could not be waited for ({e})"),
            }
        }
    }

    fn stderr_text(&self) -> String {
        // Give the stderr thread a moment to read the final lines.
        std::thread::sleep(Duration::from_millis(20));
        let tail = self
            .stderr_tail
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let bytes: Vec<u8> = tail.iter().copied().collect();
        String::from_utf8_lossy(&bytes).trim_end().to_string()
    }

    /// SIGKILL the worker (and anything it started) without waiting for
    /// it to go; dropping it waits.
    pub(super) fn kill_now(&self) {
        crate::sys::kill_group(self.child.id());
    }

    fn terminate(&mut self) {
        crate::sys::kill_group(self.child.id());
        let _ = self.child.wait();
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.terminate();
    }
}

/// Output assembled from chunks, capped again here with the job's own cap
/// (head and tail, like the worker's capture) so that a worker that sends
/// too much cannot grow this process.
struct Output {
    stdout: HeadTail,
    stderr: HeadTail,
    /// Frames received.
    frames: u64,
}

impl Output {
    fn new(cap: usize) -> Self {
        Output {
            stdout: HeadTail::new(cap),
            stderr: HeadTail::new(cap),
            frames: 0,
        }
    }

    fn push(&mut self, tag: u8, bytes: &[u8]) {
        self.frames += 1;
        if tag == protocol::STDOUT {
            self.stdout.push(bytes);
        } else {
            self.stderr.push(bytes);
        }
    }

    /// What arrived before the job ended without a result.
    fn partial(self) -> (Captured, Captured) {
        (self.stdout.finish(), self.stderr.finish())
    }

    fn finish(self, done: Done) -> xharness_engines::Outcome {
        xharness_engines::Outcome::new(
            done.status,
            received(self.stdout, done.stdout_total, done.stdout_dropped),
            received(self.stderr, done.stderr_total, done.stderr_dropped),
            Duration::from_nanos(done.duration_ns),
        )
        .with_instructions(done.instructions)
    }
}

/// A stream as the worker reported it: its bytes as received (the head,
/// then the tail), its total and dropped range as the worker counted them.
/// Only when the worker says it dropped nothing but sent more than the cap
/// is this side's range kept.
fn received(got: HeadTail, total: u64, dropped: Option<std::ops::Range<u64>>) -> Captured {
    let mut c = got.finish();
    if dropped.is_some() {
        c.dropped = dropped;
    }
    c.total = c.total.max(total);
    c
}

fn keep_tail(stderr: impl Read, tail: &Mutex<VecDeque<u8>>) {
    let mut stderr = stderr;
    let mut buf = [0u8; 4096];
    loop {
        match stderr.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                let mut t = tail.lock().unwrap_or_else(PoisonError::into_inner);
                t.extend(&buf[..n]);
                let excess = t.len().saturating_sub(STDERR_TAIL);
                t.drain(..excess);
            }
        }
    }
}
