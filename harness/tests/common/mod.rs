//! Helpers shared by the end-to-end tests: run the real binary on suites
//! the tests write into temporary directories.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A temporary suite directory with its own module cache.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub cache: tempfile::TempDir,
}

impl Fixture {
    pub fn new() -> Self {
        Fixture {
            dir: tempfile::tempdir().expect("temp dir"),
            cache: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Write `contents` to `rel` under the suite directory.
    pub fn file(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("has parent")).expect("mkdir");
        std::fs::write(&p, contents).expect("write");
        p
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(rel)).unwrap_or_default()
    }

    /// Run `xharness ARGS` in the suite directory.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_env(args, &[])
    }

    /// Run `xharness ARGS` in the suite directory with extra environment.
    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        self.command(args)
            .envs(env.iter().copied())
            .output()
            .expect("xharness starts")
    }

    /// `xharness ARGS` in the suite directory, with the fixture's cache, not
    /// started: for a test that sets up stdio itself.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_xharness"));
        c.args(args)
            .current_dir(self.dir.path())
            .env("XHARNESS_CACHE_DIR", self.cache.path())
            .env("NO_COLOR", "1");
        c
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn last_line(o: &Output) -> String {
    stdout(o).lines().last().unwrap_or_default().to_string()
}

/// A WAT module that writes `text` to `fd` and exits with `code`.
pub fn wat_print(fd: u32, text: &str, code: i32) -> String {
    let escaped: String = text.bytes().map(|b| format!("\\{b:02x}")).collect();
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "{escaped}")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const {len}))
    (drop (call $w (i32.const {fd}) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $exit (i32.const {code}))))"#,
        len = text.len()
    )
}

/// Remove timings like `(3.1 ms)` and `finished in 0.02 s` so output can be snapshotted.
pub fn without_timings(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let line = match (line.find(" ("), line.find(" ms)")) {
            (Some(a), Some(b)) if b > a => format!("{}{}", &line[..a], &line[b + 4..]),
            _ => line.to_string(),
        };
        let line = match line.find("finished in ") {
            Some(i) => format!("{}finished in <T>", &line[..i]),
            None => line,
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

pub const WAT_SUITE: &str = r#"name = "t"
include = ["**/*.wat"]
[toolchain]
builtin = "wat"
[run]
timeout = 2
max_memory = "16MiB"
"#;

/// Copy the folder `from` to `to` (file modes kept: a fixture's scripts
/// stay executable).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("entry");
        let dest = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy");
        }
    }
}

/// The results array of a JSON report.
pub fn results(json: &serde_json::Value) -> &Vec<serde_json::Value> {
    json["results"].as_array().expect("results array")
}

/// The record of `case` on `engine` in a JSON report.
pub fn find<'a>(json: &'a serde_json::Value, case: &str, engine: &str) -> &'a serde_json::Value {
    results(json)
        .iter()
        .find(|r| r["case"] == case && r["engine"] == engine)
        .unwrap_or_else(|| panic!("no result for {case} on {engine}"))
}

/// The JSON report the run wrote to `r.json`.
pub fn json_report(f: &Fixture) -> serde_json::Value {
    serde_json::from_str(&f.read("r.json")).expect("r.json is JSON")
}

/// Run the suite on `engines` with `env`, which must fail it; the run's
/// JSON report.
pub fn failing_run(f: &Fixture, engines: &str, env: &[(&str, &str)]) -> serde_json::Value {
    let o = f.run_env(
        &["--suite", ".", "--engine", engines, "--json", "r.json"],
        env,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    json_report(f)
}
