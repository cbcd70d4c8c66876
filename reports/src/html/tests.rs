//! Tests of the HTML page as text: escaping, the embedded data, the summary, size.

use super::*;
use crate::model::{OutcomeKind, OutcomeRecord, OutputRecord};
use crate::test_data::{feed, sample_results};
use crate::{SavedRun, Status};

const HOSTILE: &str = "</script><img src=x onerror=alert(1)><!-- \u{2028}\u{2029} & \"'";

fn report(results: &[CaseResult]) -> HtmlReport {
    let mut r = HtmlReport::new();
    feed(&mut r, results);
    r
}

/// The page with the stylesheet and script left out, for snapshots.
fn without_assets(page: &str) -> String {
    page.replace(STYLE, "/* STYLE */\n")
        .replace(SCRIPT, "/* SCRIPT */\n")
}

/// The embedded JSON blob as it stands in the page.
fn raw_blob(page: &str) -> &str {
    let marker = "id=\"report-data\">";
    let start = page.find(marker).expect("a data element") + marker.len();
    let end = start + page[start..].find("</script>").expect("its end");
    &page[start..end]
}

/// The embedded JSON blob, parsed.
fn blob(page: &str) -> serde_json::Value {
    serde_json::from_str(raw_blob(page)).expect("valid JSON")
}

fn exited(code: i32) -> Option<OutcomeRecord> {
    Some(OutcomeRecord {
        kind: OutcomeKind::Exited,
        exit_code: Some(code),
        message: None,
    })
}

fn output(digest: &str, text: Option<&str>) -> Option<OutputRecord> {
    Some(OutputRecord {
        digest: digest.repeat(64),
        bytes: text.map_or(0, |t| t.len() as u64),
        truncated: false,
        dropped: None,
        text: text.map(str::to_string),
    })
}

/// One case whose engines print different stdout, one of them hostile.
fn divergent_pair() -> Vec<CaseResult> {
    let mut a = CaseResult::new("out/differs", "wasmer", Status::Pass);
    a.outcome = exited(0);
    a.stdout = output("a", Some("same\nline\n"));
    a.divergent = true;
    let mut b = CaseResult::new("out/differs", "wasmtime", Status::Fail);
    b.outcome = exited(0);
    b.stdout = output("b", Some(&format!("same\n{HOSTILE}\n")));
    b.divergent = true;
    b.reason = Some(crate::Reason::OutputMismatch);
    b.mismatches = vec![crate::MismatchRecord {
        stream: "stdout".into(),
        golden: "out/differs.stdout".into(),
        expected: "same\nline\n".into(),
        actual: format!("same\n{HOSTILE}\n"),
        truncated: false,
    }];
    vec![a, b]
}

#[test]
fn snapshot_without_assets() {
    insta::assert_snapshot!(without_assets(&report(&sample_results()).render()));
}

#[test]
fn data_snapshot_of_a_divergent_case() {
    let page = report(&divergent_pair()).render();
    insta::assert_snapshot!(serde_json::to_string_pretty(&blob(&page)).unwrap());
}

#[test]
fn hostile_text_cannot_leave_the_data_element() {
    let mut results = divergent_pair();
    results[0].case = HOSTILE.into();
    results[0].detail = HOSTILE.into();
    let mut r = HtmlReport::new();
    r.event(&Event::Started {
        suite: HOSTILE,
        engines: &["wasmer".to_string(), HOSTILE.to_string()],
        total: 2,
    });
    for result in &results {
        r.event(&Event::Finished(result));
    }
    let page = r.render();
    assert_eq!(
        page.matches("</script").count(),
        2,
        "only the page's own script ends"
    );
    assert!(!page.contains("<img"), "no element from the data");
    assert!(!page.contains("<!--"), "no comment opened by the data");
    let raw = raw_blob(&page);
    assert!(
        !raw.contains('\u{2028}') && !raw.contains('\u{2029}'),
        "{raw}"
    );
    assert!(raw.contains("\\u003c/script\\u003e"), "{raw}");
    let data = blob(&page);
    assert_eq!(
        data["suite"], HOSTILE,
        "the JSON escapes mean the same text"
    );
    assert_eq!(data["engines"][1], HOSTILE);
    assert!(page.contains("xharness report: &lt;/script&gt;&lt;img src=x"));
}

#[test]
fn cases_are_grouped_with_results_in_engine_order() {
    let data = blob(&report(&sample_results()).render());
    assert_eq!(data["engines"], serde_json::json!(["wasmer", "wasmtime"]));
    let cases = data["cases"].as_array().expect("cases");
    let names: Vec<&str> = cases.iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(
        names,
        [
            "exit/42",
            "known/fixed",
            "mem/huge",
            "stdout/hello",
            "stdout/multi",
            "stdout/racy",
            "threads/spawn",
            "trap/div0",
            "zz/later"
        ]
    );
    let div0 = &cases[7];
    assert_eq!(div0["divergent"], true);
    assert_eq!(div0["results"][0]["status"], "xfail");
    assert_eq!(div0["results"][1]["status"], "pass");
    assert!(
        cases[0]["results"][0].is_null(),
        "exit/42 never ran on wasmer"
    );
    let failing: Vec<bool> = cases.iter().map(|c| c["failing"] == true).collect();
    assert_eq!(
        failing,
        [true, true, true, false, true, false, false, false, true]
    );
}

