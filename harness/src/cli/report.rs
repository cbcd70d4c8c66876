//! `xharness report merge|html`: reports drawn from saved runs, nothing re-run.
//!
//! CI is the distributed engine: N machines each run a shard
//! (`--partition hash:K/N --json shard-K.json`) and one job merges the
//! files into the reports a single run writes. Runs of different suites
//! merge too: each suite keeps its cases apart and is reported under its own
//! name (a line per suite here, after the totals). Exit status: 0 when the
//! merged run passed, 1 when any case failed or did not run (so a merge
//! step can gate the pipeline), 2 when a file cannot be read or written.
//!
//! `xharness report compare BEFORE.json AFTER.json` lists what changed between
//! two runs (instruction counts past `--threshold`, verdicts, outputs; see
//! `xharness_reports::compare`) and exits 1 when AFTER is worse.

use std::io::Write;
use std::process::ExitCode;

use xharness_reports::{Fanout, Output, Reporter, SavedRun, Summary};

use super::{CompareArgs, HtmlArgs, MergeArgs, ReportCommand};

pub(super) fn main(cmd: &ReportCommand) -> ExitCode {
    let outcome = match cmd {
        ReportCommand::Merge(args) => merge(args),
        ReportCommand::Html(args) => html(args),
        ReportCommand::Compare(args) => compare(args),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(e) => crate::error::report("xharness", &e),
    }
}

fn merge(args: &MergeArgs) -> crate::Result<u8> {
    let outputs = args.file_outputs();
    if outputs.is_empty() {
        return Err(crate::Error::usage(
            "nothing to write: pass --html FILE, --json FILE, --junit FILE and/or --output FORMAT:FILE",
        ));
    }
    let run = SavedRun::merge_files(&args.runs)?;
    write(&run, &outputs)?;
    let s = &run.summary;
    println!(
        "merged {} runs of {}: {} results on {} engine(s); {}",
        args.runs.len(),
        run.suite,
        run.results.len(),
        run.engines.len(),
        counts(s)
    );
    for (suite, s) in &s.suites {
        println!("  {suite}: {} results; {}", s.total(), counts(s));
    }
    Ok(if s.is_success() { 0 } else { 1 })
}

/// `N passed, N failed, N skipped, N not run, N divergent`.
fn counts(s: &Summary) -> String {
    format!(
        "{} passed, {} failed, {} skipped, {} not run, {} divergent",
        s.passed, s.failed, s.skipped, s.not_run, s.divergent
    )
}

fn html(args: &HtmlArgs) -> crate::Result<u8> {
    let run = SavedRun::load(&args.run)?;
    let page = Output::new("html", args.output.clone())
        .ok_or_else(|| crate::Error::Internal("the html format is not registered".into()))?;
    write(&run, &[page])?;
    println!("wrote {}", args.output.display());
    Ok(0)
}

/// `report compare`: what changed from BEFORE to AFTER; 1 when it got worse.
fn compare(args: &CompareArgs) -> crate::Result<u8> {
    let before = SavedRun::load(&args.before)?;
    let after = SavedRun::load(&args.after)?;
    // An empty file reads as an empty run (for merging empty shards); as
    // either side of a comparison it would let a CI gate pass on nothing.
    for (path, run) in [(&args.before, &before), (&args.after, &after)] {
        if run.results.is_empty() {
            return Err(crate::Error::config(format!(
                "{}: holds no results (an empty file, or the report of a run with no cases), \
                 so there is nothing to compare; pass the --json report of a run",
                path.display()
            )));
        }
    }
    let c = xharness_reports::compare::Comparison::new(&before, &after, args.threshold);
    let mut out = std::io::stdout().lock();
    match out
        .write_all(c.render().as_bytes())
        .and_then(|()| out.flush())
    {
        // `report compare … | head`: the verdict is still the exit status.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            return Err(crate::Error::io("write the comparison to", "stdout", e));
        }
        _ => {}
    }
    Ok(if c.is_worse() { 1 } else { 0 })
}

/// Replay `run` into every output and write them.
fn write(run: &SavedRun, outputs: &[Output]) -> crate::Result<()> {
    let mut reports = Fanout::new();
    reports.outputs(outputs);
    run.replay(&mut reports);
    reports.finish()?;
    Ok(reports.write()?)
}
