//! One attempt of a job: compile the case (once, shared by its engines),
//! prepare its scratch directory, private copies and preopens, send the job
//! to a worker under its deadline and judge how it ended. Retries wrap
//! attempts; finishing a case across engines is [`crate::finish`]'s.

use std::path::Path;

use xharness_reports::{CaseResult, Reason, Status};
use xharness_suites::{Case, Expectation};

use super::Session;
use crate::toolchain::Artifact;
use crate::verdict::{self, Failure, JobRecord};
use crate::worker::{Job, Watch};

impl Session {
    pub(super) fn run_one_with(&self, c: usize, engine: &str, honour_skip: bool) -> JobRecord {
        let mut record = crate::retry::with_retries(self.opts.retries, self.opts.bless, || {
            self.attempt(c, engine, honour_skip)
        });
        self.norms[c].note_problems(&mut record);
        record
    }

    fn attempt(&self, c: usize, engine: &str, honour_skip: bool) -> JobRecord {
        let case = &self.suite.cases[c];
        if let (Some(Expectation::Skip(why)), true) = (case.expectation(engine), honour_skip) {
            return JobRecord::bare(verdict::skipped(case, engine, why));
        }
        if let Some(steps) = case.shell() {
            return self.shell_attempt(c, engine, steps);
        }
        let fail = |reason, detail: String| {
            JobRecord::bare(verdict::finish(
                case,
                engine,
                Some(Failure { reason, detail }),
                0.0,
            ))
        };
        if case.expect.mode.compile_only() {
            return match self.compile_runs[c].get_or_init(|| self.compiler.compile_only(case)) {
                Ok(run) => verdict::judge_compile(
                    case,
                    engine,
                    run.ok,
                    run.exit_code,
                    run.output.clone(),
                    &self.norms[c],
                ),
                Err(f) => fail(Reason::CompileError, format!("{}\n{}", f.summary, f.output)),
            };
        }
        let artifact = match self.artifacts[c].get_or_init(|| self.compiler.module(case)) {
            Ok(a) => a,
            Err(_) if crate::sys::interrupted() => {
                let mut r = CaseResult::new(&case.name, engine, Status::NotRun);
                r.detail = "not run: the run was interrupted while compiling".into();
                return JobRecord::bare(r);
            }
            Err(f) => return fail(Reason::CompileError, format!("{}\n{}", f.summary, f.output)),
        };
        // A case that sees no scratch directory gets none: nothing to
        // create and empty per job.
        let scratch = match case
            .run
            .scratch
            .then(|| self.scratch.take(&case.source.stem))
        {
            Some(Ok(s)) => Some(s),
            Some(Err(e)) => return fail(Reason::InstantiateError, e.to_string()),
            None => None,
        };
        // The pool's directory exists already: with nothing to copy, no
        // call is made at all.
        if let Some(s) = &scratch
            && !case.inputs().is_empty()
            && let Err(e) = crate::scratch::copy_inputs(case.inputs(), s.path())
        {
            return fail(Reason::InstantiateError, e.to_string());
        }
        // Private copies of directories the case may change; removed when
        // the job is done (dropped at the end of this function).
        let copies = match crate::scratch::private_copies(case, &self.copies_parent) {
            Ok(c) => c,
            Err(e) => return fail(Reason::InstantiateError, e.to_string()),
        };
        let scratch_path = scratch.as_ref().map(|s| s.path());
        let (job, stdin) = match self.job_for(case, engine, artifact, scratch_path, &copies) {
            Ok(j) => j,
            Err(e) => return fail(Reason::InstantiateError, e.to_string()),
        };
        let watch = Watch {
            timeout: case.run.timeout,
            max_rss: case.run.max_memory.saturating_add(self.opts.rss_margin),
        };
        let end = self.pool.run(&job, &stdin, watch);
        let mut record = verdict::judge(case, engine, end, &self.norms[c]);
        if let (true, Some(s)) = (self.opts.keep_scratch, &scratch)
            && record.result.status != Status::Pass
        {
            record.result.detail.push_str(&format!(
                "\nscratch directory kept at {}\n",
                s.path().display()
            ));
        }
        record
    }

    pub(super) fn job_for(
        &self,
        case: &Case,
        engine: &str,
        artifact: &Artifact,
        scratch: Option<&Path>,
        copies: &[Option<tempfile::TempDir>],
    ) -> crate::Result<(Job, Vec<u8>)> {
        let stdin = match &case.run.stdin {
            Some(path) => match std::fs::read(path) {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
                Err(e) => {
                    return Err(format!("cannot read stdin file {}: {e}", path.display()).into());
                }
            },
            None => Vec::new(),
        };
        let mut preopens = Vec::new();
        if let Some(scratch) = scratch {
            preopens.push((scratch.to_path_buf(), ".".to_string(), false));
        }
        for (i, d) in case.run.dirs.iter().enumerate() {
            if !d.host.is_dir() {
                return Err(format!(
                    "directory {} (from [run] dirs) does not exist; create it or fix the entry",
                    d.host.display()
                )
                .into());
            }
            let host = match copies.get(i) {
                Some(Some(copy)) => copy.path().to_path_buf(),
                _ => d.host.clone(),
            };
            preopens.push((host, d.guest.clone(), d.read_only));
        }
        let mut argv = vec![format!("{}.wasm", case.source.stem)];
        argv.extend(case.run.args.iter().cloned());
        let job = Job {
            engine: engine.to_string(),
            wasm: artifact.path.clone(),
            wasm_sha256: artifact.sha256.clone(),
            cache_dir: self.opts.cache_dir.clone(),
            argv,
            env: case.run.env.clone(),
            preopens,
            max_memory: case.run.max_memory,
            output_cap: case.run.max_output,
            native: case.native().to_vec(),
            combine_output: case.run.combine_output,
            count_instructions: self.opts.count_instructions,
        };
        Ok((job, stdin))
    }
}
