//! Every environment variable xharness reads, read once at the edge (the
//! CLI's `main`, the `cargo test` entry) into one [`Env`] that is passed
//! down. The library crates (`engines`, `suites`, `golden`, `reports`)
//! read no environment: they take these values as arguments.
//!
//! | variable | meaning |
//! | --- | --- |
//! | `XHARNESS_CACHE_DIR` | the cache folder (else `$XDG_CACHE_HOME/xharness`, `$HOME/.cache/xharness`, a temp folder) |
//! | `NO_COLOR`, `CLICOLOR`, `CLICOLOR_FORCE` | colour with `--color auto` |
//! | `COLUMNS` | the progress bar's width when no terminal can be asked |
//! | `XHARNESS_RSS_MARGIN` | a worker's memory allowance above a case's `max_memory` |
//! | `XHARNESS_ENGINES` | the engines of the `cargo test` entry |
//! | `XHARNESS_BLESS` | `1`: the `cargo test` entry writes goldens |
//! | `XHARNESS_COUNT_INSTRUCTIONS` | `1`: the `cargo test` entry counts the wasm instructions each case executes |
//! | `XHARNESS_OUTPUT` | report files of the `cargo test` entry: `FORMAT:FILE`, comma-separated |
//! | `XHARNESS_BIN` | the `xharness` binary that repro lines of `cargo test` name |
//! | `CARGO` | the cargo that `--cargo` runs (cargo sets it for its subcommands) |
//! | `XHARNESS_COPY_DIR` | where private copies of `copy` directories go (else `/dev/shm`, else the temp dir) |
//!
//! A worker process is an edge of its own: it reads the variables its
//! parent sets to start it (`XHARNESS_WORKER`, the engine list, where its
//! output stream is) in `worker::serve` and the `sys` calls it makes, and
//! nothing else.

use std::ffi::OsString;
use std::path::PathBuf;

use xharness_golden::ColorEnv;

/// The environment as xharness uses it, read once.
#[derive(Debug, Clone)]
pub struct Env {
    /// The default cache folder (`--cache-dir` overrides it).
    pub cache_dir: PathBuf,
    /// What the colour variables say.
    pub color: ColorEnv,
    /// `COLUMNS`, when set to a positive number.
    pub columns: Option<u16>,
    /// `XHARNESS_RSS_MARGIN` in bytes, when set and valid.
    pub rss_margin: Option<u64>,
    /// `XHARNESS_ENGINES`, split on commas, when set and not blank.
    pub engines: Option<Vec<String>>,
    /// `XHARNESS_OUTPUT`, as written (`FORMAT:FILE[,FORMAT:FILE…]`).
    pub output: Option<String>,
    /// `XHARNESS_BIN`.
    pub xharness_bin: Option<PathBuf>,
    /// `CARGO`, else `cargo`.
    pub cargo: OsString,
    /// `XHARNESS_BLESS=1`: the `cargo test` entry blesses.
    pub bless: bool,
    /// `XHARNESS_COUNT_INSTRUCTIONS=1`: the `cargo test` entry counts
    /// instructions (`--count-instructions`).
    pub count_instructions: bool,
    /// `XHARNESS_COPY_DIR`.
    pub copy_dir: Option<PathBuf>,
}

impl Env {
    /// Read this process's environment.
    pub fn from_process() -> Self {
        Self::from_lookup(&|name| std::env::var_os(name))
    }

