//! `xharness --suite …`: discover, compile, run, compare, report.
//!
//! Exit status: 0 when every case passed (an expected failure and a flaky
//! job count as passed), 1 when any failed or did not run, 130 when
//! interrupted (partial reports are written and marked `interrupted`);
//! an error's status follows from its kind ([`crate::exit`]).

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

use xharness_reports::{Console, Event, Fanout, JsonReport, ListedCase, Reporter, Summary};
use xharness_suites::{Case, CaseKind, Expectation, Suite};

use super::SuiteArgs;
use crate::config::Env;
use crate::session::{Options, Session};
use crate::worker::{Pool, WorkerCommand};
use xharness_engines::Registry;

pub(super) fn main(args: &SuiteArgs, registry: &Registry, env: &Env) -> ExitCode {
    match run(args, registry, env) {
        Ok(code) => ExitCode::from(code),
        Err(message) => crate::error::report("xharness", &message),
    }
}

fn run(args: &SuiteArgs, registry: &Registry, env: &Env) -> crate::Result<u8> {
    let engines = registry.select(&args.engine)?;
    let parallel = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    // Workers start (load the binary, set up the engines) while the suite
    // is discovered; those not needed are stopped when the pool is dropped.
    let pool = Pool::new(WorkerCommand::current_exe()?, &engines);
    if !args.list {
        pool.prestart(parallel);
    }
    let cache_dir = args
        .cache_dir
        .clone()
        .unwrap_or_else(|| env.cache_dir.clone());
    let ready = load_suite(args, &engines, &pool, &cache_dir, parallel, env)?;
    let mut suite = ready.suite;
    for w in crate::registry::check_engine_keys(&suite, registry)? {
        eprintln!("xharness: warning: {w}");
    }
    let baselines = baselines(&mut suite, &engines, args, registry)?;
    let mut cases = suite.filter(&args.filters, args.exact);
    if let Some(p) = &args.partition {
        cases = crate::partition::select(p, &suite.name, cases, args.timings.as_deref())?;
    }
    if args.list {
        let listed = list(&suite, &cases, &engines, args);
        // Listing ends the process, and the system takes its memory back
        // at once: freeing GHC's ten thousand cases one allocation at a
        // time was an eighth of `--list`'s time.
        drop(cases);
        std::mem::forget(suite);
        return listed.map(|()| 0);
    }
    if let (Some(p), true) = (&args.partition, cases.is_empty()) {
        // More shards than cases: an empty shard is not an error, and its
        // (empty) reports are written so a merge finds every shard's file.
        println!("shard {p} of suite {} has no cases", suite.name);
        write_empty_reports(&suite, &engines, args)?;
        return Ok(0);
    }
    if cases.is_empty() {
        // A mistyped filter must not pass silently in CI.
        return Err(crate::Error::usage(format!(
            "no case of suite {} matches {}; see --list",
            suite.name,
            args.filters.join(" ")
        )));
    }
    crate::sys::catch_interrupts()
        .map_err(|e| crate::Error::Internal(format!("cannot catch Ctrl-C: {e}")))?;
    let previous = if args.failed {
        match crate::state::load(&cache_dir, &suite.file)? {
            Some(p) => Some(p),
            None => {
                println!(
                    "nothing to re-run: no earlier run of suite {} is recorded",
                    suite.name
                );
                return Ok(0);
            }
        }
    } else {
        None
    };
    let jobs = select_jobs(&suite, &cases, &engines, previous.as_ref());
    if jobs.is_empty() {
        println!(
            "nothing to re-run: every case of suite {} passed last time",
            suite.name
        );
        return Ok(0);
    }
    let mut opts = Options::new(cache_dir.clone(), WorkerCommand::current_exe()?).with_env(env);
    opts.exe = std::env::current_exe().ok();
    opts.jobs = parallel;
    opts.bless = args.bless;
    opts.keep_scratch = args.keep_scratch;
    opts.fail_fast = args.fail_fast;
    opts.retries = args.retries.unwrap_or(suite.retries);
    opts.count_instructions = args.count_instructions;
    opts.known_modules = ready.module_hashes;
    opts.origin = Some(args.origin());
    let with_baseline = baselines.is_some();
    opts.baselines = baselines.unwrap_or_default();
    let session = Session::with_pool(suite, engines, opts, pool, registry)?;
    let stdout = std::io::stdout();
    let terminal = stdout.is_terminal();
    let color = xharness_golden::color_choice(args.color, terminal, &env.color);
    let console =
        Console::new(Box::new(stdout), terminal, color, args.verbose).with_columns(env.columns);
    let mut reports = Fanout::new();
    reports.listen(console);
    reports.outputs(&args.file_outputs());
    reports.event(&Event::Started {
        suite: &session.suite().name,
        engines: session.engines(),
        total: jobs.len(),
    });
    let start = Instant::now();
    let run = session.run(&jobs, |r| reports.event(&Event::Finished(r)));
    let mut summary = Summary::from_results(&run.results, start.elapsed());
    summary.interrupted = run.interrupted;
    if with_baseline {
        summary.baseline = Some(baseline_counts(&run.results));
    }
    reports.event(&Event::Done(&summary));
    if let Err(e) = reports.finish() {
        eprintln!("xharness: {e}");
    }
    reports.write()?;
    if let Some(dir) = &args.write_expectations {
        let files = crate::baseline::write(dir, session.suite(), session.engines(), &run.results)?;
        for f in files {
            println!("wrote the baseline {}", f.display());
        }
    }
    let suite_file = &session.suite().file;
    if let Err(e) = crate::state::save(&cache_dir, suite_file, &run.results, previous.as_ref()) {
        eprintln!("xharness: --failed will not know this run: {e}");
    }
    let kept = session.take_kept();
    if let Err(e) = crate::state::save_kept(&cache_dir, suite_file, &run.results, &kept) {
        eprintln!("xharness: `xharness repro` will run cases anew: {e}");
    }
    Ok(if summary.interrupted {
        crate::exit::INTERRUPTED
    } else if summary.is_success() {
        0
    } else {
        1
    })
}

