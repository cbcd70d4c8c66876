//! The worker side: read jobs, run each on its engine, stream the output
//! back, one job at a time on the process's main thread.
//!
//! A job that asks to count instructions runs on its engine's counting
//! variant ([`Engine::counting`]), set up beside the plain engine on first
//! use and kept apart from it: its modules are instrumented native code,
//! cached under the variant's own configuration fingerprint.
//!
//! This is also why no job can ever run nested inside another's wait (the
//! stack overflow of cold wasmer runs): the worker schedules nothing. When
//! wasmer's compiler blocks on its own rayon pool, the waiting thread is
//! this plain main thread, which parks; rayon only lends a waiting thread
//! other work when that thread is itself a rayon worker.

use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use xharness_engines::cache::ModuleCache;
use xharness_engines::{
    Engine, EngineError, Invocation, Module, OutputStream, Preopen, Registry, Stdio, Tee,
};

use super::protocol::{self, Done, Job};

/// Modules a worker keeps loaded for the jobs that follow (per worker, of
/// any engine): enough for the engines of one case to reuse theirs, few
/// enough that memory stays flat however many modules a suite has.
const KEEP_LOADED: usize = 4;

/// Serve jobs on stdin until the parent closes it.
pub fn serve(registry: &Registry) -> ExitCode {
    let streams = crate::sys::take_stdout_for_protocol().and_then(|results| {
        let output = crate::sys::take_output_stream()?;
        Ok((results, output))
    });
    let (mut results, output) = match streams {
        Ok((results, output)) => (
            results,
            Arc::new(Mutex::new(Output {
                file: output,
                frames: 0,
            })),
        ),
        Err(e) => {
            eprintln!("xharness worker: cannot set up the protocol streams: {e}");
            return ExitCode::from(crate::exit::WORKER);
        }
    };
    let mut input = BufReader::new(std::io::stdin().lock());
    let mut worker = Worker {
        registry: registry.clone(),
        engines: HashMap::new(),
        caches: HashMap::new(),
        loaded: Vec::new(),
    };
    // Set up the engines the parent named while it prepares the first job
    // (one that fails is set up again, and fails, in its own jobs).
    let engines = std::env::var(super::process::ENGINES_ENV).unwrap_or_default();
    for name in engines.split(',').filter(|n| !n.is_empty()) {
        if let Ok(engine) = registry.create(name) {
            worker.engines.insert((name.to_string(), false), engine);
        }
    }
    loop {
        match protocol::read_job(&mut input) {
            Ok(Some((job, stdin))) => worker.handle(&job, stdin, &mut results, &output),
            Ok(None) => return ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("xharness worker: broken job stream: {e}");
                return ExitCode::from(crate::exit::WORKER);
            }
        }
    }
}

/// The output stream, and how many frames the current job wrote to it.
struct Output {
    file: File,
    frames: u64,
}

/// An engine's name and whether it is the counting variant.
type EngineKey = (String, bool);

struct Worker {
    registry: Registry,
    engines: HashMap<EngineKey, Arc<dyn Engine>>,
    caches: HashMap<std::path::PathBuf, ModuleCache>,
    /// Most recently used last, by (engine, module hash).
    loaded: Vec<((EngineKey, String), Module)>,
}

impl Worker {
    fn handle(
        &mut self,
        job: &Job,
        stdin: Vec<u8>,
        results: &mut File,
        output: &Arc<Mutex<Output>>,
    ) {
        crash_hook(job);
        let engine = match self.engine(&job.engine, job.count_instructions) {
            Ok(e) => e,
            Err(e) => {
                send(results, protocol::NO_ENGINE, e.to_string().as_bytes());
                return;
            }
        };
        let module = match self.module(job, &engine) {
            Ok(m) => m,
            Err(e) => {
                send(results, protocol::REJECTED, e.to_string().as_bytes());
                return;
            }
        };
        lock(output).frames = 0;
        let inv = invocation(job, stdin, output);
        let outcome = engine.run(&module, &inv);
        // Every output frame is written by now (the run has returned), so
        // the count is final and the parent finds them all before this.
        let output_frames = lock(output).frames;
        let done = Done {
            status: outcome.status,
            stdout_total: outcome.stdout.total,
            stdout_dropped: outcome.stdout.dropped,
            stderr_total: outcome.stderr.total,
            stderr_dropped: outcome.stderr.dropped,
            duration_ns: u64::try_from(outcome.duration.as_nanos()).unwrap_or(u64::MAX),
            instructions: outcome.instructions,
            output_frames,
        };
        match serde_json::to_vec(&done) {
            Ok(json) => send(results, protocol::DONE, &json),
            Err(e) => eprintln!("xharness worker: cannot encode a result: {e}"),
        }
    }

