//! A merge of two suites' runs in the HTML report, in a real headless browser
//! (Debian's `chromium`; see `html_browser.rs`): the suite column, a summary row per
//! suite, the suite filter (`suite=NAME` in the hash), and same-named cases of the two
//! suites kept apart (opened as `suite::case`).

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::*;
use scraper::Html;
use xharness_reports::{
    CaseResult, HtmlReport, OutcomeKind, OutcomeRecord, Reason, SavedRun, Status, Summary,
};

/// The (suite, case) of the matrix rows, in order.
fn suite_rows(doc: &Html) -> Vec<(String, String)> {
    doc.select(&sel("#matrix-body tr.case-row"))
        .map(|e| {
            let a = |name| e.value().attr(name).unwrap_or_default().to_string();
            (a("data-suite"), a("data-case"))
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(s, c)| (s.to_string(), c.to_string()))
        .collect()
}

/// A `report merge` of two suites: `alpha` is [`known_divergence`], `beta` has its own
/// `ok/hello` (printing something else than alpha's, which is no divergence) and a case
/// that traps alike on both engines.
fn two_suites_page(dir: &Path) -> PathBuf {
    let run = |suite: &str, results: Vec<CaseResult>| SavedRun {
        suite: suite.into(),
        engines: vec!["wasmer".into(), "wasmtime".into()],
        summary: Summary::from_results(&results, Duration::from_millis(100)),
        results,
    };
    let trap = |engine: &str| {
        let mut r = ran("trap/beta", engine, Status::Fail, 0, 'h');
        r.reason = Some(Reason::Trap);
        r.outcome = Some(OutcomeRecord {
            kind: OutcomeKind::Trapped,
            exit_code: None,
            message: Some("wasm trap: unreachable".into()),
        });
        r
    };
    let beta = vec![
        ran("ok/hello", "wasmer", Status::Pass, 0, 'g'),
        ran("ok/hello", "wasmtime", Status::Pass, 0, 'g'),
        trap("wasmer"),
        trap("wasmtime"),
    ];
    let merged = SavedRun::merge([run("alpha", known_divergence()), run("beta", beta)]);
    let mut report = HtmlReport::new();
    merged.replay(&mut report);
    let path = dir.join("suites.html");
    report.write(&path).expect("the report is written");
    path
}

/// A merge of two suites has a suite column, a summary row per suite and a suite
/// filter (`suite=NAME` in the hash); same-named cases of the two suites are two rows,
/// opened as `suite::case`.
#[test]
fn two_suites_have_a_suite_column_and_a_suite_filter() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let page = two_suites_page(dir.path());
    let doc = dom(&page, "");
    let alpha = [
        ("alpha", "exit/fails"),
        ("alpha", BOLD_CASE),
        ("alpha", "ok/hello"),
        ("alpha", "out/differs"),
        ("alpha", "skip/threads"),
    ];
    let beta = [("beta", "ok/hello"), ("beta", "trap/beta")];
    let all: Vec<(&str, &str)> = alpha.iter().chain(&beta).copied().collect();
    assert_eq!(suite_rows(&doc), pairs(&all));
    let cells: Vec<String> = doc
        .select(&sel("#matrix-body td.suite-name"))
        .map(text)
        .collect();
    assert_eq!(
        cells,
        all.iter().map(|(s, _)| s.to_string()).collect::<Vec<_>>()
    );
    let buttons: Vec<(String, String, String)> = doc
        .select(&sel("#suites .suite-filter"))
        .map(|b| {
            let a = |name| b.value().attr(name).unwrap_or_default().to_string();
            (a("data-suite"), a("data-count"), a("aria-pressed"))
        })
        .collect();
    let want = [
        ("", "7", "true"),
        ("alpha", "5", "false"),
        ("beta", "2", "false"),
    ];
    let want: Vec<_> = want
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(buttons, want);
    let divergent: Vec<(String, String)> = suite_rows(&doc)
        .into_iter()
        .zip(doc.select(&sel("#matrix-body tr.case-row")))
        .filter(|(_, tr)| tr.value().attr("data-divergent") == Some("true"))
        .map(|(row, _)| row)
        .collect();
    assert_eq!(divergent, pairs(&[("alpha", "out/differs")]));
    assert_eq!(
        stat(&doc, "tr.suite-total[data-suite=\"beta\"]", "failed"),
        "2"
    );
    assert_eq!(
        stat(&doc, "tr.suite-total[data-suite=\"alpha\"]", "total"),
        "10"
    );

    let doc = dom(&page, "suite=beta");
    assert_eq!(suite_rows(&doc), pairs(&beta));
    let pressed = "#suites .suite-filter[data-suite=\"beta\"]";
    assert_eq!(attr(&doc, pressed, "aria-pressed").as_deref(), Some("true"));
    let every = "#suites .suite-filter[data-suite=\"\"]";
    assert_eq!(attr(&doc, every, "aria-pressed").as_deref(), Some("false"));
    assert_eq!(
        attr(&doc, "#shown-count", "data-count").as_deref(),
        Some("2")
    );

    let doc = dom(&page, "suite=alpha&filter=failing");
    assert_eq!(
        suite_rows(&doc),
        pairs(&[("alpha", "exit/fails"), ("alpha", "out/differs")])
    );
    let doc = dom(&page, "q=hello");
    assert_eq!(
        suite_rows(&doc),
        pairs(&[("alpha", "ok/hello"), ("beta", "ok/hello")])
    );
    let doc = dom(&page, "q=beta%3A%3A");
    assert_eq!(suite_rows(&doc), pairs(&beta));
    let doc = dom(&page, "suite=nothing-by-this-name");
    assert_eq!(suite_rows(&doc).len(), 7);

    let doc = dom(&page, "case=beta%3A%3Aok%2Fhello");
    let opened: Vec<(String, String)> = doc
        .select(&sel("tr.detail-row"))
        .map(|tr| {
            let a = |name| tr.value().attr(name).unwrap_or_default().to_string();
            (a("data-suite"), a("data-case"))
        })
        .collect();
    assert_eq!(opened, pairs(&[("beta", "ok/hello")]));
    let heading = first(&doc, "tr.detail-row h3").map(text);
    assert_eq!(heading.as_deref(), Some("beta::ok/hello"));
}

#[test]
fn a_run_of_one_suite_has_no_suite_column_or_filter() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let run = SavedRun::merge([SavedRun {
        suite: "divergence-demo".into(),
        engines: vec!["wasmer".into(), "wasmtime".into()],
        summary: Summary::from_results(&known_divergence(), Duration::from_millis(100)),
        results: known_divergence(),
    }]);
    let mut report = HtmlReport::new();
    run.replay(&mut report);
    let page = dir.path().join("one.html");
    report.write(&page).expect("the report is written");
    let doc = dom(&page, "suite=divergence-demo");
    assert!(first(&doc, "#suites").is_none());
    assert!(first(&doc, "td.suite-name").is_none());
    assert_eq!(rows(&doc).len(), 5);
}
