//! The pool of worker processes: idle workers wait here for the next
//! job, workers are started ahead of the jobs on a thread of their own,
//! and each job runs on an idle worker, one being started, or a new one.
//!
//! A worker that is killed (deadline, memory watch, interrupt) or dies is
//! never reused; the next job gets a fresh one. Idle workers wait in the
//! pool, so a run starts at most as many workers as it runs jobs at once.
//! One worker process and one job on it are [`super::process`]'s.

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use xharness_engines::Captured;

use super::process::{JobEnd, Watch, Worker, WorkerCommand};
use super::protocol::Job;

/// A worker is replaced after this many jobs, bounding anything an engine
/// might accumulate per run.
const JOBS_PER_WORKER: usize = 2000;

/// Workers that are waiting for a job.
pub struct Pool {
    command: WorkerCommand,
    /// Engines new workers set up as they start.
    engines: Vec<String>,
    /// Shared with the thread that starts workers ahead of the jobs.
    idle: Arc<Idle>,
}

/// Idle workers, and how many more are being started for the pool.
#[derive(Default)]
struct Idle {
    state: Mutex<IdleState>,
    /// Signalled when a started worker joins (or fails to start).
    changed: Condvar,
}

#[derive(Default)]
struct IdleState {
    workers: Vec<Worker>,
    starting: usize,
    /// Killed by [`Pool::stop_idle`], waited for when the pool is dropped.
    stopped: Vec<Worker>,
}

impl Idle {
    fn lock(&self) -> std::sync::MutexGuard<'_, IdleState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Pool {
    /// A pool that starts workers with `command` when it needs them; each
    /// sets up `engines` as it starts.
    pub fn new(command: WorkerCommand, engines: &[String]) -> Self {
        Pool {
            command,
            engines: engines.to_vec(),
            idle: Arc::default(),
        }
    }

    /// Start workers until `n` are idle or starting, on a thread of their
    /// own, so that their start-up (creating the process, loading the
    /// binary, setting up the engines) overlaps discovering the suite and
    /// the first compiles instead of coming before them.
    pub fn prestart(&self, n: usize) {
        let wanted = {
            let mut idle = self.idle.lock();
            let wanted = n.saturating_sub(idle.workers.len() + idle.starting);
            idle.starting += wanted;
            wanted
        };
        if wanted == 0 {
            return;
        }
        let (command, engines, idle) = (
            self.command.clone(),
            self.engines.clone(),
            self.idle.clone(),
        );
        let started = std::thread::Builder::new()
            .name("xharness-prestart".into())
            .spawn(move || {
                for _ in 0..wanted {
                    // A worker that fails to start is left out: the job
                    // that needs one starts its own and reports why. Even
                    // a panic must count the start as over, or a job
                    // would wait for it forever.
                    let spawn = std::panic::AssertUnwindSafe(|| command.spawn(&engines));
                    let worker = std::panic::catch_unwind(spawn).ok().and_then(Result::ok);
                    let mut state = idle.lock();
                    state.starting -= 1;
                    state.workers.extend(worker);
                    idle.changed.notify_all();
                }
            });
        if started.is_err() {
            self.idle.lock().starting -= wanted;
        }
    }

    /// Run one job on an idle worker, one being started, or a new one.
    pub fn run(&self, job: &Job, stdin: &[u8], watch: Watch) -> JobEnd {
        let idle = {
            let mut state = self.idle.lock();
            loop {
                if let Some(worker) = state.workers.pop() {
                    break Some(worker);
                }
                if state.starting == 0 {
                    break None;
                }
                state = self
                    .idle
                    .changed
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
            }
        };
        let mut worker = match idle.map_or_else(|| self.command.spawn(&self.engines), Ok) {
            Ok(w) => w,
            Err(message) => return crashed(message.to_string(), Duration::ZERO),
        };
        let end = worker.run(job, stdin, watch);
        let reusable = matches!(
            end,
            JobEnd::Finished(_) | JobEnd::Rejected(_) | JobEnd::NoEngine(_)
        );
        if reusable && worker.jobs < JOBS_PER_WORKER {
            self.idle.lock().workers.push(worker);
        }
        end
    }
}

impl Pool {
    /// Kill every idle worker now without waiting for it to go, so that
    /// workers die while the caller goes on (writing its reports) instead
    /// of when it drops the pool, which then only collects them. Later
    /// jobs start new workers.
    pub fn stop_idle(&self) {
        let mut idle = self.idle.lock();
        let workers = std::mem::take(&mut idle.workers);
        for worker in &workers {
            worker.kill_now();
        }
        idle.stopped.extend(workers);
    }
}

impl Drop for Pool {
    /// Kill every idle worker first, then wait for each: they die at once
    /// instead of one after another. (Workers a start-up thread still
    /// brings go when it ends.)
    fn drop(&mut self) {
        self.stop_idle();
        self.idle.lock().stopped.clear();
    }
}

fn crashed(message: String, duration: Duration) -> JobEnd {
    JobEnd::Crashed {
        message,
        stdout: Captured::default(),
        stderr: Captured::default(),
        duration,
    }
}

#[cfg(test)]
mod tests;