/// Apply the suite file's and `--expectations`' baselines to the cases;
/// `None` when there are none.
fn baselines(
    suite: &mut Suite,
    engines: &[String],
    args: &SuiteArgs,
    registry: &Registry,
) -> crate::Result<Option<crate::baseline::Applied>> {
    let known = registry.names();
    let sources = suite
        .expectations
        .iter()
        .chain(&args.expectations)
        .map(|a| crate::baseline::source(a, &known))
        .collect::<Result<Vec<_>, _>>()?;
    if sources.is_empty() {
        return Ok(None);
    }
    let (applied, warnings) = crate::baseline::apply(suite, engines, &sources)?;
    for w in warnings {
        eprintln!("xharness: warning: {w}");
    }
    Ok(Some(applied))
}

/// (failures the baseline knew, failures it did not).
fn baseline_counts(results: &[xharness_reports::CaseResult]) -> (usize, usize) {
    use xharness_reports::Status;
    let known = results
        .iter()
        .filter(|r| r.baseline.is_some() && r.status == Status::XFail)
        .count();
    let new = results
        .iter()
        .filter(|r| r.baseline.is_none() && matches!(r.status, Status::Fail | Status::Error))
        .count();
    (known, new)
}

/// The report files of a run with no jobs.
fn write_empty_reports(suite: &Suite, engines: &[String], args: &SuiteArgs) -> crate::Result<()> {
    let mut reports = Fanout::new();
    reports.outputs(&args.file_outputs());
    reports.event(&Event::Started {
        suite: &suite.name,
        engines,
        total: 0,
    });
    reports.event(&Event::Done(&Summary::from_results(
        &[],
        std::time::Duration::ZERO,
    )));
    Ok(reports.write()?)
}

/// (case index, engine index) for every selected pair, in case order.
fn select_jobs(
    suite: &Suite,
    cases: &[&Case],
    engines: &[String],
    only: Option<&BTreeSet<(String, String)>>,
) -> Vec<(usize, usize)> {
    let selected: BTreeSet<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    let mut jobs = Vec::new();
    for (c, case) in suite.cases.iter().enumerate() {
        if !selected.contains(case.name.as_str()) {
            continue;
        }
        for (e, engine) in engines.iter().enumerate() {
            let pair = (case.name.clone(), engine.clone());
            if only.is_none_or(|set| set.contains(&pair)) {
                jobs.push((c, e));
            }
        }
    }
    jobs
}