    /// The engine `name` (its counting variant when `counting`), set up
    /// on first use. An engine that cannot count runs plainly: its
    /// outcomes then carry no count.
    fn engine(&mut self, name: &str, counting: bool) -> Result<Arc<dyn Engine>, EngineError> {
        let key = (name.to_string(), counting);
        if let Some(e) = self.engines.get(&key) {
            return Ok(e.clone());
        }
        let engine = if counting {
            let plain = self.engine(name, false)?;
            plain.counting()?.unwrap_or(plain)
        } else {
            self.registry.create(name)?
        };
        self.engines.insert(key, engine.clone());
        Ok(engine)
    }

    fn module(&mut self, job: &Job, engine: &Arc<dyn Engine>) -> Result<Module, EngineError> {
        let key = (
            (job.engine.clone(), job.count_instructions),
            job.wasm_sha256.clone(),
        );
        if let Some(i) = self.loaded.iter().position(|(k, _)| *k == key) {
            let entry = self.loaded.remove(i);
            let module = entry.1.clone();
            self.loaded.push(entry);
            return Ok(module);
        }
        let sha = parse_sha(&job.wasm_sha256)?;
        let cache = self
            .caches
            .entry(job.cache_dir.clone())
            .or_insert_with(|| ModuleCache::new(job.cache_dir.clone()));
        let (module, _) = cache.load_or_compile_hashed(engine.as_ref(), &sha, || {
            std::fs::read(&job.wasm).map_err(|source| EngineError::Cache {
                path: job.wasm.clone(),
                source,
            })
        })?;
        if self.loaded.len() >= KEEP_LOADED {
            // Dropping the last handle frees the module's code.
            self.loaded.remove(0);
        }
        self.loaded.push((key, module.clone()));
        Ok(module)
    }
}

fn parse_sha(hex_text: &str) -> Result<[u8; 32], EngineError> {
    hex::decode(hex_text)
        .ok()
        .and_then(|v| <[u8; 32]>::try_from(v).ok())
        .ok_or_else(|| EngineError::Compile {
            message: format!("bad module hash `{hex_text}` from the parent"),
        })
}

fn invocation(job: &Job, stdin: Vec<u8>, output: &Arc<Mutex<Output>>) -> Invocation {
    let output = output.clone();
    let tee = Tee(Arc::new(move |stream, bytes: &[u8]| {
        let tag = match stream {
            OutputStream::Stdout => protocol::STDOUT,
            OutputStream::Stderr => protocol::STDERR,
        };
        let mut output = lock(&output);
        send(&mut output.file, tag, bytes);
        output.frames += 1;
        crash_after_output(bytes);
    }));
    Invocation {
        argv: job.argv.clone(),
        env: job.env.clone(),
        stdin,
        preopens: job
            .preopens
            .iter()
            .map(|(host, guest, read_only)| Preopen {
                host: host.clone(),
                guest: guest.clone(),
                read_only: *read_only,
            })
            .collect(),
        // The parent enforces the deadline by killing this process.
        timeout: Duration::MAX,
        max_memory: job.max_memory,
        output_cap: job.output_cap,
        stdio: Stdio::Capture,
        tee: Some(tee),
        native: job.native.clone(),
        combine_output: job.combine_output,
    }
}

fn send(stream: &mut File, tag: u8, payload: &[u8]) {
    if protocol::write_frame(stream, tag, payload).is_err() {
        // The parent is gone: nobody is waiting for this job.
        crate::sys::exit_now(3);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Debug builds only: `XHARNESS_WORKER_CRASH_AFTER_OUTPUT=TEXT` makes the
/// worker abort right after it sent guest output that contains TEXT, so
/// tests can check that what a guest printed before its worker died is
/// kept.
fn crash_after_output(bytes: &[u8]) {
    if !cfg!(debug_assertions) {
        return;
    }
    static TEXT: std::sync::OnceLock<Option<Vec<u8>>> = std::sync::OnceLock::new();
    let text = TEXT.get_or_init(|| {
        std::env::var_os("XHARNESS_WORKER_CRASH_AFTER_OUTPUT")
            .map(|t| t.into_encoded_bytes())
            .filter(|t| !t.is_empty())
    });
    if let Some(text) = text
        && bytes.windows(text.len()).any(|w| w == text.as_slice())
    {
        eprintln!("xharness worker: crashing on purpose (XHARNESS_WORKER_CRASH_AFTER_OUTPUT)");
        std::process::abort();
    }
}

/// Debug builds only: `XHARNESS_WORKER_CRASH_ON=TEXT` makes the worker
/// abort on a job whose argv[0] contains TEXT, so tests can check that a
/// dying worker fails only its own job.
fn crash_hook(job: &Job) {
    if !cfg!(debug_assertions) {
        return;
    }
    if let Some(text) = std::env::var_os("XHARNESS_WORKER_CRASH_ON") {
        let text = text.to_string_lossy();
        if !text.is_empty() && job.argv.first().is_some_and(|a| a.contains(&*text)) {
            eprintln!("xharness worker: crashing on purpose (XHARNESS_WORKER_CRASH_ON={text})");
            std::process::abort();
        }
    }
}