    /// Read the variables through `var` (a test passes a map).
    pub fn from_lookup(var: &dyn Fn(&str) -> Option<OsString>) -> Self {
        let set = |name: &str| var(name).filter(|v| !v.is_empty());
        let text = |name: &str| set(name).and_then(|v| v.into_string().ok());
        Env {
            cache_dir: default_cache_dir(&set),
            color: ColorEnv {
                no_color: set("NO_COLOR").is_some(),
                force: set("CLICOLOR_FORCE").is_some_and(|v| v != "0"),
                off: set("CLICOLOR").is_some_and(|v| v == "0"),
            },
            columns: text("COLUMNS")
                .and_then(|c| c.trim().parse().ok())
                .filter(|&w: &u16| w > 0),
            rss_margin: text("XHARNESS_RSS_MARGIN")
                .and_then(|v| xharness_suites::parse_size(&v).ok()),
            engines: text("XHARNESS_ENGINES")
                .filter(|l| !l.trim().is_empty())
                .map(|l| l.split(',').map(String::from).collect()),
            output: text("XHARNESS_OUTPUT").filter(|o| !o.trim().is_empty()),
            xharness_bin: set("XHARNESS_BIN").map(PathBuf::from),
            cargo: set("CARGO").unwrap_or_else(|| "cargo".into()),
            bless: set("XHARNESS_BLESS").is_some_and(|v| v == "1"),
            count_instructions: set("XHARNESS_COUNT_INSTRUCTIONS").is_some_and(|v| v == "1"),
            copy_dir: set("XHARNESS_COPY_DIR").map(PathBuf::from),
        }
    }
}

/// `$XHARNESS_CACHE_DIR`, else `$XDG_CACHE_HOME/xharness`, else
/// `$HOME/.cache/xharness`, else a folder in the system temp dir: the one
/// default cache folder (compiled modules, native code, derived goldens,
/// the state of the last run).
fn default_cache_dir(set: &dyn Fn(&str) -> Option<OsString>) -> PathBuf {
    if let Some(dir) = set("XHARNESS_CACHE_DIR") {
        return dir.into();
    }
    if let Some(dir) = set("XDG_CACHE_HOME") {
        return PathBuf::from(dir).join("xharness");
    }
    if let Some(home) = set("HOME") {
        return PathBuf::from(home).join(".cache").join("xharness");
    }
    std::env::temp_dir().join("xharness-cache")
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(vars: &[(&str, &str)]) -> Env {
        let map: HashMap<String, OsString> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.into()))
            .collect();
        Env::from_lookup(&|name| map.get(name).cloned())
    }

    #[test]
    fn the_cache_folder_falls_back_in_order() {
        assert_eq!(
            env(&[("XHARNESS_CACHE_DIR", "/c"), ("HOME", "/h")]).cache_dir,
            PathBuf::from("/c")
        );
        assert_eq!(
            env(&[("XDG_CACHE_HOME", "/x"), ("HOME", "/h")]).cache_dir,
            PathBuf::from("/x/xharness")
        );
        assert_eq!(
            env(&[("XHARNESS_CACHE_DIR", ""), ("HOME", "/h")]).cache_dir,
            PathBuf::from("/h/.cache/xharness")
        );
    }

    #[test]
    fn colour_variables_count_only_when_set() {
        assert!(!env(&[("NO_COLOR", "")]).color.no_color);
        assert!(!env(&[("CLICOLOR_FORCE", "0")]).color.force);
        assert!(env(&[("CLICOLOR_FORCE", "1")]).color.force);
        assert!(env(&[("CLICOLOR", "0")]).color.off);
    }

    #[test]
    fn values_that_do_not_parse_are_unset() {
        let e = env(&[("COLUMNS", "wide"), ("XHARNESS_RSS_MARGIN", "lots")]);
        assert_eq!((e.columns, e.rss_margin), (None, None));
        let e = env(&[("COLUMNS", "120"), ("XHARNESS_RSS_MARGIN", "64MiB")]);
        assert_eq!((e.columns, e.rss_margin), (Some(120), Some(64 << 20)));
        let e = env(&[("XHARNESS_ENGINES", "wasmtime,wasmi"), ("NO_COLOR", "1")]);
        assert_eq!(e.engines, Some(vec!["wasmtime".into(), "wasmi".into()]));
        assert!(e.color.no_color);
        assert_eq!(
            env(&[("XHARNESS_COPY_DIR", "/d")]).copy_dir,
            Some(PathBuf::from("/d"))
        );
        assert_eq!(env(&[("XHARNESS_COPY_DIR", "")]).copy_dir, None);
        assert!(env(&[("XHARNESS_COUNT_INSTRUCTIONS", "1")]).count_instructions);
        assert!(!env(&[("XHARNESS_COUNT_INSTRUCTIONS", "yes")]).count_instructions);
    }
}
