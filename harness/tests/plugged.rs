//! Engines plugged in from outside, and engines that break: a binary with a
//! registry of its own is its own worker, and an engine that fails or
//! panics while being set up, or panics while running, fails only its own
//! jobs, with the message, while the run goes on (wasmi's jobs beside them
//! pass).
//!
//! This test binary is such a binary: with `PLUGGED_CLI=1` its `main` is
//! `xharness::cli::main_with` on the registry below; the trials run it so.

use std::path::Path;
use std::process::{Command, ExitCode, Output};
use std::sync::Arc;

use libtest_mimic::{Arguments, Failed, Trial};
use xharness::engines::{Engine, EngineError, Invocation, Module, Outcome, Registry};

/// wasmi, wrapped: the same engine under another name, panicking in `run`.
struct PanicsInRun(Arc<dyn Engine>);

impl Engine for PanicsInRun {
    fn name(&self) -> &'static str {
        "panics-in-run"
    }
    fn version(&self) -> &'static str {
        "1"
    }
    fn config_fingerprint(&self) -> String {
        "test".into()
    }
    fn compile(&self, wasm: &[u8]) -> Result<Module, EngineError> {
        self.0.compile(wasm)
    }
    fn run(&self, _module: &Module, _inv: &Invocation) -> Outcome {
        panic!("the plugged engine gave up mid-run");
    }
}

fn registry() -> Registry {
    let mut r = xharness::default_registry();
    r.register("panics-in-run", || {
        let wasmi = xharness::default_registry().create("wasmi")?;
        Ok(Arc::new(PanicsInRun(wasmi)) as Arc<dyn Engine>)
    });
    r.register("fails-at-setup", || {
        Err(EngineError::Setup {
            engine: "fails-at-setup",
            message: "no licence for this engine".into(),
        })
    });
    r.register("panics-at-setup", || panic!("constructor exploded"));
    r.know("wasm3", "an engine of another build");
    r
}

fn main() -> ExitCode {
    let registry = registry();
    if let Some(code) = xharness::worker::serve_if_worker(&registry) {
        return code;
    }
    if std::env::var_os("PLUGGED_CLI").is_some() {
        return xharness::cli::main_with(&registry);
    }
    let trials = vec![
        Trial::test("broken_engines_fail_only_their_own_jobs", broken_engines),
        Trial::test(
            "suite_keys_of_engines_this_build_lacks_warn",
            missing_engine_keys,
        ),
    ];
    libtest_mimic::run(&Arguments::from_args(), trials).exit_code()
}

fn cli(args: &[&str], cwd: &Path) -> Output {
    Command::new(std::env::current_exe().expect("own path"))
        .env("PLUGGED_CLI", "1")
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("runs itself")
}

fn check(ok: bool, what: impl FnOnce() -> String) -> Result<(), Failed> {
    if ok { Ok(()) } else { Err(what().into()) }
}

fn broken_engines() -> Result<(), Failed> {
    let dir = tempfile::tempdir()?;
    let suite = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/wat-demo");
    let json = dir.path().join("r.json");
    let o = cli(
        &[
            "--suite",
            suite.to_str().ok_or("utf-8 path")?,
            "--engine",
            "wasmi,panics-in-run,fails-at-setup,panics-at-setup",
            "--cache-dir",
            dir.path().to_str().ok_or("utf-8 path")?,
            "--json",
            json.to_str().ok_or("utf-8 path")?,
        ],
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    check(o.status.code() == Some(1), || {
        format!("status {:?}\n{stderr}", o.status)
    })?;
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json)?)?;
    let results = report["results"].as_array().ok_or("no results")?;
    let cases = results.iter().filter(|r| r["engine"] == "wasmi").count();
    check(cases >= 2, || format!("{cases} wasmi results"))?;
    for r in results {
        let (engine, status, detail) = (
            r["engine"].as_str().unwrap_or(""),
            r["status"].as_str().unwrap_or(""),
            r["detail"].as_str().unwrap_or(""),
        );
        let want: Option<&str> = match engine {
            "wasmi" => None,
            "panics-in-run" => Some("the plugged engine gave up mid-run"),
            "fails-at-setup" => Some("no licence for this engine"),
            "panics-at-setup" => {
                Some("the panics-at-setup engine panicked while being set up: constructor exploded")
            }
            other => return Err(format!("unexpected engine {other}").into()),
        };
        match want {
            None => check(status == "pass" || status == "xfail", || {
                format!("wasmi: {r}")
            })?,
            Some(message) => check(
                (status == "fail" || status == "error") && detail.contains(message),
                || format!("{engine}: want a failure naming {message:?}, got {r}"),
            )?,
        }
    }
    check(results.len() == cases * 4, || {
        format!("{} results for {cases} cases", results.len())
    })
}

fn missing_engine_keys() -> Result<(), Failed> {
    let dir = tempfile::tempdir()?;
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text);
    write("ok.wat", "(module (func (export \"_start\")))")?;
    let suite = |expect: &str| {
        format!("name = \"keys\"\ninclude = [\"*.wat\"]\n[toolchain]\nbuiltin = \"wat\"\n{expect}")
    };
    write(
        "suite.toml",
        &suite("[expect.wasm3]\n\"ok\" = \"xfail: not here\"\n"),
    )?;
    let cache = dir.path().join("cache");
    let cache = cache.to_str().ok_or("utf-8 path")?;
    let o = cli(
        &["--suite", ".", "--engine", "wasmi", "--cache-dir", cache],
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    check(o.status.code() == Some(0), || {
        format!("status {:?}\n{stderr}", o.status)
    })?;
    check(
        stderr.contains("suite.toml:6: [expect.wasm3] names `wasm3`, which this build cannot run (an engine of another build)"),
        || stderr.clone(),
    )?;
    write(
        "suite.toml",
        &suite("[expect.wasmtme]\n\"ok\" = \"xfail: typo\"\n"),
    )?;
    let o = cli(
        &["--suite", ".", "--engine", "wasmi", "--cache-dir", cache],
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    check(o.status.code() == Some(2), || {
        format!("status {:?}\n{stderr}", o.status)
    })?;
    check(
        stderr.contains("suite.toml:6: [expect.wasmtme]: unknown engine `wasmtme`; engines are wasmtime, wasmer, wasmi, panics-in-run, fails-at-setup, panics-at-setup, wasm3"),
        || stderr.clone(),
    )
}
