//! Worker processes: guests run in separate processes, one job at a time
//! each, so a deadline or a runaway guest is ended by killing a process.
//!
//! - [`pool`]: the parent's set of workers ([`Pool`]): idle ones wait for
//!   the next job, new ones start ahead of the jobs, a killed or dead one
//!   is replaced;
//! - [`process`]: one worker from the parent's side ([`WorkerCommand`],
//!   [`JobEnd`]): starts it, sends it a job, kills it at the deadline
//!   (SIGKILL; what the guest printed until then is kept), when its
//!   resident memory passes the limit plus a margin, or on Ctrl-C;
//! - `serve`: the worker side, entered when `XHARNESS_WORKER=1`;
//! - [`protocol`]: the frames between them.
//!
//! Guests therefore run at the engine's full speed: no time checks are
//! compiled into their code, and a guest blocked in a host call (a sleep,
//! a read) is stopped as surely as one in a loop.

pub mod pool;
pub mod process;
pub mod protocol;
mod serve;

pub use pool::Pool;
pub use process::{JobEnd, KillReason, WORKER_ENV, Watch, WorkerCommand};
pub use protocol::Job;

/// Whether this process was started as a worker.
pub fn is_worker() -> bool {
    std::env::var_os(WORKER_ENV).is_some_and(|v| v == "1")
}

/// In a `main` that may be started as a worker: serve jobs on the engines
/// of `registry` and return the exit code when this process is one, `None`
/// otherwise.
pub fn serve_if_worker(registry: &xharness_engines::Registry) -> Option<std::process::ExitCode> {
    is_worker().then(|| serve::serve(registry))
}
