//! The supervisor's loop: wait for every tracee's events, rewrite the
//! `execve`/`execveat` calls that match a rule, pass everything else on.

use std::collections::HashSet;
use std::ffi::CString;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::sys::ptrace::{self, Event, Options};
use nix::sys::signal::Signal;
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;

use super::binfmt::{HEAD, Rule};
use super::sys;

/// Longest path or argument read from a tracee, and most arguments.
const MAX_STRING: usize = 1 << 20;
const MAX_ARGS: usize = 1 << 16;
/// Bytes left untouched below the tracee's stack pointer (the x86_64 red
/// zone is 128).
const STACK_GAP: u64 = 1024;

/// Run `command` under the rules; the command's exit status.
pub fn run(command: &[String], rules: Vec<Rule>) -> crate::Result<u8> {
    let argv: Vec<CString> = command
        .iter()
        .map(|a| {
            CString::new(a.as_bytes()).map_err(|_| format!("argument {a:?} contains a NUL byte"))
        })
        .collect::<Result<_, _>>()?;
    if argv.is_empty() {
        return Err("no command given: xharness exec [OPTIONS] -- COMMAND [ARGS...]".into());
    }
    if crate::program::find(&command[0]).is_none() {
        // As a shell says it, with a shell's status.
        return Err(crate::Error::NotFound {
            program: command[0].clone(),
            message: format!("{}: command not found", command[0]),
        });
    }
    let root = sys::spawn_traced(&argv)?;
    match waitpid(root, Some(WaitPidFlag::__WALL)) {
        Ok(WaitStatus::Stopped(_, Signal::SIGSTOP)) => {}
        other => {
            return Err(format!("the command did not start under tracing: {other:?}").into());
        }
    }
    let options = Options::PTRACE_O_TRACESECCOMP
        | Options::PTRACE_O_TRACEFORK
        | Options::PTRACE_O_TRACEVFORK
        | Options::PTRACE_O_TRACECLONE
        | Options::PTRACE_O_TRACEEXEC
        | Options::PTRACE_O_EXITKILL;
    ptrace::setoptions(root, options).map_err(|e| format!("cannot trace the command: {e}"))?;
    sys::ignore_terminal_signals();
    let mut supervisor = Supervisor {
        rules,
        seen: HashSet::from([root]),
    };
    let _ = ptrace::cont(root, None);
    let status = supervisor.serve(root)?;
    match status {
        WaitStatus::Exited(_, code) => Ok((code & 0xff) as u8),
        WaitStatus::Signaled(_, sig, _) => {
            sys::die_of(sig);
            Ok(128 + sig as u8)
        }
        other => Err(format!("the command ended oddly: {other:?}").into()),
    }
}

struct Supervisor {
    rules: Vec<Rule>,
    /// Tracees whose first stop has been seen (a new tracee starts with a
    /// `SIGSTOP` that is not a real signal).
    seen: HashSet<Pid>,
}

impl Supervisor {
    /// Serve until no tracee is left; how `root` ended.
    fn serve(&mut self, root: Pid) -> crate::Result<WaitStatus> {
        let mut root_status = None;
        loop {
            let status = match waitpid(None, Some(WaitPidFlag::__WALL)) {
                Ok(s) => s,
                Err(Errno::EINTR) => continue,
                Err(Errno::ECHILD) => break,
                Err(e) => return Err(format!("waiting for the command: {e}").into()),
            };
            match status {
                WaitStatus::Exited(pid, _) | WaitStatus::Signaled(pid, _, _) => {
                    self.seen.remove(&pid);
                    if pid == root {
                        root_status = Some(status);
                    }
                }
                WaitStatus::PtraceEvent(pid, _, event) => {
                    self.seen.insert(pid);
                    if event == Event::PTRACE_EVENT_SECCOMP as i32 {
                        // A tracee that vanished meanwhile needs nothing.
                        let _ = self.on_exec(pid);
                    }
                    let _ = ptrace::cont(pid, None);
                }
                WaitStatus::Stopped(pid, sig) => {
                    let first = self.seen.insert(pid);
                    let deliver = if first && sig == Signal::SIGSTOP {
                        None
                    } else if ptrace::getsiginfo(pid).is_err() {
                        // A group-stop: resume it (stops are not honoured).
                        None
                    } else {
                        Some(sig)
                    };
                    let _ = ptrace::cont(pid, deliver);
                }
                _ => {}
            }
        }
        root_status
            .ok_or_else(|| "lost track of the command".to_string())
            .map_err(crate::Error::Internal)
    }

    /// An `execve`/`execveat` stop: rewrite it when a rule matches.
    fn on_exec(&self, pid: Pid) -> crate::Result<()> {
        let mut regs = ptrace::getregs(pid).map_err(|e| e.to_string())?;
        let at = regs.orig_rax == sys::SYS_EXECVEAT;
        let (dirfd, path_ptr, argv_ptr, flags) = if at {
            (regs.rdi as i32, regs.rsi, regs.rdx, regs.r8)
        } else {
            (libc::AT_FDCWD, regs.rdi, regs.rsi, 0)
        };
        let mut mem = Mem::open(pid)?;
        let path = mem.string(path_ptr)?;
        let Some(host) = host_path(pid, dirfd, &path, flags) else {
            return Ok(());
        };
        let Some(rule) = self.rule_for(&host, &path) else {
            return Ok(());
        };
        let args = mem.strings(argv_ptr)?;
        // The kernel passes the path as given; an execveat's path is only
        // meaningful with its descriptor, so it gets the real path.
        let file = if at || path.is_empty() {
            std::fs::canonicalize(&host)
                .map(|p| p.as_os_str().as_bytes().to_vec())
                .unwrap_or_else(|_| path.clone())
        } else {
            path.clone()
        };
        let mut new_argv: Vec<Vec<u8>> = vec![rule.interpreter.as_os_str().as_bytes().to_vec()];
        new_argv.extend(rule.extra_args.iter().map(|a| a.as_bytes().to_vec()));
        new_argv.push(file);
        let keep = if rule.preserve_argv0 { 0 } else { 1 };
        new_argv.extend(args.into_iter().skip(keep));
        let (path_addr, argv_addr) = mem.write_argv(regs.rsp, &new_argv)?;
        if at {
            regs.rdi = libc::AT_FDCWD as i64 as u64;
            regs.rsi = path_addr;
            regs.rdx = argv_addr;
            regs.r8 = 0;
        } else {
            regs.rdi = path_addr;
            regs.rsi = argv_addr;
        }
        ptrace::setregs(pid, regs)
            .map_err(|e| e.to_string())
            .map_err(crate::Error::Internal)
    }