/// The suite to run: from `--archive`, or discovered (and made ready).
pub(super) fn load_suite(
    args: &SuiteArgs,
    engines: &[String],
    pool: &Pool,
    cache_dir: &std::path::Path,
    jobs: usize,
    env: &Env,
) -> crate::Result<crate::listing::Ready> {
    if let Some(file) = &args.archive {
        if args.bless {
            return Err(crate::Error::usage(format!(
                "--bless writes goldens into the suite's source tree, and a run from archive {} has none: bless in the source tree, then build the archive again",
                file.display()
            )));
        }
        return Ok(crate::listing::Ready {
            suite: crate::archive::open(file, cache_dir)?,
            module_hashes: Vec::new(),
        });
    }
    let source = args.libtest_source();
    let arg = match (&args.suite, &source) {
        (Some(arg), _) => arg.as_str(),
        (None, Some(_)) => xharness_suites::libtest::BUILTIN_NAME,
        (None, None) => {
            return Err(crate::Error::usage(
                "no suite given: pass --suite NAME|PATH (a suite.toml, its folder, or a folder under ./suites/), --cargo to run a Rust crate's tests, or `xharness run MODULE` to run one module; see --help",
            ));
        }
    };
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    let opts = xharness_suites::LoadOptions {
        root: args.root.as_deref(),
        ways: &args.ways,
    };
    let definition = match xharness_suites::resolve(arg, &cwd) {
        Ok(path) => xharness_suites::load_definition_with(&path, &opts),
        Err(not_found) => {
            xharness_suites::builtin_definition_with(arg, &opts).unwrap_or(Err(not_found))
        }
    }?;
    let is_ghc = matches!(
        &definition,
        xharness_suites::Definition::Suite(s) if s.kind == xharness_suites::SuiteKind::GhcTestsuite
    );
    if !args.ways.is_empty() && !is_ghc {
        return Err(crate::Error::usage(format!(
            "--ways is for GHC's testsuite (kind ghc-testsuite), and suite {arg} is not one"
        )));
    }
    if source.is_some() && matches!(definition, xharness_suites::Definition::Suite(_)) {
        return Err(crate::Error::usage(format!(
            "--cargo and --binaries are for libtest suites, and suite {arg} is not one"
        )));
    }
    let ready = crate::listing::ready(
        definition, source, engines, pool, cache_dir, jobs, &env.cargo,
    )?;
    let suite = &ready.suite;
    for w in &suite.warnings {
        eprintln!("xharness: warning: {w}");
    }
    if !suite.warnings.is_empty() {
        eprintln!(
            "xharness: {} warning(s) while discovering suite {}; every case the warnings do not name was kept",
            suite.warnings.len(),
            suite.name
        );
    }
    Ok(ready)
}

fn list(suite: &Suite, cases: &[&Case], engines: &[String], args: &SuiteArgs) -> crate::Result<()> {
    let listed: Vec<ListedCase> = cases.iter().map(|c| listed(c, engines)).collect();
    if let Some(path) = &args.json {
        JsonReport::write_list(path, &listed)?;
    }
    // Not freed one by one: the process ends after the listing.
    std::mem::forget(listed);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let printed = if cases.iter().any(|c| !c.info.is_empty()) {
        print_detailed(&mut out, cases, engines)
    } else {
        cases
            .iter()
            .try_for_each(|case| writeln!(out, "{}", case.name))
    };
    match printed.and_then(|()| out.flush()) {
        Ok(()) => {}
        // `xharness --list | head`: the reader has what it wanted.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
        Err(e) => return Err(crate::Error::io("write the listing to", "stdout", e)),
    }
    eprintln!("{} cases in suite {}", cases.len(), suite.name);
    Ok(())
}

/// The reason a case is skipped on the first engine, if it is.
fn skip_reason<'c>(case: &'c Case, engines: &[String]) -> Option<&'c str> {
    let engine = engines.first()?;
    match case.expectation(engine) {
        Some(Expectation::Skip(why)) => Some(why.as_str()),
        _ => None,
    }
}

