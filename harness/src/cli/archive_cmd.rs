//! `xharness archive --suite S [--engine E] [FILTER…] -o FILE.tar.zst
//! [--precompile]`: discover and compile once, write one archive (see
//! [`crate::archive`]).

use std::process::ExitCode;

use super::args::ArchiveArgs;
use crate::config::Env;
use crate::toolchain::Compiler;
use crate::worker::{Pool, WorkerCommand};
use xharness_engines::Registry;

pub(super) fn main(args: &ArchiveArgs, registry: &Registry, env: &Env) -> ExitCode {
    match run(args, registry, env) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => crate::error::report("xharness archive", &message),
    }
}

fn run(args: &ArchiveArgs, registry: &Registry, env: &Env) -> crate::Result<()> {
    let s = &args.suite;
    if s.archive.is_some() {
        return Err(crate::Error::usage(
            "an archive is built from a suite's source tree: pass --suite, not --archive",
        ));
    }
    let engines = registry.select(&s.engine)?;
    let jobs = s
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let cache_dir = s.cache_dir.clone().unwrap_or_else(|| env.cache_dir.clone());
    // Workers list the tests of libtest binaries; nothing else runs.
    let pool = Pool::new(WorkerCommand::current_exe()?, &engines);
    let ready = super::run_suite::load_suite(s, &engines, &pool, &cache_dir, jobs, env)?;
    let suite = &ready.suite;
    let cases = suite.filter(&s.filters, s.exact);
    if cases.is_empty() {
        return Err(crate::Error::usage(format!(
            "no case of suite {} matches {}; see --list",
            suite.name,
            s.filters.join(" ")
        )));
    }
    let compiler = Compiler::new(suite, &cache_dir).knowing(&ready.module_hashes);
    let precompile = if args.precompile {
        engines
            .iter()
            .map(|e| registry.create(e))
            .collect::<Result<Vec<_>, _>>()?
    } else {
        Vec::new()
    };
    let started = std::time::Instant::now();
    let w = crate::archive::write(
        &crate::archive::Build {
            suite,
            cases: &cases,
            engines: &engines,
            compiler: &compiler,
            jobs,
            precompile: &precompile,
            cache_dir: &cache_dir,
        },
        &args.out,
    )?;
    println!(
        "wrote {}: {} cases of suite {}, {} modules{}, {} entries, {} bytes, in {:.2} s",
        args.out.display(),
        w.cases,
        suite.name,
        w.modules,
        if w.not_compiled > 0 {
            format!(
                " ({} cases did not compile; the run reports them)",
                w.not_compiled
            )
        } else {
            String::new()
        },
        w.entries,
        w.bytes,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
