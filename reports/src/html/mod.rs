//! The HTML report (`--report FILE.html`): one self-contained page showing where the
//! engines diverge.
//!
//! The page has a summary (per engine: passed, failed, expected failures, skipped,
//! flaky, not run and the time spent; the number of divergent cases), a matrix of
//! cases × engines (status and duration, colour-coded), filters (all, failing,
//! divergent, and "odd one out: ENGINE" for each engine that alone disagreed with
//! the others in some case) and a search box, and for each case a detail view drawn when it is
//! opened: every engine's outcome side by side, the diffs between the engines' outputs
//! and against the golden, and each engine's time.
//!
//! Design: the summary is rendered here as static HTML (readable without script); the
//! records go into the page as one JSON blob (see [`data`]) inside
//! `<script type="application/json">`, escaped so test output cannot end the element,
//! and the inline script ([`SCRIPT`]) builds the matrix from it, 500 rows at a time,
//! and a case's details only when it is opened, so a 10,000-case report opens fast.
//! Nothing is fetched when the page is viewed: CSS and script are inline.
//!
//! Above the matrix, `#groups` lists the failures grouped by cause (biggest first,
//! `li.group[data-group=N]` with `data-count`); clicking one shows only its cases
//! (`group=N` in the hash). A record that did not pass shows its repro lines in its
//! detail (`pre.repro[data-kind=xharness|cli]`), each with a copy button.
//!
//! A report of several suites (a merge of different suites) shows them apart: a summary
//! row per suite (`#summary-table tr.suite-total[data-suite=S]`), a suite column in the
//! matrix (`td.suite-name`, rows with `data-suite`) and a suite filter
//! (`#suites .suite-filter[data-suite=S]`, `data-suite=""` for all, with `aria-pressed`
//! and `data-count`; `suite=S` in the hash). A case is then named `suite::case` in the
//! hash (`case=`), in the search and in the groups.
//!
//! For tests and links, state lives in the URL hash, `#filter=divergent&q=div&case=NAME`,
//! and the page marks what a test needs to read: the summary cells
//! (`#summary-table tr[data-engine=E] td[data-stat=S]` and `#summary-total td[data-stat=S]`,
//! with `data-count`), the
//! `#divergent-count`, the filter buttons (`#filters .filter[data-filter=F]`, with
//! `aria-pressed` and a `data-count` of their cases), `#shown-count`, the rows
//! (`#matrix-body tr.case-row` with `data-case`, `data-divergent`, `data-failing`, and
//! one `td.cell[data-engine][data-status]` per engine, the odd one out's with
//! `data-odd="true"` and class `odd-one-out`) and the detail rows
//! (`tr.detail-row[data-case]`). `<html data-ready="true">` once the script ran.

mod data;

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use crate::model::sort_results;
use crate::{CaseResult, Event, ReportError, Reporter, Summary};

/// The page's stylesheet, inlined into every report.
pub const STYLE: &str = include_str!("report.css");
/// The page's script, inlined into every report.
pub const SCRIPT: &str = include_str!("report.js");

/// Collects every result and writes them as one self-contained HTML page.
#[derive(Debug, Default, Clone)]
pub struct HtmlReport {
    run: crate::model::Collected,
}

impl HtmlReport {
    /// An empty report; feed it events (or [`SavedRun::replay`](crate::SavedRun::replay)
    /// a saved run into it), then [`HtmlReport::write`].
    pub fn new() -> Self {
        Self::default()
    }

    /// The page. Without a `Done` event the summary is counted from the results.
    pub fn render(&self) -> String {
        let mut results = self.run.results.clone();
        sort_results(&mut results);
        let engines = self.all_engines(&results);
        let summary = self
            .run
            .summary
            .clone()
            .unwrap_or_else(|| Summary::from_results(&results, Duration::ZERO));
        let cases = data::page_cases(&engines, &results);
        let counts = FilterCounts::of(&results);
        let suites: Vec<&str> = counts.suites.keys().map(String::as_str).collect();
        let page = data::PageData {
            suite: &self.run.suite,
            suites: suites.clone(),
            engines: &engines,
            cases,
            groups: crate::groups::groups(&results),
        };
        // Plain data always serialises; should it ever not, the page says so.
        let blob = data::script_json(&page).unwrap_or_else(|e| {
            let msg = escape(&format!("report data could not be serialised: {e}"));
            format!("{{\"suite\":\"{msg}\",\"engines\":[],\"cases\":[],\"groups\":[]}}")
        });
        let mut html = String::with_capacity(blob.len() + STYLE.len() + SCRIPT.len() + 8192);
        self.head(&mut html);
        self.summary_section(&mut html, &engines, &suites, &results, &summary);
        html.push_str("<section id=\"groups\" hidden></section>\n");
        controls(&mut html, &counts);
        matrix(&mut html, &engines, !suites.is_empty());
        let _ = write!(
            html,
            "<script type=\"application/json\" id=\"report-data\">{blob}</script>\n\
             <script>\n{SCRIPT}</script>\n</body>\n</html>\n"
        );
        html
    }