/// One line per case with its function, options and skip reason, then
/// totals by function and by skip reason (GHC's testsuite).
fn print_detailed(
    out: &mut impl Write,
    cases: &[&Case],
    engines: &[String],
) -> std::io::Result<()> {
    let mut by_func: std::collections::BTreeMap<&str, usize> = Default::default();
    let mut by_skip: std::collections::BTreeMap<&str, usize> = Default::default();
    // GHC's tests group by test function; a libtest suite's by binary,
    // with each test's source line beside it.
    let libtest = cases
        .iter()
        .all(|c| matches!(c.kind, CaseKind::Libtest { .. }));
    for case in cases {
        let (column, group) = if libtest {
            let binary = case.name.split('/').next().unwrap_or("-");
            (case.info_value("source").unwrap_or("-"), binary)
        } else {
            let func = case.info_value("func").unwrap_or("-");
            (func, func)
        };
        *by_func.entry(group).or_default() += 1;
        let mut line = format!("{}  {column}", case.name);
        if let Some(opts) = case.info_value("options").filter(|o| !o.is_empty()) {
            line.push_str(&format!("  [{opts}]"));
        }
        match skip_reason(case, engines) {
            Some(why) => {
                // Totals by kind of reason: `pre_cmd: needs a shell step
                // (make x)` and `(make y)` count together.
                let kind = why.split(" (").next().unwrap_or(why);
                *by_skip.entry(kind).or_default() += 1;
                line.push_str(&format!("  skip: {why}"));
            }
            None => {
                if let Some(e) = case.info_value("expect").filter(|e| *e != "pass") {
                    line.push_str(&format!("  expect: {e}"));
                }
            }
        }
        if let Some(unknown) = case.info_value("unknown") {
            line.push_str(&format!("  unknown: {unknown}"));
        }
        writeln!(out, "{line}")?;
    }
    let total_skipped: usize = by_skip.values().sum();
    writeln!(out)?;
    // GHC's cases are (test, way) pairs: say how many tests they come from.
    let tests: std::collections::BTreeSet<&str> =
        cases.iter().filter_map(|c| c.info_value("test")).collect();
    let of_tests = if tests.is_empty() || tests.len() == cases.len() {
        String::new()
    } else {
        format!(" (of {} tests)", tests.len())
    };
    writeln!(
        out,
        "{} cases{of_tests}: {} to run, {} skipped",
        cases.len(),
        cases.len() - total_skipped,
        total_skipped
    )?;
    writeln!(
        out,
        "{}",
        if libtest {
            "by binary:"
        } else {
            "by test function:"
        }
    )?;
    let mut funcs: Vec<_> = by_func.into_iter().collect();
    funcs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    for (func, n) in funcs {
        writeln!(out, "  {n:>6}  {func}")?;
    }
    if total_skipped > 0 {
        writeln!(out, "by skip reason:")?;
        let mut skips: Vec<_> = by_skip.into_iter().collect();
        skips.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        for (why, n) in skips {
            writeln!(out, "  {n:>6}  {why}")?;
        }
    }
    Ok(())
}

fn listed(case: &Case, engines: &[String]) -> ListedCase {
    let expectations = engines
        .iter()
        .filter_map(|engine| {
            let text = match case.expectation(engine)? {
                Expectation::XFail(w) => format!("xfail: {w}"),
                Expectation::Skip(w) => format!("skip: {w}"),
                Expectation::Fragile(w) => format!("fragile: {w}"),
            };
            Some((engine.clone(), text))
        })
        .collect();
    let mut info: std::collections::BTreeMap<String, serde_json::Value> = case
        .info
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
        .collect();
    if !info.is_empty() {
        info.insert("name".into(), case.name.clone().into());
        info.insert(
            "skip".into(),
            skip_reason(case, engines).map_or(serde_json::Value::Null, |s| s.into()),
        );
        if let Some(line) = info
            .get("line")
            .and_then(|l| l.as_str()?.parse::<u64>().ok())
        {
            info.insert("line".into(), line.into());
        }
    }
    ListedCase {
        case: case.name.clone(),
        engines: engines.to_vec(),
        expectations,
        info,
    }
}
