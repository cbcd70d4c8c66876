//! `xharness report merge|html`: reports drawn from saved runs, nothing re-run.
//!
//! CI is the distributed engine: N machines each run a shard
//! (`--partition hash:K/N --json shard-K.json`) and one job merges the
//! files into the reports a single run writes. Exit status: 0 when the
//! merged run passed, 1 when any case failed or did not run (so a merge
//! step can gate the pipeline), 2 when a file cannot be read or written.

use std::path::Path;
use std::process::ExitCode;

use xharness_reports::{HtmlReport, JsonReport, JunitReport, Reporter, SavedRun};

use super::{HtmlArgs, MergeArgs, ReportCommand};

pub(super) fn main(cmd: &ReportCommand) -> ExitCode {
    let outcome = match cmd {
        ReportCommand::Merge(args) => merge(args),
        ReportCommand::Html(args) => html(args),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(e) => crate::error::report("xharness", &e),
    }
}

fn merge(args: &MergeArgs) -> crate::Result<u8> {
    if args.html.is_none() && args.json.is_none() && args.junit.is_none() {
        return Err("nothing to write: pass --html FILE, --json FILE and/or --junit FILE".into());
    }
    let run = SavedRun::merge_files(&args.runs)?;
    if let Some(path) = &args.html {
        write(&run, HtmlReport::new(), path, HtmlReport::write)?;
    }
    if let Some(path) = &args.json {
        write(&run, JsonReport::new(), path, JsonReport::write)?;
    }
    if let Some(path) = &args.junit {
        write(&run, JunitReport::new(), path, JunitReport::write)?;
    }
    let s = &run.summary;
    println!(
        "merged {} runs of {}: {} results on {} engine(s); {} passed, {} failed, {} skipped, {} not run, {} divergent",
        args.runs.len(),
        run.suite,
        run.results.len(),
        run.engines.len(),
        s.passed,
        s.failed,
        s.skipped,
        s.not_run,
        s.divergent
    );
    Ok(if s.is_success() { 0 } else { 1 })
}

fn html(args: &HtmlArgs) -> crate::Result<u8> {
    let run = SavedRun::load(&args.run)?;
    write(&run, HtmlReport::new(), &args.output, HtmlReport::write)?;
    println!("wrote {}", args.output.display());
    Ok(0)
}

/// Replay `run` into `report` and write it to `path`.
fn write<R: Reporter>(
    run: &SavedRun,
    mut report: R,
    path: &Path,
    save: fn(&R, &Path) -> Result<(), xharness_reports::ReportError>,
) -> crate::Result<()> {
    run.replay(&mut report);
    Ok(save(&report, path)?)
}
