//! What the browser tests of the HTML report share: headless chromium, reading the
//! DOM it dumps, and records with a known divergence.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use scraper::{ElementRef, Html, Selector};
use xharness_reports::{
    CaseResult, MismatchRecord, OutcomeKind, OutcomeRecord, OutputRecord, Reason, Status,
};

pub const HOSTILE: &str = "</script><img src=x onerror=alert(1)>";
pub const BOLD_CASE: &str = "ok/<b>bold</b>";

/// The `chromium` binary, or a failure that says how to get it.
pub fn chromium() -> PathBuf {
    for name in ["chromium", "chromium-browser"] {
        if let Some(path) = find_on_path(name) {
            return path;
        }
    }
    panic!(
        "chromium is not installed: the HTML report's browser test needs it. \
         Run `apt-get install -y chromium` (as .ci/run does) and test again."
    );
}

pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

pub fn exited(code: i32) -> Option<OutcomeRecord> {
    Some(OutcomeRecord {
        kind: OutcomeKind::Exited,
        exit_code: Some(code),
        message: None,
    })
}

pub fn output(digest: char, text: Option<&str>) -> Option<OutputRecord> {
    Some(OutputRecord {
        digest: digest.to_string().repeat(64),
        bytes: text.map_or(6, |t| t.len() as u64),
        truncated: false,
        dropped: None,
        text: text.map(str::to_string),
    })
}

pub fn ran(case: &str, engine: &str, status: Status, code: i32, stdout: char) -> CaseResult {
    let mut r = CaseResult::new(case, engine, status);
    r.exit_code = Some(code);
    r.duration_ms = 12.5;
    r.outcome = exited(code);
    r.stdout = output(stdout, None);
    r.stderr = output('0', None);
    r
}

/// Two engines; `out/differs` prints different stdout on them (one line of it hostile),
/// `exit/fails` fails alike on both, `skip/threads` is skipped on wasmer, the rest pass.
pub fn known_divergence() -> Vec<CaseResult> {
    let golden = "hello\nworld\n";
    let bad = format!("hello\n{HOSTILE}\n");
    let mut same = ran("out/differs", "wasmer", Status::Pass, 0, 'a');
    same.stdout = output('a', Some(golden));
    same.divergent = true;
    let mut differs = ran("out/differs", "wasmtime", Status::Fail, 0, 'b');
    differs.stdout = output('b', Some(&bad));
    differs.reason = Some(Reason::OutputMismatch);
    differs.divergent = true;
    differs.mismatches = vec![MismatchRecord {
        stream: "stdout".into(),
        golden: "out/differs.stdout".into(),
        expected: golden.into(),
        actual: bad.clone(),
        truncated: false,
    }];
    let mut fails = Vec::new();
    for engine in ["wasmer", "wasmtime"] {
        let mut r = ran("exit/fails", engine, Status::Fail, 1, 'c');
        r.reason = Some(Reason::ExitCode);
        r.detail = "expected exit code 0, got 1".into();
        fails.push(r);
    }
    let mut skip = CaseResult::new("skip/threads", "wasmer", Status::Skip);
    skip.expectation = Some("needs threads".into());
    let mut results = vec![same, differs, skip];
    results.extend(fails);
    results.push(ran("skip/threads", "wasmtime", Status::Pass, 0, 'd'));
    for engine in ["wasmer", "wasmtime"] {
        results.push(ran("ok/hello", engine, Status::Pass, 0, 'e'));
        results.push(ran(BOLD_CASE, engine, Status::Pass, 0, 'f'));
    }
    results
}

/// Runs headless chromium on `page#hash` with `extra` flags; returns its stdout.
pub fn chromium_run(page: &Path, hash: &str, extra: &[String]) -> String {
    let profile = tempfile::tempdir().expect("a profile directory");
    let url = format!("file://{}#{hash}", page.display());
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-dev-shm-usage",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(&url)
        .output()
        .expect("chromium starts");
    assert!(
        out.status.success(),
        "chromium failed on {url}: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The DOM after the page's script ran with `hash` in the URL.
pub fn dom(page: &Path, hash: &str) -> Html {
    let text = chromium_run(page, hash, &["--dump-dom".to_string()]);
    let doc = Html::parse_document(&text);
    assert_eq!(
        attr(&doc, "html", "data-ready").as_deref(),
        Some("true"),
        "the page's script did not finish for #{hash}:\n{text}"
    );
    doc
}

pub fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| panic!("bad selector {css}: {e}"))
}

pub fn first<'a>(doc: &'a Html, css: &str) -> Option<ElementRef<'a>> {
    doc.select(&sel(css)).next()
}

pub fn attr(doc: &Html, css: &str, name: &str) -> Option<String> {
    first(doc, css).and_then(|e| e.value().attr(name).map(str::to_string))
}

pub fn text(e: ElementRef<'_>) -> String {
    e.text().collect()
}

/// The cases of the matrix rows, in order.
pub fn rows(doc: &Html) -> Vec<String> {
    doc.select(&sel("#matrix-body tr.case-row"))
        .filter_map(|e| e.value().attr("data-case").map(str::to_string))
        .collect()
}

pub fn stat(doc: &Html, row: &str, stat: &str) -> String {
    let css = format!("#summary-table {row} td[data-stat=\"{stat}\"]");
    first(doc, &css)
        .map(text)
        .unwrap_or_else(|| panic!("no summary cell {css}"))
}
