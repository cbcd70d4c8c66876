//! Helpers shared by the bench binaries.
#![allow(dead_code)] // each bench compiles this module; not all use all of it

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Write a suite of `n` trivial WAT cases into `dir`: case `tN` prints
/// `ok tN` and has the matching golden, 500 cases per folder.
pub fn write_wat_suite(dir: &Path, n: usize) {
    std::fs::write(
        dir.join("suite.toml"),
        "name = \"gen\"\ninclude = [\"**/*.wat\"]\n[toolchain]\nbuiltin = \"wat\"\n",
    )
    .expect("write suite");
    for i in 0..n {
        let sub = dir.join(format!("d{}", i / 500));
        std::fs::create_dir_all(&sub).expect("mkdir");
        let text = format!("ok t{i}\n");
        let wat = format!(
            "(module (import \"wasi_snapshot_preview1\" \"fd_write\" (func $w (param i32 i32 i32 i32) (result i32)))\n(memory (export \"memory\") 1) (data (i32.const 64) \"{}\")\n(func (export \"_start\") (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const {})) (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))\n",
            text.escape_default(),
            text.len()
        );
        std::fs::write(sub.join(format!("t{i}.wat")), wat).expect("write case");
        std::fs::write(sub.join(format!("t{i}.stdout")), text).expect("write golden");
    }
}

/// Write the 200-case C suite (clang for wasm32-wasi) into `dir`: case
/// `caseNNN` prints `case N: N*N` and has the matching golden.
pub fn write_c_suite(dir: &Path) {
    std::fs::write(
        dir.join("suite.toml"),
        "name = \"c200\"\ninclude = [\"*.c\"]\n[toolchain]\ncommand = \"clang --target=wasm32-wasi -O1 {src} -o {out}\"\n",
    )
    .expect("write suite");
    for i in 0..200 {
        let src = format!(
            "#include <stdio.h>\nint main(void) {{ printf(\"case %d: %d\\n\", {i}, {i} * {i}); return 0; }}\n"
        );
        std::fs::write(dir.join(format!("case{i:03}.c")), src).expect("write case");
        std::fs::write(
            dir.join(format!("case{i:03}.stdout")),
            format!("case {i}: {}\n", i * i),
        )
        .expect("write golden");
    }
}

/// The median of `v` (not empty).
pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// `n` timings of `f`.
pub fn repeat(n: usize, mut f: impl FnMut() -> Duration) -> Vec<Duration> {
    (0..n).map(|_| f()).collect()
}

/// Medians of `n` runs of `a` and of `b`, interleaved (a b a b …) so that
/// background load on the machine hits both alike.
pub fn interleaved(
    n: usize,
    mut a: impl FnMut() -> Duration,
    mut b: impl FnMut() -> Duration,
) -> (Duration, Duration) {
    let (mut ta, mut tb) = (Vec::new(), Vec::new());
    for _ in 0..n {
        ta.push(a());
        tb.push(b());
    }
    (median(ta), median(tb))
}

/// A wasmtime cache configuration keeping its cache under `dir`.
pub fn wasmtime_cache_config(dir: &Path) -> PathBuf {
    let cfg = dir.join("cache.toml");
    std::fs::write(
        &cfg,
        format!("[cache]\ndirectory = \"{}\"\n", dir.join("c").display()),
    )
    .expect("write wasmtime cache config");
    cfg
}

/// `ls *.wasm | xargs -P2 -n1 wasmtime run` over the wasm modules in an
/// xharness cache (copied out of its `artifacts`), with wasmtime's own
/// cache on: what a shell loop around the wasmtime CLI costs.
pub struct WasmtimeLoop {
    script: String,
    _mods: tempfile::TempDir,
    _cache: tempfile::TempDir,
}

impl WasmtimeLoop {
    /// The loop over the modules of `xharness_cache`, run with `wasmtime`.
    pub fn new(wasmtime: &Path, xharness_cache: &Path) -> Self {
        let mods = tempfile::tempdir().expect("temp dir");
        for entry in std::fs::read_dir(xharness_cache.join("artifacts")).expect("artifacts") {
            let p = entry.expect("entry").path();
            if p.extension().is_some_and(|e| e == "wasm") {
                std::fs::copy(&p, mods.path().join(p.file_name().expect("name"))).expect("copy");
            }
        }
        let cache = tempfile::tempdir().expect("temp dir");
        let script = format!(
            "cd {} && ls *.wasm | xargs -P2 -n1 {} run -C cache=y -C cache-config={}",
            mods.path().display(),
            wasmtime.display(),
            wasmtime_cache_config(cache.path()).display()
        );
        WasmtimeLoop {
            script,
            _mods: mods,
            _cache: cache,
        }
    }

    /// Wall time of one pass over every module; each must exit 0.
    pub fn run(&self) -> Duration {
        let t = Instant::now();
        let ok = Command::new("sh")
            .args(["-c", &self.script])
            .stdout(Stdio::null())
            .status()
            .expect("sh")
            .success();
        assert!(ok, "wasmtime run failed");
        t.elapsed()
    }
}