    /// Writes the page to `path` atomically, creating parent directories.
    pub fn write(&self, path: &Path) -> Result<(), ReportError> {
        crate::fs::write_atomic(path, self.render().as_bytes())
    }

    /// The run's engines, then any engine a result names that the run did not list.
    fn all_engines(&self, results: &[CaseResult]) -> Vec<String> {
        let mut engines = self.run.engines.clone();
        for r in results {
            if !engines.contains(&r.engine) {
                engines.push(r.engine.clone());
            }
        }
        engines
    }

    fn head(&self, html: &mut String) {
        let suite = escape(&self.run.suite);
        let _ = write!(
            html,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>xharness report: {suite}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n\
             <header>\n<h1>xharness report: <span id=\"suite-name\">{suite}</span></h1>\n"
        );
    }

    fn summary_section(
        &self,
        html: &mut String,
        engines: &[String],
        suites: &[&str],
        results: &[CaseResult],
        summary: &Summary,
    ) {
        let cases = results
            .iter()
            .map(|r| (r.suite.as_str(), r.case.as_str()))
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        let _ = write!(
            html,
            "<p id=\"run-info\"><span id=\"case-count\" data-count=\"{cases}\">{cases}</span> cases \
             × {} engines · {} results · wall time <span id=\"wall-time\">{}</span>{}</p>\n</header>\n",
            engines.len(),
            results.len(),
            fmt_duration(summary.duration),
            if summary.interrupted {
                " · <span class=\"interrupted\" id=\"interrupted\">interrupted</span>"
            } else {
                ""
            }
        );
        html.push_str(
            "<section id=\"summary\">\n<table id=\"summary-table\">\n<thead><tr><th>engine</th>\
             <th title=\"pass and expected failures\">passed</th>\
             <th title=\"fail, unexpected pass and harness errors\">failed</th>\
             <th title=\"expected failures (also counted as passed)\">xfail</th>\
             <th>skipped</th><th>flaky</th><th>not run</th><th>total</th>\
             <th title=\"the sum of the engine's job times\">time</th></tr></thead>\n<tbody>\n",
        );
        for engine in engines {
            let mine: Vec<&CaseResult> = results.iter().filter(|r| &r.engine == engine).collect();
            let s = Summary::from_results(mine.iter().copied(), Duration::ZERO);
            let ms: f64 = mine.iter().map(|r| r.duration_ms).sum();
            let attrs = format!("data-engine=\"{}\"", escape(engine));
            summary_row(html, &attrs, engine, &s, &fmt_ms(ms));
        }
        html.push_str("</tbody>\n<tfoot>\n");
        for suite in suites {
            let mine: Vec<&CaseResult> = results.iter().filter(|r| r.suite == *suite).collect();
            let s = Summary::from_results(mine.iter().copied(), Duration::ZERO);
            let ms: f64 = mine.iter().map(|r| r.duration_ms).sum();
            let attrs = format!("class=\"suite-total\" data-suite=\"{}\"", escape(suite));
            summary_row(html, &attrs, &format!("suite {suite}"), &s, &fmt_ms(ms));
        }
        let ms: f64 = results.iter().map(|r| r.duration_ms).sum();
        summary_row(
            html,
            "id=\"summary-total\"",
            "all engines",
            summary,
            &fmt_ms(ms),
        );
        let _ = write!(
            html,
            "</tfoot>\n</table>\n<p class=\"divergent-summary\"><span id=\"divergent-count\" \
             data-count=\"{0}\">{0}</span> divergent {1} (the engines disagree on the outcome, \
             exit code, stdout or stderr)</p>\n</section>\n",
            summary.divergent,
            if summary.divergent == 1 {
                "case"
            } else {
                "cases"
            }
        );
    }
}

/// One summary row; `attrs` identifies it (`data-engine="E"`, or the totals' id).
fn summary_row(html: &mut String, attrs: &str, label: &str, s: &Summary, time: &str) {
    let _ = write!(html, "<tr {attrs}><th>{}</th>", escape(label));
    for (stat, n) in [
        ("passed", s.passed),
        ("failed", s.failed),
        ("xfailed", s.xfailed),
        ("skipped", s.skipped),
        ("flaky", s.flaky),
        ("not-run", s.not_run),
        ("total", s.total()),
    ] {
        let _ = write!(html, "<td data-stat=\"{stat}\" data-count=\"{n}\">{n}</td>");
    }
    let _ = writeln!(html, "<td data-stat=\"time\">{time}</td></tr>");
}

/// How many cases each filter shows.
struct FilterCounts {
    all: usize,
    failing: usize,
    divergent: usize,
    /// Per engine, the cases it is the odd one out of.
    odd: std::collections::BTreeMap<String, usize>,
    /// Per suite the records name (in a report of several), its cases.
    suites: std::collections::BTreeMap<String, usize>,
}

