//! Every piece of process, signal and file-descriptor plumbing of the
//! harness, in one place: starting worker processes, the worker's own
//! stdio set-up, killing process groups, reading a process's memory use,
//! the Ctrl-C flag and `xharness run`'s hard exit. Each `unsafe` block says
//! why it is sound.

use std::fs::File;
use std::os::fd::FromRawFd;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::time::Duration;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

/// Make `cmd` start a process that leads its own process group (so a kill
/// reaches everything it starts and a terminal's Ctrl-C does not) and that
/// is killed when the process that started it dies, even by SIGKILL.
pub fn own_group_dying_with_parent(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    cmd.process_group(0);
    // SAFETY: the closure runs in the forked child before exec and only
    // calls prctl(2) and getppid(2), both async-signal-safe; it touches no
    // memory shared with the parent and allocates nothing.
    unsafe {
        cmd.pre_exec(|| {
            nix::sys::prctl::set_pdeathsig(Signal::SIGKILL)?;
            // The parent may have died between fork and prctl.
            if nix::unistd::getppid() == Pid::from_raw(1) {
                return Err(std::io::Error::other("parent exited"));
            }
            Ok(())
        });
    }
}

type SpawnRequest = (Command, mpsc::Sender<std::io::Result<Child>>);

/// Start `cmd` from a thread that lives as long as the process.
///
/// `PR_SET_PDEATHSIG` fires when the *thread* that forked the child ends,
/// not the process: a worker started by a scheduler thread would be killed
/// when that thread finishes, even while another thread still uses it.
/// Starting every worker from one keeper thread ties them to the process.
pub fn spawn_from_keeper(cmd: Command) -> std::io::Result<Child> {
    static KEEPER: OnceLock<Mutex<mpsc::Sender<SpawnRequest>>> = OnceLock::new();
    let keeper = KEEPER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<SpawnRequest>();
        let started = std::thread::Builder::new()
            .name("xharness-spawner".into())
            .spawn(move || {
                for (mut cmd, reply) in rx {
                    let _ = reply.send(cmd.spawn());
                }
            });
        if let Err(e) = started {
            eprintln!("xharness: cannot start the spawner thread: {e}");
        }
        Mutex::new(tx)
    });
    let (reply, answer) = mpsc::channel();
    keeper
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .send((cmd, reply))
        .map_err(|_| std::io::Error::other("the spawner thread is gone"))?;
    answer
        .recv()
        .map_err(|_| std::io::Error::other("the spawner thread is gone"))?
}

/// SIGKILL the process group led by `pid`; a group that is gone already is
/// not an error.
pub fn kill_group(pid: u32) {
    if let Ok(pid) = i32::try_from(pid) {
        let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
    }
}

/// How [`wait_group`] found a process group's leader.
#[derive(Debug)]
pub enum Waited {
    /// It exited by itself.
    Exited(std::process::ExitStatus),
    /// The deadline passed first.
    TimedOut,
    /// Ctrl-C came first.
    Interrupted,
    /// It could not be waited for.
    Failed(std::io::Error),
}

/// Wait for `child` (a group leader, see [`own_group_dying_with_parent`])
/// to exit, until `timeout` after `start` or Ctrl-C, then kill its whole
/// group, so nothing it started lives on; a child killed here is reaped.
pub fn wait_group(child: &mut Child, start: std::time::Instant, timeout: Duration) -> Waited {
    let waited = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Waited::Exited(status),
            Ok(None) if interrupted() => break Waited::Interrupted,
            Ok(None) if start.elapsed() >= timeout => break Waited::TimedOut,
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => break Waited::Failed(e),
        }
    };
    kill_group(child.id());
    if !matches!(waited, Waited::Exited(_)) {
        let _ = child.wait();
    }
    waited
}

/// Wait up to `wait` for `fd` to have something to read (or to be closed).
pub fn readable(fd: &impl std::os::fd::AsFd, wait: Duration) -> bool {
    let [ready] = which_readable([fd.as_fd()], wait);
    ready
}

