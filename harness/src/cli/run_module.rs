//! `xharness run MODULE [ARGS...]`: one module, like a native program.
//!
//! Exit status: the module's own exit code; 134 after a trap (as the
//! wasmtime CLI does) or when the memory limit stops it; 124 on timeout; 2
//! when the module cannot be read, compiled or instantiated.
//!
//! No worker pool is needed for one module: the guest runs on the main
//! thread at full speed, and a watchdog thread ends the whole process with
//! 124 at the deadline, whatever the guest is doing (computing, sleeping,
//! reading a stdin that never closes).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use xharness_engines::cache::ModuleCache;
use xharness_engines::{Invocation, Preopen, Status, Stdio};

use super::RunArgs;

pub(super) fn main(
    args: &RunArgs,
    registry: &xharness_engines::Registry,
    env: &crate::config::Env,
) -> ExitCode {
    match run(args, registry, env) {
        Ok(code) => ExitCode::from(code),
        Err(message) => crate::error::report("xharness run", &message),
    }
}

fn run(
    args: &RunArgs,
    registry: &xharness_engines::Registry,
    env: &crate::config::Env,
) -> crate::Result<u8> {
    let path = args.module.display();
    let bytes = std::fs::read(&args.module).map_err(|e| {
        crate::Error::config_at(&args.module, None, format!("cannot read {path}: {e}"))
    })?;
    let wasm = if args.module.extension().is_some_and(|e| e == "wat") {
        wat::parse_bytes(&bytes)
            .map_err(|e| format!("{path}: invalid WAT: {e}"))?
            .into_owned()
    } else {
        bytes
    };
    let inv = invocation(args)?;
    let name = crate::registry::one_engine(registry, args.engine.as_deref())?;
    let engine = registry.create(&name).map_err(|e| e.to_string())?;
    watchdog(&args.module, inv.timeout)?;
    let cache = args
        .cache_dir
        .clone()
        .map_or_else(|| ModuleCache::new(&env.cache_dir), ModuleCache::new);
    let (module, _) = cache
        .load_or_compile(engine.as_ref(), &wasm)
        .map_err(|e| format!("{path}: {e}"))?;
    let outcome = engine.run(&module, &inv);
    match &outcome.status {
        Status::Exited(code) => Ok(exit_byte(*code)),
        Status::InstantiateError(why) => Err(format!("{path}: cannot instantiate: {why}").into()),
        other => {
            eprintln!("xharness run: {path}: {other}");
            Ok(exit_byte(other.exit_status()))
        }
    }
}

/// Process exit statuses are one byte; wasm exit codes are i32.
fn exit_byte(code: i32) -> u8 {
    (code & 0xff) as u8
}

fn invocation(args: &RunArgs) -> crate::Result<Invocation> {
    let program = args
        .module
        .file_name()
        .map_or_else(|| "module".into(), |n| n.to_string_lossy().into_owned());
    let mut inv = Invocation::new(program);
    inv.argv.extend(args.args.iter().cloned());
    inv.stdio = Stdio::Inherit;
    inv.timeout = parse_timeout(args.timeout)?;
    inv.max_memory = xharness_suites::parse_size(&args.max_memory)
        .map_err(|e| format!("--max-memory {}: {e}", args.max_memory))?;
    if args.inherit_env {
        inv.env.extend(std::env::vars_os().map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                v.to_string_lossy().into_owned(),
            )
        }));
    }
    for kv in &args.env {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| format!("--env {kv}: expected KEY=VALUE"))?;
        inv.env.push((k.to_string(), v.to_string()));
    }
    for d in &args.dirs {
        inv.preopens.push(parse_dir(d)?);
    }
    for file in &args.native {
        if !file.is_file() {
            return Err(format!("--native {}: no such file", file.display()).into());
        }
        inv.native.push(file.clone());
    }
    Ok(inv)
}

/// A positive number of seconds that fits a duration.
fn parse_timeout(secs: f64) -> crate::Result<Duration> {
    if !(secs.is_finite() && secs > 0.0) {
        return Err(crate::Error::usage(format!(
            "--timeout must be a positive number of seconds, not {secs}"
        )));
    }
    Duration::try_from_secs_f64(secs)
        .map_err(|_| format!("--timeout {secs} is too large; give at most a few years of seconds"))
        .map_err(crate::Error::Usage)
}

/// End the process with 124 when the deadline passes.
fn watchdog(module: &std::path::Path, timeout: Duration) -> crate::Result<()> {
    let module = module.display().to_string();
    std::thread::Builder::new()
        .name("xharness-watchdog".into())
        .spawn(move || {
            // Sleep in bounded steps: a huge timeout must not overflow.
            let start = std::time::Instant::now();
            while start.elapsed() < timeout {
                let left = timeout - start.elapsed();
                std::thread::sleep(left.min(Duration::from_secs(3600)));
            }
            eprintln!(
                "xharness run: {module}: timed out after {:.1} s",
                timeout.as_secs_f64()
            );
            crate::sys::exit_now(124)
        })
        .map(drop)
        .map_err(|e| format!("cannot start the watchdog thread: {e}"))
        .map_err(crate::Error::Internal)
}

/// `HOST[::GUEST][:ro]`.
fn parse_dir(spec: &str) -> crate::Result<Preopen> {
    let (spec, read_only) = match spec.strip_suffix(":ro") {
        Some(rest) => (rest, true),
        None => (spec, false),
    };
    let (host, guest) = match spec.split_once("::") {
        Some((h, g)) => (h, g),
        None => (spec, spec),
    };
    let host = PathBuf::from(host);
    if !host.is_dir() {
        return Err(format!("--dir {spec}: {} is not a directory", host.display()).into());
    }
    Ok(Preopen {
        host,
        guest: guest.to_string(),
        read_only,
    })
}
