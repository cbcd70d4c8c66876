//! The HTML report's instruction counts (`--count-instructions`) in a real headless
//! browser: each counted cell of the matrix shows its count in short, and an open
//! case's comparison table has an `instructions` column with the whole count, a dash
//! for an engine that counted nothing. Without chromium the test fails and says how
//! to install it.

mod common;

use std::time::Duration;

use common::*;
use xharness_reports::{Event, HtmlReport, Reporter, Status, Summary};

#[test]
fn counted_cells_show_their_counts_and_details_have_a_column() {
    let mut results = Vec::new();
    for (engine, n) in [("wasmer", Some(1_234_567)), ("wasmtime", None)] {
        let mut r = ran("loop/busy", engine, Status::Pass, 0, 'a');
        r.instructions = n;
        results.push(r);
        let mut r = ran("loop/idle", engine, Status::Pass, 0, 'b');
        r.instructions = n.map(|_| 950);
        results.push(r);
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let engines = ["wasmer".to_string(), "wasmtime".to_string()];
    let mut report = HtmlReport::new();
    report.event(&Event::Started {
        suite: "counted",
        engines: &engines,
        total: results.len(),
    });
    for r in &results {
        report.event(&Event::Finished(r));
    }
    report.event(&Event::Done(&Summary::from_results(
        &results,
        Duration::from_millis(30),
    )));
    let page = dir.path().join("report.html");
    report.write(&page).expect("the report is written");

    let doc = dom(&page, "case=loop%2Fbusy");
    let shown: Vec<(String, String)> = doc
        .select(&sel("#matrix-body td.cell span.instr"))
        .map(|s| {
            (
                text(s),
                s.value()
                    .attr("data-instructions")
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("1.23M instr".to_string(), "1234567".to_string()),
            ("950 instr".to_string(), "950".to_string())
        ],
        "only wasmer's cells count"
    );
    let column: Vec<String> = doc
        .select(&sel(
            "tr.detail-row table.compare tbody tr td[data-col=\"instructions\"]",
        ))
        .map(text)
        .collect();
    assert_eq!(column, ["1,234,567", "\u{2014}"]);
    let heads: Vec<String> = doc
        .select(&sel("tr.detail-row table.compare thead th"))
        .map(text)
        .collect();
    assert_eq!(
        heads,
        [
            "engine",
            "status",
            "reason",
            "outcome",
            "stdout",
            "stderr",
            "instructions",
            "time"
        ]
    );
}
