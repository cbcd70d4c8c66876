//! The engine seam's test helpers, shared by the tests that drive
//! `Engine` directly on every engine of the default registry: the engines
//! themselves, guests built from WAT or from `guests/guest.c` (clang for
//! wasm32-wasi, installed by `.ci/run`), invocations and scratch folders.

#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, OnceLock};

use xharness_engines::{Engine, Invocation, Outcome};

pub fn engines() -> &'static Vec<Arc<dyn Engine>> {
    static E: OnceLock<Vec<Arc<dyn Engine>>> = OnceLock::new();
    E.get_or_init(|| {
        let registry = xharness::default_registry();
        registry
            .names()
            .into_iter()
            .map(|n| registry.create(n).expect("engine starts"))
            .collect()
    })
}

/// A WAT module with WASI's fd_write imported, one exported page of memory
/// and `body` as `_start`.
pub fn wat(body: &str, extra: &str) -> Vec<u8> {
    let text = format!(
        r#"(module
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          {extra}
          (memory (export "memory") 2)
          (func (export "_start") {body}))"#
    );
    wat::parse_str(&text).expect("test WAT parses")
}

pub fn c_guest() -> &'static [u8] {
    static W: OnceLock<Vec<u8>> = OnceLock::new();
    W.get_or_init(|| {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/guests/guest.c");
        let out = std::env::temp_dir().join(format!("xharness-guest-{}.wasm", std::process::id()));
        let status = Command::new("clang")
            .args(["--target=wasm32-wasi", "-O1"])
            .arg(&src)
            .arg("-o")
            .arg(&out)
            .status()
            .expect("clang for wasm32-wasi must be installed (bash .ci/run installs it)");
        assert!(status.success(), "clang failed on {}", src.display());
        let bytes = std::fs::read(&out).expect("clang wrote the module");
        let _ = std::fs::remove_file(&out);
        bytes
    })
}

/// Run on every engine; return (engine name, outcome) pairs.
pub fn run_all(wasm: &[u8], inv: &Invocation) -> Vec<(&'static str, Outcome)> {
    engines()
        .iter()
        .map(|e| {
            let module = e
                .compile(wasm)
                .unwrap_or_else(|err| panic!("{} compile: {err}", e.name()));
            (e.name(), e.run(&module, inv))
        })
        .collect()
}

pub fn inv(args: &[&str]) -> Invocation {
    let mut inv = Invocation::new("guest");
    inv.argv.extend(args.iter().map(|s| s.to_string()));
    inv
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn scratch(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("xharness-{name}-"))
        .tempdir()
        .expect("temp dir")
}
