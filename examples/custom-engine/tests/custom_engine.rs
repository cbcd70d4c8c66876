//! The example binary runs a real suite on its own engine beside the
//! built-in ones, and its workers know that engine.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_my-xharness");

fn run(args: &[&str]) -> (Output, tempfile::TempDir) {
    let cache = tempfile::tempdir().expect("temp dir");
    let suite = Path::new(env!("CARGO_MANIFEST_DIR")).join("../c-basic");
    let out = Command::new(BIN)
        .arg("--suite")
        .arg(&suite)
        .arg("--cache-dir")
        .arg(cache.path())
        .args(args)
        .output()
        .expect("my-xharness runs (needs clang for wasm32-wasi: apt-get install clang lld wasi-libc libclang-rt-dev-wasm32)");
    (out, cache)
}

#[test]
fn all_is_the_built_in_engines_and_the_plugged_one() {
    let json = tempfile::NamedTempFile::new().expect("temp file");
    let path = json.path().to_str().expect("utf-8 temp path");
    let (o, _cache) = run(&["--engine", "all", "--json", path]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json.path()).expect("report written"))
            .expect("report is JSON");
    assert_eq!(
        report["engines"],
        serde_json::json!(["wasmtime", "wasmer", "wasmi", "wasmtime-o0"])
    );
    let results = report["results"].as_array().expect("results");
    let plugged: Vec<_> = results
        .iter()
        .filter(|r| r["engine"] == "wasmtime-o0")
        .collect();
    assert!(plugged.len() >= 10, "{} results", plugged.len());
    for r in &plugged {
        assert_eq!(r["status"], "pass", "{r}");
    }
    // The unoptimised engine agrees with every other engine on every case
    // but the one wasmer is known to differ on.
    assert_eq!(report["summary"]["divergent"], 1, "{}", report["summary"]);
    assert_eq!(
        report["summary"]["odd_one_out"],
        serde_json::json!({"wasmer": 1})
    );
}

#[test]
fn an_unknown_engine_lists_the_registered_ones() {
    let (o, _cache) = run(&["--engine", "wasmtime-o1"]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains(
            "unknown engine `wasmtime-o1` (this build has: wasmtime, wasmer, wasmi, wasmtime-o0)"
        ),
        "{stderr}"
    );
}
