//! End-to-end: `xharness exec` with real processes. Drivers written in sh
//! and Python spawn a wasm program (C compiled with clang for wasm32-wasi,
//! `chmod +x`) as if it were native; rules by extension with a shell-script
//! interpreter; nested drivers; native programs and files that match no
//! rule behave exactly as without xharness.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const XHARNESS: &str = env!("CARGO_BIN_EXE_xharness");

/// A temporary folder holding `prog.wasm` (executable) and `data.txt`.
struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/exec/prog.c");
        let out = dir.path().join("prog.wasm");
        let o = Command::new("clang")
            .args(["--target=wasm32-wasi", "-O1", "-Wno-unused-result"])
            .arg(&src)
            .arg("-o")
            .arg(&out)
            .output()
            .expect("clang runs (apt-get install clang lld wasi-libc libclang-rt-dev-wasm32)");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let d = Dir(dir);
        d.chmod("prog.wasm", 0o755);
        d.write("data.txt", "from the file\n", 0o644);
        d
    }

    fn path(&self) -> &Path {
        self.0.path()
    }

    fn write(&self, name: &str, text: &str, mode: u32) -> PathBuf {
        let p = self.path().join(name);
        std::fs::write(&p, text).expect("write");
        self.chmod(name, mode);
        p
    }

    fn chmod(&self, name: &str, mode: u32) {
        let p = self.path().join(name);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }

    /// `xharness exec OPTS -- COMMAND...` in this folder.
    fn exec(&self, opts: &[&str], command: &[&str]) -> Command {
        let mut c = Command::new(XHARNESS);
        c.arg("exec").args(opts).arg("--").args(command);
        c.current_dir(self.path());
        c
    }

    /// The same command without xharness.
    fn native(&self, command: &[&str]) -> Command {
        let mut c = Command::new(command[0]);
        c.args(&command[1..]).current_dir(self.path());
        c
    }
}

