//! Discovery of GHC's testsuite: speed and fidelity on a real tree.
//!
//! ```sh
//! cargo bench -p xharness-suites --bench ghc_discovery -- GHC/testsuite/tests
//! python3 suites/benches/ghc/reference.py GHC/testsuite/driver GHC/testsuite/tests > ref.tsv
//! cargo bench -p xharness-suites --bench ghc_discovery -- GHC/testsuite/tests --reference ref.tsv
//! ```
//!
//! Prints the median wall time of discovering every `.T` file (over
//! `--iters N` runs, default 10, on all cores), the number of tests and
//! warnings, the warnings grouped by message, and with `--reference` (the
//! `FILE<TAB>NAME<TAB>FUNC` lines `reference.py` prints from GHC's own
//! driver) how many of the driver's declarations were found with the same
//! name and test function.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use xharness_suites::ghc::{Config, Discovery, discover};

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let mut root: Option<PathBuf> = None;
    let mut reference: Option<PathBuf> = None;
    let mut iters = 10usize;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--reference" => reference = args.next().map(PathBuf::from),
            "--iters" => iters = args.next().and_then(|n| n.parse().ok()).unwrap_or(10),
            _ => root = Some(PathBuf::from(a)),
        }
    }
    let Some(root) = root else {
        eprintln!("usage: ghc_discovery GHC/testsuite/tests [--reference ref.tsv] [--iters N]");
        std::process::exit(2);
    };
    let config = Config::default();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut times: Vec<Duration> = Vec::new();
    let mut last = Discovery::default();
    for _ in 0..iters.max(1) {
        let start = Instant::now();
        last = discover(&root, &config, threads);
        times.push(start.elapsed());
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "{} .T files, {} tests, {} warnings; median {:.1} ms over {} runs on {threads} threads (min {:.1} ms)",
        last.files.len(),
        last.test_count(),
        last.warnings.len(),
        median.as_secs_f64() * 1000.0,
        times.len(),
        times[0].as_secs_f64() * 1000.0,
    );
    let mut by_message: BTreeMap<String, usize> = BTreeMap::new();
    for w in &last.warnings {
        let message = w.split(": ").nth(1).unwrap_or(w).to_owned();
        *by_message.entry(message).or_default() += 1;
    }
    for (m, n) in &by_message {
        println!("  {n:>4}  {m}");
    }
    for w in &last.warnings {
        println!("warning: {w}");
    }
    let Some(reference) = reference else { return };
    let text = std::fs::read_to_string(&reference).unwrap_or_else(|e| {
        eprintln!("cannot read {}: {e}", reference.display());
        std::process::exit(2);
    });
    let wanted: BTreeSet<(String, String, String)> = text
        .lines()
        .filter_map(|l| {
            let mut p = l.split('\t');
            Some((
                p.next()?.to_owned(),
                p.next()?.to_owned(),
                p.next()?.to_owned(),
            ))
        })
        .collect();
    let found: BTreeSet<(String, String, String)> = last
        .files
        .iter()
        .flat_map(|f| {
            f.tests
                .iter()
                .map(move |t| (f.file.clone(), t.name.clone(), t.func.clone()))
        })
        .collect();
    let matched = wanted.intersection(&found).count();
    println!(
        "fidelity: {matched} of the driver's {} declarations found with the same file, name and function ({:.2} %); {} found that the driver does not declare",
        wanted.len(),
        100.0 * matched as f64 / wanted.len().max(1) as f64,
        found.difference(&wanted).count()
    );
    for missing in wanted.difference(&found).take(40) {
        println!("  missing: {}\t{}\t{}", missing.0, missing.1, missing.2);
    }
    for extra in found.difference(&wanted).take(20) {
        println!("  extra:   {}\t{}\t{}", extra.0, extra.1, extra.2);
    }
}
