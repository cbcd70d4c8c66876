//! The HTML report in a real headless browser (Debian's `chromium`).
//!
//! Renders a run with a known divergence through the public API, loads it in
//! `chromium --headless --dump-dom` under several URL hashes (the page keeps its filter,
//! search and open case there) and checks the DOM the page's script built: the summary
//! numbers, the divergent case, the filters, the search, the lazily drawn details, and
//! that hostile test output stays text. Saves a screenshot to
//! `target/test-artefacts/html-report.png`. Without chromium the tests fail and say how
//! to install it (`.ci/run` does).

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::*;
use scraper::ElementRef;
use xharness_reports::{CaseResult, Event, HtmlReport, Reporter, Repro, Status, Summary};

/// Renders `results` as a live run would and writes the page into `dir`.
fn write_report(dir: &Path, results: &[CaseResult]) -> PathBuf {
    write_report_on(dir, results, &["wasmer", "wasmtime"])
}

/// As [`write_report`], for a run on `engines`.
fn write_report_on(dir: &Path, results: &[CaseResult], engines: &[&str]) -> PathBuf {
    let engines: Vec<String> = engines.iter().map(|e| e.to_string()).collect();
    let mut report = HtmlReport::new();
    report.event(&Event::Started {
        suite: "divergence-demo",
        engines: &engines,
        total: results.len(),
    });
    for r in results {
        report.event(&Event::Finished(r));
    }
    let summary = Summary::from_results(results, Duration::from_millis(2500));
    report.event(&Event::Done(&summary));
    let path = dir.join("report.html");
    report.write(&path).expect("the report is written");
    path
}

fn page_in(dir: &tempfile::TempDir) -> PathBuf {
    write_report(dir.path(), &known_divergence())
}

#[test]
fn summary_numbers_and_the_divergent_case() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let doc = dom(&page_in(&dir), "filter=all");
    let wasmer = "tr[data-engine=\"wasmer\"]";
    let wasmtime = "tr[data-engine=\"wasmtime\"]";
    let expected = [
        (wasmer, "passed", "3"),
        (wasmer, "failed", "1"),
        (wasmer, "skipped", "1"),
        (wasmer, "xfailed", "0"),
        (wasmer, "total", "5"),
        (wasmtime, "passed", "3"),
        (wasmtime, "failed", "2"),
        (wasmtime, "skipped", "0"),
        (wasmtime, "total", "5"),
        ("#summary-total", "failed", "3"),
        ("#summary-total", "total", "10"),
    ];
    for (row, name, want) in expected {
        assert_eq!(stat(&doc, row, name), want, "{row} {name}");
    }
    assert_eq!(stat(&doc, wasmer, "time"), "50 ms");
    assert_eq!(
        attr(&doc, "#divergent-count", "data-count").as_deref(),
        Some("1")
    );
    assert_eq!(
        rows(&doc),
        [
            "exit/fails",
            "ok/<b>bold</b>",
            "ok/hello",
            "out/differs",
            "skip/threads"
        ]
    );
    let divergent: Vec<String> = doc
        .select(&sel("#matrix-body tr.case-row[data-divergent=\"true\"]"))
        .filter_map(|e| e.value().attr("data-case").map(str::to_string))
        .collect();
    assert_eq!(divergent, ["out/differs"]);
    let badge = first(&doc, "tr[data-case=\"out/differs\"] .badge-divergent");
    assert!(badge.is_some(), "the divergent row carries a badge");
    let cell = "tr[data-case=\"out/differs\"] td.cell[data-engine=\"wasmtime\"]";
    assert_eq!(attr(&doc, cell, "data-status").as_deref(), Some("fail"));
    assert!(first(&doc, cell).is_some_and(|c| text(c).starts_with("FAIL")));
    assert_eq!(
        attr(&doc, "#shown-count", "data-count").as_deref(),
        Some("5")
    );
    assert!(
        first(&doc, "#matrix-body b").is_none(),
        "a case name made an element"
    );
    assert!(first(&doc, "img").is_none(), "test output made an element");
}