    /// The first rule matching an executable regular file.
    fn rule_for(&self, host: &Path, path: &[u8]) -> Option<&Rule> {
        let meta = std::fs::metadata(host).ok()?;
        if !meta.is_file() || nix::unistd::access(host, nix::unistd::AccessFlags::X_OK).is_err() {
            // Left to fail (EACCES) or run exactly as without xharness.
            return None;
        }
        let mut head = Vec::with_capacity(HEAD);
        File::open(host)
            .ok()?
            .take(HEAD as u64)
            .read_to_end(&mut head)
            .ok()?;
        let path = String::from_utf8_lossy(path);
        self.rules.iter().find(|r| r.matches(&head, &path))
    }
}

/// The file an exec names, as this process can open it: relative paths
/// through the tracee's cwd or directory descriptor under `/proc`.
fn host_path(pid: Pid, dirfd: i32, path: &[u8], flags: u64) -> Option<PathBuf> {
    let proc = PathBuf::from(format!("/proc/{pid}"));
    let rel = Path::new(std::ffi::OsStr::from_bytes(path));
    if path.is_empty() {
        let empty_ok = flags & libc::AT_EMPTY_PATH as u64 != 0;
        return empty_ok.then(|| proc.join(format!("fd/{dirfd}")));
    }
    if rel.is_absolute() {
        return Some(proc.join("root").join(rel.strip_prefix("/").ok()?));
    }
    let base = if dirfd == libc::AT_FDCWD {
        proc.join("cwd")
    } else {
        proc.join(format!("fd/{dirfd}"))
    };
    Some(base.join(rel))
}

/// A tracee's memory through `/proc/PID/mem`.
struct Mem(File);

impl Mem {
    fn open(pid: Pid) -> crate::Result<Self> {
        File::options()
            .read(true)
            .write(true)
            .open(format!("/proc/{pid}/mem"))
            .map(Mem)
            .map_err(|e| format!("cannot open the memory of {pid}: {e}"))
            .map_err(crate::Error::Internal)
    }

    fn read(&mut self, addr: u64, buf: &mut [u8]) -> crate::Result<usize> {
        self.0
            .seek(SeekFrom::Start(addr))
            .map_err(|e| e.to_string())?;
        self.0
            .read(buf)
            .map_err(|e| e.to_string())
            .map_err(crate::Error::Internal)
    }

    /// A NUL-terminated string.
    fn string(&mut self, mut addr: u64) -> crate::Result<Vec<u8>> {
        let mut out = Vec::new();
        let mut chunk = [0u8; 256];
        while out.len() < MAX_STRING {
            let n = self.read(addr, &mut chunk)?;
            if n == 0 {
                return Err("unreadable string".into());
            }
            if let Some(end) = chunk[..n].iter().position(|&b| b == 0) {
                out.extend_from_slice(&chunk[..end]);
                return Ok(out);
            }
            out.extend_from_slice(&chunk[..n]);
            addr += n as u64;
        }
        Err("string too long".into())
    }

    /// A NULL-terminated array of strings (argv); a null array is empty.
    fn strings(&mut self, mut addr: u64) -> crate::Result<Vec<Vec<u8>>> {
        let mut out = Vec::new();
        if addr == 0 {
            return Ok(out);
        }
        while out.len() < MAX_ARGS {
            let mut word = [0u8; 8];
            if self.read(addr, &mut word)? != 8 {
                return Err("unreadable argv".into());
            }
            let p = u64::from_ne_bytes(word);
            if p == 0 {
                return Ok(out);
            }
            out.push(self.string(p)?);
            addr += 8;
        }
        Err("too many arguments".into())
    }

    /// Write `argv` (strings, then the pointer array) below `sp`; the
    /// addresses of argv\[0\] and of the array.
    fn write_argv(&mut self, sp: u64, argv: &[Vec<u8>]) -> crate::Result<(u64, u64)> {
        let strings: usize = argv.iter().map(|a| a.len() + 1).sum();
        let table = (argv.len() + 1) * 8;
        let size = (strings + table + 15) as u64 & !15;
        let base = sp
            .checked_sub(STACK_GAP + size)
            .ok_or("no room below the stack pointer")?
            & !15;
        let mut block = Vec::with_capacity(size as usize);
        let mut pointers = Vec::with_capacity(argv.len() + 1);
        let table_at = base;
        let mut at = base + table as u64;
        for a in argv {
            pointers.push(at);
            at += a.len() as u64 + 1;
        }
        pointers.push(0);
        for p in &pointers {
            block.extend_from_slice(&p.to_ne_bytes());
        }
        for a in argv {
            block.extend_from_slice(a);
            block.push(0);
        }
        self.0
            .seek(SeekFrom::Start(base))
            .map_err(|e| e.to_string())?;
        self.0.write_all(&block).map_err(|e| e.to_string())?;
        Ok((pointers[0], table_at))
    }
}
