//! `xharness --suite …`: discover, compile, run, compare, report.
//!
//! Exit status: 0 when every case passed (an expected failure counts as
//! passed), 1 when any failed, 2 for usage or configuration errors.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Instant;

use xharness_reports::{Console, Event, JsonReport, JunitReport, ListedCase, Reporter, Summary};
use xharness_suites::{Case, Expectation, Suite};

use super::SuiteArgs;
use crate::schedule::{self, Options};

pub(super) fn main(args: &SuiteArgs) -> ExitCode {
    match run(args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(message) => {
            eprintln!("xharness: {message}");
            ExitCode::from(super::USAGE_ERROR)
        }
    }
}

fn run(args: &SuiteArgs) -> Result<bool, String> {
    let suite = load_suite(args)?;
    let cases = suite.filter(&args.filters, args.exact);
    if args.list {
        return list(&suite, &cases, args).map(|()| true);
    }
    if cases.is_empty() {
        // A mistyped filter must not pass silently in CI.
        return Err(format!(
            "no case of suite {} matches {}; see --list",
            suite.name,
            args.filters.join(" ")
        ));
    }
    let engines = crate::start_engines(&args.engine).map_err(|e| e.to_string())?;
    let normalizer =
        crate::normalizer(&suite).map_err(|e| format!("{}: {e}", suite.file.display()))?;
    let stdout = std::io::stdout();
    let terminal = stdout.is_terminal();
    let color = xharness_golden::color_choice(args.color, terminal);
    let opts = Options {
        jobs: args
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        bless: args.bless,
        keep_scratch: args.keep_scratch,
        fail_fast: args.fail_fast,
        color,
        cache_dir: args
            .cache_dir
            .clone()
            .unwrap_or_else(xharness_engines::cache::ModuleCache::default_dir),
    };
    let engine_names: Vec<String> = engines.iter().map(|e| e.name().to_string()).collect();
    let mut console = Console::new(Box::new(stdout), terminal, color, args.verbose);
    let mut json = args.json.as_ref().map(|_| JsonReport::new());
    let mut junit = args.junit.as_ref().map(|_| JunitReport::new());
    let started = Event::Started {
        suite: &suite.name,
        engines: &engine_names,
        total: cases.len() * engines.len(),
    };
    let mut listeners: Vec<&mut dyn Reporter> = vec![&mut console];
    if let Some(j) = json.as_mut() {
        listeners.push(j);
    }
    if let Some(j) = junit.as_mut() {
        listeners.push(j);
    }
    for l in listeners.iter_mut() {
        l.event(&started);
    }
    let start = Instant::now();
    let results = schedule::run(&suite, &cases, &engines, &opts, &normalizer, |r| {
        for l in listeners.iter_mut() {
            l.event(&Event::Finished(r));
        }
    })?;
    let summary = Summary::from_results(&results, start.elapsed());
    for l in listeners.iter_mut() {
        l.event(&Event::Done(&summary));
    }
    drop(listeners);
    if let (Some(report), Some(path)) = (json, &args.json) {
        report.write(path).map_err(|e| e.to_string())?;
    }
    if let (Some(report), Some(path)) = (junit, &args.junit) {
        report.write(path).map_err(|e| e.to_string())?;
    }
    Ok(summary.failed == 0)
}

fn load_suite(args: &SuiteArgs) -> Result<Suite, String> {
    let Some(arg) = &args.suite else {
        return Err("no suite given: pass --suite NAME|PATH (a suite.toml, its folder, or a folder under ./suites/), or `xharness run MODULE` to run one module; see --help".into());
    };
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    let path = xharness_suites::resolve(arg, &cwd).map_err(|e| e.to_string())?;
    xharness_suites::load_with_root(&path, args.root.as_deref()).map_err(|e| e.to_string())
}

fn list(suite: &Suite, cases: &[&Case], args: &SuiteArgs) -> Result<(), String> {
    let listed: Vec<ListedCase> = cases.iter().map(|c| listed(c, &args.engine)).collect();
    if let Some(path) = &args.json {
        JsonReport::write_list(path, &listed).map_err(|e| e.to_string())?;
    }
    for case in cases {
        println!("{}", case.name);
    }
    eprintln!("{} cases in suite {}", cases.len(), suite.name);
    Ok(())
}

fn listed(case: &Case, engines: &[String]) -> ListedCase {
    let expectations = case
        .expect
        .iter()
        .map(|(engine, e)| {
            let text = match e {
                Expectation::XFail(w) => format!("xfail: {w}"),
                Expectation::Skip(w) => format!("skip: {w}"),
            };
            (engine.clone(), text)
        })
        .collect();
    ListedCase {
        case: case.name.clone(),
        engines: engines.to_vec(),
        expectations,
    }
}