#[test]
fn the_odd_one_out_is_marked_and_has_its_filter() {
    let mut results = Vec::new();
    for (engine, print) in [("wasmer", 'x'), ("wasmi", 'y'), ("wasmtime", 'y')] {
        results.push(ran("odd/case", engine, Status::Pass, 0, print));
        results.push(ran("ok/same", engine, Status::Pass, 0, 'z'));
    }
    xharness_reports::mark_divergence(&mut results);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let page = write_report_on(dir.path(), &results, &["wasmer", "wasmi", "wasmtime"]);
    let button = "#filters .filter[data-filter=\"odd:wasmer\"]";
    let doc = dom(&page, "");
    assert_eq!(rows(&doc), ["odd/case", "ok/same"]);
    assert_eq!(attr(&doc, button, "data-count").as_deref(), Some("1"));
    assert!(first(&doc, "#filters .filter[data-filter=\"odd:wasmi\"]").is_none());
    let marked: Vec<(String, String)> = doc
        .select(&sel("td.cell.odd-one-out"))
        .map(|td| {
            let row = td
                .parent()
                .and_then(ElementRef::wrap)
                .and_then(|tr| tr.value().attr("data-case"))
                .unwrap_or_default();
            (
                row.to_string(),
                td.value()
                    .attr("data-engine")
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    assert_eq!(marked, [("odd/case".to_string(), "wasmer".to_string())]);
    let doc = dom(&page, "filter=odd:wasmer");
    assert_eq!(rows(&doc), ["odd/case"]);
    assert_eq!(attr(&doc, button, "aria-pressed").as_deref(), Some("true"));
}

#[test]
fn filters_show_the_right_rows() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let page = page_in(&dir);
    let doc = dom(&page, "filter=divergent");
    assert_eq!(rows(&doc), ["out/differs"]);
    assert_eq!(
        attr(&doc, "#shown-count", "data-count").as_deref(),
        Some("1")
    );
    let pressed = "#filters .filter[data-filter=\"divergent\"]";
    assert_eq!(attr(&doc, pressed, "aria-pressed").as_deref(), Some("true"));
    let all = "#filters .filter[data-filter=\"all\"]";
    assert_eq!(attr(&doc, all, "aria-pressed").as_deref(), Some("false"));

    let doc = dom(&page, "filter=failing");
    assert_eq!(rows(&doc), ["exit/fails", "out/differs"]);
    assert!(first(&doc, "img").is_none());
}

#[test]
fn search_narrows_the_rows_and_combines_with_a_filter() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let page = page_in(&dir);
    let doc = dom(&page, "q=HELLO");
    assert_eq!(rows(&doc), ["ok/hello"]);
    let doc = dom(&page, "q=ok%2F");
    assert_eq!(rows(&doc), ["ok/<b>bold</b>", "ok/hello"]);
    let doc = dom(&page, "filter=failing&q=differs");
    assert_eq!(rows(&doc), ["out/differs"]);
    let doc = dom(&page, "q=nothing-matches-this");
    assert!(rows(&doc).is_empty());
    assert!(first(&doc, "#no-match").is_some());
}

#[test]
fn details_show_both_engines_and_the_diffs_as_text() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let doc = dom(&page_in(&dir), "filter=divergent&case=out%2Fdiffers");
    let detail = first(&doc, "tr.detail-row[data-case=\"out/differs\"]")
        .expect("the case's details are open");
    let shown = text(detail);
    assert!(shown.contains("--- wasmer stdout"), "{shown}");
    assert!(shown.contains("+++ wasmtime stdout"), "{shown}");
    assert!(
        shown.contains("--- out/differs.stdout (expected)"),
        "{shown}"
    );
    let deleted: Vec<String> = detail.select(&sel("pre.diff .del")).map(text).collect();
    assert!(deleted.iter().any(|l| l == "-world\n"), "{deleted:?}");
    let inserted: Vec<String> = detail.select(&sel("pre.diff .ins")).map(text).collect();
    assert!(
        inserted.iter().any(|l| l == &format!("+{HOSTILE}\n")),
        "{inserted:?}"
    );
    let stdout = first(
        &doc,
        ".engine-detail[data-engine=\"wasmtime\"] pre[data-stream=\"stdout\"]",
    )
    .expect("wasmtime's stdout");
    assert_eq!(text(stdout), format!("hello\n{HOSTILE}\n"));
    assert!(first(&doc, "img").is_none(), "test output made an element");
    let times: Vec<String> = detail
        .select(&sel("table.compare tbody tr"))
        .filter_map(|tr| tr.select(&sel("td")).last().map(text))
        .collect();
    assert_eq!(times, ["13 ms", "13 ms"]);
}

