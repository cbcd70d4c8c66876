//! Reading a libtest binary's own list of its tests.
//!
//! The harness runs the binary twice at most:
//! 1. [`JSON_ARGS`] with [`JSON_ENV`] set: one JSON line per test with
//!    its `#[ignore]` flag and reason and its source location. libtest only
//!    offers this format behind `-Zunstable-options`, which a stable
//!    toolchain's test binary accepts when `RUSTC_BOOTSTRAP` is set in its
//!    environment.
//! 2. If that fails (an older libtest), the stable terse format:
//!    [`TERSE_ARGS`] lists every test, [`TERSE_IGNORED_ARGS`] only the
//!    ignored ones (without their reasons).

use serde::{Deserialize, Serialize};

/// Arguments for the JSON listing.
pub const JSON_ARGS: [&str; 4] = ["--list", "--format", "json", "-Zunstable-options"];
/// The environment variable that lets a stable libtest take `-Z` options.
pub const JSON_ENV: (&str, &str) = ("RUSTC_BOOTSTRAP", "1");
/// Arguments for the terse listing of every test.
pub const TERSE_ARGS: [&str; 3] = ["--list", "--format", "terse"];
/// Arguments for the terse listing of the ignored tests.
pub const TERSE_IGNORED_ARGS: [&str; 4] = ["--list", "--format", "terse", "--ignored"];

/// One test as its binary lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listed {
    /// The test's path, e.g. `tests::adds`.
    pub name: String,
    /// `Some(reason)` for an `#[ignore]` test (the reason may be empty).
    pub ignore: Option<String>,
    /// `FILE:LINE` of the test function, when libtest says.
    pub source: Option<String>,
}

#[derive(Deserialize)]
struct JsonLine {
    #[serde(rename = "type")]
    kind: String,
    event: String,
    name: Option<String>,
    #[serde(default)]
    ignore: bool,
    #[serde(default)]
    ignore_message: String,
    source_path: Option<String>,
    start_line: Option<u64>,
}

/// The tests of a JSON listing, or `None` when `stdout` is not one (no
/// `discovery` event, or a line that is not libtest's JSON).
pub fn parse_json(stdout: &str) -> Option<Vec<Listed>> {
    let mut tests = Vec::new();
    let mut saw_discovery = false;
    for line in stdout.lines().filter(|l| !l.trim().is_empty()) {
        let event: JsonLine = serde_json::from_str(line).ok()?;
        match (event.kind.as_str(), event.event.as_str()) {
            ("suite", "discovery") => saw_discovery = true,
            ("test", "discovered") => tests.push(Listed {
                name: event.name?,
                ignore: event.ignore.then_some(event.ignore_message),
                source: event
                    .source_path
                    .map(|p| format!("{p}:{}", event.start_line.unwrap_or(0))),
            }),
            _ => {}
        }
    }
    saw_discovery.then_some(tests)
}

/// The tests of a terse listing (`NAME: test` lines; benchmarks are not
/// tests), marked ignored when they appear in `ignored` too.
pub fn parse_terse(all: &str, ignored: &str) -> Vec<Listed> {
    let ignored: std::collections::HashSet<&str> = terse_names(ignored).collect();
    terse_names(all)
        .map(|name| Listed {
            name: name.to_owned(),
            ignore: ignored.contains(name).then(String::new),
            source: None,
        })
        .collect()
}

fn terse_names(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter_map(|l| l.strip_suffix(": test"))
}