fn run(mut c: Command) -> Output {
    c.stdin(Stdio::null()).output().expect("starts")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn all(o: &Output) -> String {
    format!("{}{}", out(o), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn a_wasm_file_runs_directly_with_args_exit_code_stdin_and_the_cwd() {
    let d = Dir::new();
    for engine in ["wasmtime", "wasmer"] {
        let o = run(d.exec(&["--engine", engine], &["./prog.wasm", "exit", "7"]));
        assert_eq!(o.status.code(), Some(7), "{engine}: {}", all(&o));
        assert!(
            out(&o).starts_with("argc=3 [prog.wasm] [exit] [7]\n"),
            "{engine}: {}",
            all(&o)
        );
        let mut c = d.exec(&["--engine", engine], &["./prog.wasm", "stdin"]);
        c.stdin(Stdio::piped()).stdout(Stdio::piped());
        let mut child = c.spawn().expect("starts");
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(b"typed\n")
            .expect("write");
        let o = child.wait_with_output().expect("waits");
        assert!(out(&o).contains("stdin=typed\n"), "{engine}: {}", out(&o));
        let o = run(d.exec(&["--engine", engine], &["./prog.wasm", "file"]));
        assert!(
            out(&o).contains("file=from the file\n"),
            "{engine}: {}",
            all(&o)
        );
    }
}

#[test]
fn drivers_in_sh_and_python_spawn_wasm_with_arguments_and_environment() {
    let d = Dir::new();
    d.write(
        "driver.sh",
        "#!/bin/sh\nGREETING=hello ./prog.wasm one 'two words'\necho \"rc=$?\"\nsh -c './prog.wasm exit 3'\necho \"rc=$?\"\n",
        0o755,
    );
    let o = run(d.exec(&[], &["./driver.sh"]));
    let text = out(&o);
    assert!(o.status.success(), "{}", all(&o));
    assert!(
        text.contains("argc=3 [prog.wasm] [one] [two words]\nGREETING=hello\n"),
        "{text}"
    );
    assert!(text.contains("rc=0\n"), "{text}");
    assert!(text.contains("[exit] [3]"), "{text}");
    assert!(text.ends_with("rc=3\n"), "{text}");
    // Python's subprocess forks with vfork; one run from another thread.
    d.write(
        "driver.py",
        "import os, subprocess, threading\n\
         env = dict(os.environ, GREETING='from python')\n\
         r = subprocess.run(['./prog.wasm', 'exit', '5'], env=env, capture_output=True, text=True)\n\
         print('child said:', r.stdout.splitlines()[1], 'rc', r.returncode)\n\
         def worker():\n\
         \x20   r = subprocess.run(['./prog.wasm', 'thread'], capture_output=True, text=True)\n\
         \x20   print('thread child:', r.stdout.splitlines()[0])\n\
         t = threading.Thread(target=worker); t.start(); t.join()\n",
        0o644,
    );
    let o = run(d.exec(&[], &["python3", "driver.py"]));
    let text = out(&o);
    assert!(o.status.success(), "{}", all(&o));
    assert!(
        text.contains("child said: GREETING=from python rc 5\n"),
        "{text}"
    );
    assert!(
        text.contains("thread child: argc=2 [prog.wasm] [thread]\n"),
        "{text}"
    );
}

#[test]
fn nested_drivers_and_a_second_rule_by_extension_with_a_script_interpreter() {
    let d = Dir::new();
    d.write("interp.sh", "#!/bin/sh\necho \"interp: $#: $*\"\n", 0o755);
    d.write("notes.txt", "text\n", 0o755);
    d.write(
        "inner.sh",
        "#!/bin/sh\n./prog.wasm inner\n./notes.txt a b\n",
        0o755,
    );
    d.write("outer.sh", "#!/bin/sh\nsh -c ./inner.sh\n", 0o755);
    let rule = ":txt:E::txt::./interp.sh:";
    let o = run(d.exec(&["--binfmt", rule], &["./outer.sh"]));
    let text = out(&o);
    assert!(o.status.success(), "{}", all(&o));
    assert!(text.contains("argc=2 [prog.wasm] [inner]\n"), "{text}");
    assert!(text.contains("interp: 3: ./notes.txt a b\n"), "{text}");
    // Flag P keeps argv[0]; rules also come from a file.
    d.write(
        "rules",
        "# extension rules\n:txt:E::txt::./interp.sh:P\n",
        0o644,
    );
    let o = run(d.exec(&["--binfmt-file", "rules"], &["./notes.txt", "a"]));
    assert!(
        out(&o).contains("interp: 3: ./notes.txt ./notes.txt a\n"),
        "{}",
        all(&o)
    );
}

#[test]
fn native_programs_and_files_no_rule_matches_behave_as_without_xharness() {
    let d = Dir::new();
    d.write("junk", "not a program\u{1}\n", 0o755);
    d.chmod("data.txt", 0o644);
    let cases: [&[&str]; 5] = [
        &["sh", "-c", "uname -s; /bin/true; echo $?"],
        &["sh", "-c", "./junk"],
        &["sh", "-c", "./data.txt"],
        &["sh", "-c", "exec ./missing"],
        &["sh", "-c", "kill -TERM $$"],
    ];
    for command in cases {
        let native = run(d.native(command));
        let traced = run(d.exec(&[], command));
        assert_eq!(
            traced.status.code(),
            native.status.code(),
            "{command:?}: {}",
            all(&traced)
        );
        assert_eq!(
            traced.status.signal(),
            native.status.signal(),
            "{command:?}"
        );
        assert_eq!(out(&traced), out(&native), "{command:?}");
        assert_eq!(
            traced.stderr,
            native.stderr,
            "{command:?}: {}",
            all(&traced)
        );
    }
    // A wasm file without the execute bit is refused, as the kernel would.
    d.chmod("prog.wasm", 0o644);
    let o = run(d.exec(&[], &["sh", "-c", "./prog.wasm; echo rc=$?"]));
    assert!(out(&o).contains("rc=126"), "{}", all(&o));
}

/// Two supervised runs overlap: each driver runs the wasm program, then
/// waits for the other's wasm program to have run before it ends, so both
/// succeed only if both supervisors were alive at once.
#[test]
fn two_runs_with_different_engines_at_once() {
    let d = Dir::new();
    let start = |me: &str, other: &str| {
        let script = format!(
            "./prog.wasm > out.{me} || exit 8; touch ran.{me}; \
             i=0; while [ ! -e ran.{other} ]; do \
               i=$((i+1)); [ $i -gt 600 ] && {{ echo 'the other run never ran while this one was alive'; exit 9; }}; \
               sleep 0.05; \
             done; cat out.{me}"
        );
        let mut c = d.exec(&["--engine", me], &["sh", "-c", &script]);
        c.stdout(Stdio::piped());
        c.spawn().expect("starts")
    };
    let (a, b) = (start("wasmtime", "wasmer"), start("wasmer", "wasmtime"));
    let (a, b) = (
        a.wait_with_output().expect("a"),
        b.wait_with_output().expect("b"),
    );
    assert_eq!(a.status.code(), Some(0), "{}", all(&a));
    assert_eq!(b.status.code(), Some(0), "{}", all(&b));
    // The engines name the first preopened directory differently.
    assert!(out(&a).contains("fd3=.\n"), "{}", all(&a));
    assert!(out(&b).contains("fd3=/\n"), "{}", all(&b));
}

#[test]
fn bad_rules_and_missing_commands_are_reported() {
    let d = Dir::new();
    let o = run(d.exec(&["--binfmt", ":x:M::abc::/no/such/interp:"], &["true"]));
    assert_eq!(o.status.code(), Some(2), "{}", all(&o));
    assert!(all(&o).contains("/no/such/interp"), "{}", all(&o));
    d.write(
        "rules",
        ":ok:E::txt::/bin/sh:\n:bad:Q::x::/bin/sh:\n",
        0o644,
    );
    let o = run(d.exec(&["--binfmt-file", "rules"], &["true"]));
    assert_eq!(o.status.code(), Some(2), "{}", all(&o));
    assert!(all(&o).contains("rules:2:"), "{}", all(&o));
    let o = run(d.exec(&[], &["no-such-command-here"]));
    assert_eq!(o.status.code(), Some(127), "{}", all(&o));
    assert!(
        all(&o).contains("no-such-command-here: command not found"),
        "{}",
        all(&o)
    );
}