impl FilterCounts {
    fn of(results: &[CaseResult]) -> Self {
        use std::collections::BTreeMap;
        let mut cases: BTreeMap<(&str, &str), (bool, bool, Option<&str>)> = BTreeMap::new();
        for r in results {
            let flags = cases
                .entry((r.suite.as_str(), r.case.as_str()))
                .or_default();
            flags.0 |= data::is_failing(r.status);
            flags.1 |= r.divergent;
            if let Some(odd) = r.divergence.as_ref().and_then(|d| d.odd_one_out.as_deref()) {
                flags.2 = Some(odd);
            }
        }
        let mut odd = BTreeMap::new();
        for engine in cases.values().filter_map(|f| f.2) {
            *odd.entry(engine.to_string()).or_default() += 1;
        }
        let mut suites = BTreeMap::new();
        for (suite, _) in cases.keys().filter(|(suite, _)| !suite.is_empty()) {
            *suites.entry(suite.to_string()).or_default() += 1;
        }
        FilterCounts {
            suites,
            all: cases.len(),
            failing: cases.values().filter(|f| f.0).count(),
            divergent: cases.values().filter(|f| f.1).count(),
            odd,
        }
    }
}

fn controls(html: &mut String, counts: &FilterCounts) {
    html.push_str(
        "<nav id=\"controls\">\n<div id=\"filters\" role=\"group\" aria-label=\"filter\">",
    );
    for (filter, n, title) in [
        ("all", counts.all, "every case"),
        (
            "failing",
            counts.failing,
            "cases that failed or did not run on some engine",
        ),
        (
            "divergent",
            counts.divergent,
            "cases whose engines disagree",
        ),
    ] {
        let pressed = filter == "all";
        let _ = write!(
            html,
            "<button type=\"button\" class=\"filter{}\" data-filter=\"{filter}\" data-count=\"{n}\" \
             aria-pressed=\"{pressed}\" title=\"{title}\">{filter}<span class=\"count\">{n}</span></button>",
            if pressed { " active" } else { "" }
        );
    }
    for (engine, n) in &counts.odd {
        let e = escape(engine);
        let _ = write!(
            html,
            "<button type=\"button\" class=\"filter filter-odd\" data-filter=\"odd:{e}\" data-count=\"{n}\" \
             aria-pressed=\"false\" title=\"divergent cases where {e} differs from every other engine\">\
             odd one out: {e}<span class=\"count\">{n}</span></button>"
        );
    }
    html.push_str("</div>\n");
    suite_filter(html, counts);
    let _ = write!(
        html,
        "<input id=\"search\" type=\"search\" placeholder=\"search case names\" \
         autocomplete=\"off\" aria-label=\"search case names\">\n<span id=\"shown\">\
         <span id=\"shown-count\" data-count=\"{0}\">{0}</span> of {0} cases shown</span>\n</nav>\n",
        counts.all
    );
}

/// In a report of several suites, one button per suite (and one for all of them) that
/// shows only its cases.
fn suite_filter(html: &mut String, counts: &FilterCounts) {
    if counts.suites.is_empty() {
        return;
    }
    html.push_str("<div id=\"suites\" role=\"group\" aria-label=\"suite\">");
    let all = std::iter::once(("", "all suites", counts.all));
    let each = counts
        .suites
        .iter()
        .map(|(s, n)| (s.as_str(), s.as_str(), *n));
    for (suite, label, n) in all.chain(each) {
        let pressed = suite.is_empty();
        let _ = write!(
            html,
            "<button type=\"button\" class=\"suite-filter{}\" data-suite=\"{}\" data-count=\"{n}\" \
             aria-pressed=\"{pressed}\">{}<span class=\"count\">{n}</span></button>",
            if pressed { " active" } else { "" },
            escape(suite),
            escape(label)
        );
    }
    html.push_str("</div>\n");
}

/// The matrix's head (with a suite column in a report of several suites); the script
/// fills its body.
fn matrix(html: &mut String, engines: &[String], suite_column: bool) {
    html.push_str("<table id=\"matrix\">\n<thead><tr>");
    if suite_column {
        html.push_str("<th>suite</th>");
    }
    html.push_str("<th>case</th>");
    for e in engines {
        let e = escape(e);
        let _ = write!(html, "<th data-engine=\"{e}\">{e}</th>");
    }
    html.push_str(
        "</tr></thead>\n<tbody id=\"matrix-body\"></tbody>\n</table>\n\
         <noscript><p>The case matrix needs JavaScript; the summary above is complete.</p></noscript>\n",
    );
}

/// `text` with `&`, `<`, `>`, `"` and `'` escaped, for HTML text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Milliseconds for people: `0.8 ms`, `42 ms`, `1.25 s`.
fn fmt_ms(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else if ms >= 10.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

fn fmt_duration(d: Duration) -> String {
    fmt_ms(d.as_secs_f64() * 1000.0)
}

impl Reporter for HtmlReport {
    fn event(&mut self, ev: &Event<'_>) {
        self.run.record(ev);
    }
}

#[cfg(test)]
mod tests;
