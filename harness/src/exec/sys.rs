//! Every `unsafe` block of `xharness exec`: starting the traced child with
//! its seccomp filter, and the supervisor's own signal dispositions.
//! Linux on x86_64 only (the filter names x86_64 system call numbers).

use std::ffi::CString;

use nix::sys::signal::{SigHandler, Signal};
use nix::unistd::{ForkResult, Pid};

/// x86_64 system call numbers of the two calls that stop in the supervisor.
pub const SYS_EXECVE: u64 = 59;
/// See [`SYS_EXECVE`].
pub const SYS_EXECVEAT: u64 = 322;

/// `AUDIT_ARCH_X86_64`: EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE.
const AUDIT_ARCH_X86_64: u32 = 62 | 0x8000_0000 | 0x4000_0000;

/// The filter: on x86_64, `execve` and `execveat` stop in the tracer
/// (`SECCOMP_RET_TRACE`); every other call, and every call of another ABI,
/// runs untouched at full speed.
fn filter() -> [libc::sock_filter; 7] {
    const LD_W_ABS: u16 = (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16;
    const JEQ_K: u16 = (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16;
    const RET_K: u16 = (libc::BPF_RET | libc::BPF_K) as u16;
    let stmt = |code, k| libc::sock_filter {
        code,
        jt: 0,
        jf: 0,
        k,
    };
    let jump = |k, jt, jf| libc::sock_filter {
        code: JEQ_K,
        jt,
        jf,
        k,
    };
    // struct seccomp_data { int nr; __u32 arch; ... }
    [
        stmt(LD_W_ABS, 4),                    // 0: A = arch
        jump(AUDIT_ARCH_X86_64, 0, 3),        // 1: other ABI -> 5 (allow)
        stmt(LD_W_ABS, 0),                    // 2: A = nr
        jump(SYS_EXECVE as u32, 2, 0),        // 3: execve -> 6 (trace)
        jump(SYS_EXECVEAT as u32, 1, 0),      // 4: execveat -> 6 (trace)
        stmt(RET_K, libc::SECCOMP_RET_ALLOW), // 5
        stmt(RET_K, libc::SECCOMP_RET_TRACE), // 6
    ]
}

/// Fork; the child asks to be traced, stops until the parent has set the
/// trace options, installs the filter and execs `argv` (searching PATH).
/// The parent gets the child's pid, stopped by `SIGSTOP`.
pub fn spawn_traced(argv: &[CString]) -> crate::Result<Pid> {
    let mut pointers: Vec<*const libc::c_char> = argv.iter().map(|a| a.as_ptr()).collect();
    pointers.push(std::ptr::null());
    let mut program = filter();
    let prog = libc::sock_fprog {
        len: program.len() as u16,
        filter: program.as_mut_ptr(),
    };
    let failed = b"xharness exec: cannot run the command\n";
    // SAFETY: the child only makes system calls on data prepared before
    // the fork (argv pointers, the filter) and ends in exec or _exit; the
    // supervisor has started no threads at this point.
    match unsafe { nix::unistd::fork() } {
        Err(e) => Err(format!("cannot fork: {e}").into()),
        Ok(ForkResult::Parent { child }) => Ok(child),
        Ok(ForkResult::Child) => {
            // SAFETY: plain system calls with valid arguments: a null
            // ptrace request for ourselves, a signal to ourselves, prctl
            // with a sock_fprog that lives until exec, execvp with a
            // null-terminated array of C strings, write of a static buffer.
            unsafe {
                if libc::ptrace(libc::PTRACE_TRACEME, 0, 0, 0) != 0 {
                    libc::_exit(126);
                }
                libc::raise(libc::SIGSTOP);
                if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0
                    || libc::prctl(libc::PR_SET_SECCOMP, libc::SECCOMP_MODE_FILTER, &prog) != 0
                {
                    libc::_exit(126);
                }
                libc::execvp(pointers[0], pointers.as_ptr());
                let errno = *libc::__errno_location();
                libc::write(2, failed.as_ptr().cast(), failed.len());
                libc::_exit(if errno == libc::ENOENT { 127 } else { 126 });
            }
        }
    }
}

/// Ignore SIGINT and SIGQUIT while the command runs, as a shell waiting
/// for a foreground job does: the terminal sends them to the command too,
/// and its exit status says what happened.
pub fn ignore_terminal_signals() {
    for sig in [Signal::SIGINT, Signal::SIGQUIT] {
        // SAFETY: SIG_IGN installs no handler code.
        let _ = unsafe { nix::sys::signal::signal(sig, SigHandler::SigIgn) };
    }
}

/// Die of `sig` as the command did, so our parent sees the same status.
pub fn die_of(sig: Signal) {
    // SAFETY: SIG_DFL installs no handler code.
    let _ = unsafe { nix::sys::signal::signal(sig, SigHandler::SigDfl) };
    let _ = nix::sys::signal::raise(sig);
}