/// The groups view lists failures by cause; `group=N` in the hash (what a
/// click on a group sets) shows only its cases; a failing record's detail
/// shows its repro lines with copy buttons.
#[test]
fn groups_filter_the_matrix_and_details_show_repro_lines() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut results = known_divergence();
    xharness_reports::groups::sign(&mut results);
    for r in results.iter_mut().filter(|r| r.signature.is_some()) {
        r.repro = Some(Repro {
            xharness: format!(
                "xharness --suite s --engine {} --exact {}",
                r.engine, r.case
            ),
            cli: None,
            cli_missing: Some("no CLI here".into()),
        });
    }
    let groups = xharness_reports::groups::groups(&results);
    assert_eq!(groups.len(), 2, "{groups:#?}");
    let page = write_report(dir.path(), &results);
    let doc = dom(&page, "");
    let items: Vec<(String, String)> = doc
        .select(&sel("#groups li.group"))
        .map(|li| {
            let count = li
                .value()
                .attr("data-count")
                .unwrap_or_default()
                .to_string();
            (
                count,
                li.select(&sel(".group-signature"))
                    .next()
                    .map(text)
                    .unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0].1, groups[0].signature);
    for (k, g) in groups.iter().enumerate() {
        let doc = dom(&page, &format!("group={k}"));
        assert_eq!(rows(&doc), g.cases, "group {k}");
        assert_eq!(
            attr(
                &doc,
                &format!("#groups li.group[data-group=\"{k}\"]"),
                "aria-pressed"
            )
            .as_deref(),
            Some("true")
        );
    }
    let doc = dom(&page, "case=exit%2Ffails");
    let line = first(
        &doc,
        ".engine-detail[data-engine=\"wasmer\"] pre.repro[data-kind=\"xharness\"]",
    )
    .map(text)
    .expect("a repro line in the detail");
    assert_eq!(
        line,
        "xharness --suite s --engine wasmer --exact exit/fails"
    );
    assert!(first(&doc, ".repro-line button.copy").is_some());
}

#[test]
fn screenshot_is_saved_as_an_artefact() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let page = page_in(&dir);
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map_or_else(|| PathBuf::from("target"), Path::to_path_buf);
    let artefacts = target.join("test-artefacts");
    std::fs::create_dir_all(&artefacts).expect("the artefact directory");
    let png = artefacts.join("html-report.png");
    let _ = std::fs::remove_file(&png);
    chromium_run(
        &page,
        "filter=all&case=out%2Fdiffers",
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1280,900".to_string(),
        ],
    );
    let bytes = std::fs::read(&png).expect("chromium wrote the screenshot");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(
        bytes.len() > 10_000,
        "a blank screenshot? {} bytes",
        bytes.len()
    );
    eprintln!("screenshot: {}", png.display());
}

#[test]
fn ten_thousand_cases_render_in_chunks() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut results = known_divergence();
    for i in 0..10_000 {
        for engine in ["wasmer", "wasmtime"] {
            results.push(ran(
                &format!("gen/case{i:05}"),
                engine,
                Status::Pass,
                0,
                'e',
            ));
        }
    }
    let page = write_report(dir.path(), &results);
    let size = std::fs::metadata(&page).expect("the page").len();
    assert!(size < 5_000_000, "{size} bytes for 10,005 cases");
    let doc = dom(&page, "");
    assert_eq!(rows(&doc).len(), 500, "the first chunk only");
    assert!(first(&doc, "#show-more").is_some());
    assert_eq!(
        attr(&doc, "#shown-count", "data-count").as_deref(),
        Some("10005")
    );
    let doc = dom(&page, "filter=divergent");
    assert_eq!(rows(&doc), ["out/differs"]);
}
