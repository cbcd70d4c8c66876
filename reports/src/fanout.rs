//! One fan-out of the scheduler's events to every output a run asked for,
//! and the one registry of file formats.
//!
//! The CLI's run, `report merge`, `report html` and the `cargo test`
//! entry all build a [`Fanout`]: listeners that only watch (the console)
//! and file outputs that are written at the end. A file format is a
//! [`FileReport`] and one line in [`FORMATS`]; every entry point then
//! offers it as `--output NAME:FILE` without further changes. This module
//! decides nothing about a run: it passes events on and writes files.

use std::path::{Path, PathBuf};

use crate::{Event, HtmlReport, JsonReport, JunitReport, ReportError, Reporter};

/// A report that is written to a file once the run is done.
pub trait FileReport: Reporter {
    /// Write what the report gathered to `path`, atomically.
    fn write(&self, path: &Path) -> Result<(), ReportError>;
}

impl FileReport for JsonReport {
    fn write(&self, path: &Path) -> Result<(), ReportError> {
        JsonReport::write(self, path)
    }
}

impl FileReport for JunitReport {
    fn write(&self, path: &Path) -> Result<(), ReportError> {
        JunitReport::write(self, path)
    }
}

impl FileReport for HtmlReport {
    fn write(&self, path: &Path) -> Result<(), ReportError> {
        HtmlReport::write(self, path)
    }
}

/// A file format: its name in `--output NAME:FILE` and how to start one.
pub struct Format {
    /// The name users write (`json`, `junit`, `html`).
    pub name: &'static str,
    /// One line for help texts.
    pub about: &'static str,
    new: fn() -> Box<dyn FileReport>,
}

/// Every file format; adding one is a [`FileReport`] and a line here.
pub const FORMATS: &[Format] = &[
    Format {
        name: "json",
        about: "the results as JSON (what `report merge` and `--timings` read)",
        new: || Box::new(JsonReport::new()),
    },
    Format {
        name: "junit",
        about: "JUnit XML for CI systems",
        new: || Box::new(JunitReport::new()),
    },
    Format {
        name: "html",
        about: "one self-contained page comparing engines case by case",
        new: || Box::new(HtmlReport::new()),
    },
];

/// The format called `name`.
pub fn format(name: &str) -> Option<&'static Format> {
    FORMATS.iter().find(|f| f.name == name)
}

/// A file output asked for: a format and where it goes.
#[derive(Clone)]
pub struct Output {
    pub format: &'static Format,
    pub path: PathBuf,
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.format.name, self.path.display())
    }
}

impl Output {
    /// The output of format `name` at `path`; `None` for an unknown name.
    pub fn new(name: &str, path: impl Into<PathBuf>) -> Option<Self> {
        Some(Output {
            format: format(name)?,
            path: path.into(),
        })
    }

    /// Parse `NAME:FILE`, as `--output` takes it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let names = || {
            FORMATS
                .iter()
                .map(|f| f.name)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (name, path) = text
            .split_once(':')
            .filter(|(_, p)| !p.is_empty())
            .ok_or_else(|| format!("{text:?}: write FORMAT:FILE, e.g. json:results.json"))?;
        Output::new(name, path).ok_or_else(|| {
            format!(
                "unknown report format {name:?}; the formats are {}",
                names()
            )
        })
    }
}

/// Every listener and file output of one run.
#[derive(Default)]
pub struct Fanout<'a> {
    listeners: Vec<Box<dyn Reporter + 'a>>,
    files: Vec<(Box<dyn FileReport>, PathBuf)>,
}

impl<'a> Fanout<'a> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a listener that writes as events come (the console).
    pub fn listen(&mut self, reporter: impl Reporter + 'a) {
        self.listeners.push(Box::new(reporter));
    }

    /// Add the file outputs; they are written by [`Fanout::write`].
    pub fn outputs(&mut self, outputs: &[Output]) {
        for o in outputs {
            self.files.push(((o.format.new)(), o.path.clone()));
        }
    }

    /// Whether anything listens.
    pub fn is_empty(&self) -> bool {
        self.listeners.is_empty() && self.files.is_empty()
    }

    /// Write every file output, in the order asked; stops at the first error.
    pub fn write(&self) -> Result<(), ReportError> {
        self.files.iter().try_for_each(|(r, path)| r.write(path))
    }
}

impl Reporter for Fanout<'_> {
    fn event(&mut self, ev: &Event<'_>) {
        for l in &mut self.listeners {
            l.event(ev);
        }
        for (f, _) in &mut self.files {
            f.event(ev);
        }
    }

    /// Finishes every listener (the files are written by [`Fanout::write`])
    /// and returns the first error.
    fn finish(&mut self) -> Result<(), ReportError> {
        let mut first = Ok(());
        for l in &mut self.listeners {
            let r = l.finish();
            if first.is_ok() {
                first = r;
            }
        }
        for (f, _) in &mut self.files {
            let r = f.finish();
            if first.is_ok() {
                first = r;
            }
        }
        first
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Summary;

    #[test]
    fn outputs_parse_by_format_name() {
        let o = Output::parse("junit:out/j.xml").expect("valid");
        assert_eq!(
            (o.format.name, o.path),
            ("junit", PathBuf::from("out/j.xml"))
        );
        let e = Output::parse("tap:x").expect_err("unknown");
        assert!(e.contains("json, junit, html"), "{e}");
        assert!(Output::parse("json").is_err());
        assert!(Output::parse("json:").is_err());
    }

    #[test]
    fn every_output_sees_every_event_and_is_written() {
        let dir = tempfile::tempdir().expect("temp dir");
        let outputs: Vec<Output> = FORMATS
            .iter()
            .map(|f| Output::new(f.name, dir.path().join(f.name)).expect("registered"))
            .collect();
        let mut fan = Fanout::new();
        fan.outputs(&outputs);
        let engines = ["wasmtime".to_string()];
        fan.event(&Event::Started {
            suite: "s",
            engines: &engines,
            total: 0,
        });
        let summary = Summary::from_results(&[], std::time::Duration::ZERO);
        fan.event(&Event::Done(&summary));
        fan.finish().expect("no listener fails");
        fan.write().expect("written");
        for f in FORMATS {
            let text = std::fs::read_to_string(dir.path().join(f.name)).expect("written");
            assert!(text.contains('s'), "{}: {text}", f.name);
        }
        let json = std::fs::read_to_string(dir.path().join("json")).expect("json");
        assert!(json.contains("\"suite\": \"s\""), "{json}");
    }
}