/// Wait up to `wait` for any of `fds` to have something to read (or to be
/// closed); which of them do. None, when the wait ran out or a signal
/// interrupted it: the caller polls again.
pub fn which_readable<const N: usize>(
    fds: [std::os::fd::BorrowedFd<'_>; N],
    wait: Duration,
) -> [bool; N] {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    // Rounded up: a wait of less than a millisecond rounded down to none
    // would turn the caller's wait into a busy loop.
    let ms = u16::try_from(wait.as_micros().div_ceil(1000)).unwrap_or(u16::MAX);
    let mut polled = fds.map(|fd| PollFd::new(fd, PollFlags::POLLIN));
    if !poll(&mut polled, PollTimeout::from(ms)).is_ok_and(|n| n > 0) {
        return [false; N];
    }
    polled.map(|p| p.any().unwrap_or(false))
}

/// Environment variable that tells a worker on which descriptor the
/// parent left its output stream (see [`pass_output_fd`]).
pub const OUTPUT_FD_ENV: &str = "XHARNESS_WORKER_OUTPUT_FD";

/// The descriptor a worker finds its output stream at.
const OUTPUT_FD: i32 = 3;

/// Make the process `cmd` starts find `fd`, a descriptor of this process
/// opened close-on-exec, as its output stream: at descriptor 3, kept open
/// across exec, named by [`OUTPUT_FD_ENV`]. `fd` must stay open until the
/// process has started.
pub fn pass_output_fd(cmd: &mut Command, fd: std::os::fd::RawFd) {
    use nix::libc;
    use std::os::unix::process::CommandExt;
    cmd.env(OUTPUT_FD_ENV, OUTPUT_FD.to_string());
    // SAFETY: the closure runs in the forked child before exec and only
    // calls dup2(2) or fcntl(2), both async-signal-safe, on descriptors
    // the child inherited; it allocates nothing.
    unsafe {
        cmd.pre_exec(move || {
            // dup2 onto a different descriptor clears close-on-exec on the
            // copy; a descriptor that already is 3 needs it cleared itself.
            let done = if fd == OUTPUT_FD {
                libc::fcntl(OUTPUT_FD, libc::F_SETFD, 0)
            } else {
                libc::dup2(fd, OUTPUT_FD)
            };
            if done < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// In a worker process: the output stream the parent passed (see
/// [`pass_output_fd`]), made close-on-exec so nothing the worker starts
/// holds it open.
pub fn take_output_stream() -> std::io::Result<File> {
    use nix::libc;
    let fd: i32 = std::env::var(OUTPUT_FD_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&fd| fd > 2)
        .ok_or_else(|| {
            std::io::Error::other(format!(
                "{OUTPUT_FD_ENV} does not name a descriptor (workers are started by xharness)"
            ))
        })?;
    // SAFETY: fcntl(2) on a descriptor number only reads or sets its flags;
    // a number that is not open fails with EBADF, checked here.
    if unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) } < 0 {
        return Err(std::io::Error::other(format!(
            "descriptor {fd} named by {OUTPUT_FD_ENV} is not open: {}",
            std::io::Error::last_os_error()
        )));
    }
    // SAFETY: the parent passed this descriptor for the worker's output
    // alone; nothing else in this process owns or closes it.
    Ok(unsafe { File::from_raw_fd(fd) })
}

/// The resident set size of process `pid` in bytes, if it can be read.
pub fn rss_bytes(pid: u32) -> Option<u64> {
    let statm = std::fs::read_to_string(format!("/proc/{pid}/statm")).ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * page_size())
}

fn page_size() -> u64 {
    static SIZE: OnceLock<u64> = OnceLock::new();
    *SIZE.get_or_init(|| {
        nix::unistd::sysconf(nix::unistd::SysconfVar::PAGE_SIZE)
            .ok()
            .flatten()
            .and_then(|n| u64::try_from(n).ok())
            .unwrap_or(4096)
    })
}

/// In a worker process: the stream the protocol is written to. File
/// descriptor 1 is moved to a private descriptor for the protocol, and
/// stderr takes its place, so a stray print from an engine or library can
/// never corrupt a frame.
pub fn take_stdout_for_protocol() -> std::io::Result<File> {
    use nix::libc;
    // SAFETY: dup(2) on descriptor 1, which the process owns; the result
    // is checked before use.
    let fd = unsafe { libc::dup(1) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: dup2(2) of stderr over stdout: both descriptors belong to
    // this process; Rust's `std::io::stdout` keeps working (it now writes
    // to stderr's file).
    if unsafe { libc::dup2(2, 1) } < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `fd` is a fresh descriptor from dup(2) above, owned by no
    // other object, so the File may own and close it.
    Ok(unsafe { File::from_raw_fd(fd) })
}

/// End the process at once with `code`, from any thread: no destructors,
/// no atexit handlers, no waiting on a lock the guest's thread may hold.
pub fn exit_now(code: i32) -> ! {
    // SAFETY: _exit(2) ends the process without running any user-space
    // code; nothing of this process is used afterwards.
    unsafe { nix::libc::_exit(code) }
}

static INTERRUPTED: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// Catch SIGINT and SIGTERM: the first sets the flag [`interrupted`]
/// reads, so the run can stop its workers and write partial reports; a
/// second one ends the process at once (exit 130).
pub fn catch_interrupts() -> std::io::Result<()> {
    let flag = INTERRUPTED.get_or_init(|| Arc::new(AtomicBool::new(false)));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register_conditional_shutdown(signal, 130, flag.clone())?;
        signal_hook::flag::register(signal, flag.clone())?;
    }
    Ok(())
}

/// Whether SIGINT or SIGTERM arrived since [`catch_interrupts`].
pub fn interrupted() -> bool {
    INTERRUPTED
        .get()
        .is_some_and(|flag| flag.load(Ordering::Relaxed))
}

/// A description of how a child process ended, like `killed by SIGABRT`.
pub fn describe_exit(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    if let Some(code) = status.code() {
        return format!("exited with code {code}");
    }
    match status.signal().and_then(|s| Signal::try_from(s).ok()) {
        Some(signal) => format!("was killed by {signal}"),
        None => "was killed by a signal".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsFd;
    use std::time::Instant;

    #[test]
    fn a_wait_shorter_than_a_millisecond_still_waits() {
        let (read, _write) = nix::unistd::pipe().expect("pipe");
        for wait in [Duration::from_micros(300), Duration::from_micros(1500)] {
            let start = Instant::now();
            assert_eq!(which_readable([read.as_fd()], wait), [false]);
            assert!(
                start.elapsed() >= wait,
                "{wait:?} took {:?}",
                start.elapsed()
            );
        }
    }

    #[test]
    fn which_readable_names_the_stream_with_data_and_the_closed_one() {
        let (a, a_write) = nix::unistd::pipe().expect("pipe");
        let (b, b_write) = nix::unistd::pipe().expect("pipe");
        nix::unistd::write(&b_write, b"x").expect("write");
        let wait = Duration::from_secs(5);
        assert_eq!(which_readable([a.as_fd(), b.as_fd()], wait), [false, true]);
        drop(a_write);
        assert_eq!(which_readable([a.as_fd(), b.as_fd()], wait), [true, true]);
        drop(b_write);
    }
}