#[test]
fn engine_diff_is_drawn_between_the_engines() {
    let data = blob(&report(&divergent_pair()).render());
    let diffs = &data["cases"][0]["engine_diffs"];
    assert_eq!(diffs.as_array().map(Vec::len), Some(1), "{diffs}");
    let diff = diffs[0]["diff"].as_str().expect("a diff");
    assert!(
        diff.starts_with("--- wasmer stdout\n+++ wasmtime stdout\n@@"),
        "{diff}"
    );
    assert!(diff.contains("\n-line\n"), "{diff}");
    let golden = data["cases"][0]["results"][1]["golden_diffs"][0]
        .as_str()
        .expect("a golden diff");
    assert!(
        golden.starts_with("--- out/differs.stdout (expected)"),
        "{golden}"
    );
}

#[test]
fn summary_counts_per_engine_and_divergent_cases() {
    let page = report(&sample_results()).render();
    assert!(page.contains(
        "<tr data-engine=\"wasmer\"><th>wasmer</th><td data-stat=\"passed\" data-count=\"2\">2</td>\
         <td data-stat=\"failed\" data-count=\"2\">2</td>"
    ));
    assert!(
        page.contains("<span id=\"divergent-count\" data-count=\"1\">1</span> divergent case ")
    );
    assert!(page.contains("data-filter=\"failing\" data-count=\"5\""));
}

#[test]
fn a_replayed_saved_run_renders_the_same_page() {
    let mut json = crate::JsonReport::new();
    feed(&mut json, &sample_results());
    let run = SavedRun::parse(&json.render().unwrap()).unwrap();
    let mut html = HtmlReport::new();
    run.replay(&mut html);
    assert_eq!(html.render(), report(&sample_results()).render());
}

#[test]
fn ten_thousand_cases_stay_small() {
    let mut results = Vec::new();
    for i in 0..10_000 {
        for engine in ["wasmer", "wasmtime"] {
            let mut r = CaseResult::new(
                format!("generated/dir{}/case{i:05}", i % 50),
                engine,
                Status::Pass,
            );
            r.duration_ms = 1.5 + (i % 7) as f64;
            r.exit_code = Some(0);
            r.outcome = exited(0);
            r.stdout = output("c", None);
            r.stderr = output("d", None);
            results.push(r);
        }
    }
    results.extend(divergent_pair());
    let page = report(&results).render();
    let per_case = page.len() / 10_001;
    assert!(per_case < 450, "{} bytes, {per_case} per case", page.len());
    assert_eq!(blob(&page)["cases"].as_array().map(Vec::len), Some(10_001));
}

#[test]
fn write_creates_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out/report.html");
    let r = report(&sample_results());
    r.write(&path).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), r.render());
}

#[test]
fn escape_covers_the_five() {
    assert_eq!(
        escape("<a href=\"x\">&'"),
        "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
    );
}

#[test]
fn an_empty_run_renders_a_page_of_zeros() {
    let page = HtmlReport::new().render();
    assert!(page.contains("<tr id=\"summary-total\"><th>all engines</th><td data-stat=\"passed\" data-count=\"0\">0</td>"));
    assert!(
        page.contains("<span id=\"divergent-count\" data-count=\"0\">0</span> divergent cases")
    );
    assert_eq!(blob(&page)["cases"], serde_json::json!([]));
}

#[test]
fn a_merge_of_two_suites_shows_them_apart() {
    let mut r = HtmlReport::new();
    crate::test_data::two_suites().replay(&mut r);
    let page = r.render();
    let data = blob(&page);
    assert_eq!(data["suites"], serde_json::json!(["alpha", "beta"]));
    let cases: Vec<(&str, &str)> = data["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| {
            (
                c["suite"].as_str().unwrap_or(""),
                c["name"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        cases,
        [
            ("alpha", "hello"),
            ("alpha", "only/alpha"),
            ("beta", "hello"),
            ("beta", "threads")
        ]
    );
    assert!(page.contains("<thead><tr><th>suite</th><th>case</th>"));
    assert!(page.contains("<span id=\"case-count\" data-count=\"4\">"));
    assert!(page.contains(
        "<tr class=\"suite-total\" data-suite=\"alpha\"><th>suite alpha</th>\
         <td data-stat=\"passed\" data-count=\"3\">3</td><td data-stat=\"failed\" data-count=\"1\">1</td>"
    ));
    for (suite, n) in [("", 4), ("alpha", 2), ("beta", 2)] {
        let button = format!(
            "class=\"suite-filter{}\" data-suite=\"{suite}\" data-count=\"{n}\"",
            if suite.is_empty() { " active" } else { "" }
        );
        assert!(page.contains(&button), "{button}");
    }
    assert!(page.contains("data-filter=\"divergent\" data-count=\"1\""));
    let one = report(&sample_results()).render();
    assert!(!one.contains("id=\"suites\"") && !one.contains("<th>suite</th>"));
    assert!(blob(&one).get("suites").is_none());
}
