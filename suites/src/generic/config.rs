//! The `suite.toml` schema exactly as written, before defaults and validation.
//!
//! Every table denies unknown keys, so a typo is a parse error naming the key and
//! line. Values that are checked after parsing keep their span ([`Spanned`]).

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::units::{ByteSize, Seconds};

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSuite {
    pub name: Spanned<String>,
    /// Read by [`crate::load`] to pick this module; only "generic" gets here.
    #[serde(default)]
    #[allow(dead_code)]
    pub kind: Option<String>,
    pub root: Option<Spanned<String>>,
    pub include: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    pub toolchain: Option<Spanned<RawToolchain>>,
    #[serde(default)]
    pub run: RawRun,
    #[serde(default)]
    pub golden: RawGolden,
    /// engine -> case name -> "xfail: reason" | "skip: reason".
    #[serde(default)]
    pub expect: BTreeMap<String, BTreeMap<Spanned<String>, Spanned<String>>>,
    /// Baseline files (see [`crate::Suite::expectations`]).
    #[serde(default)]
    pub expectations: Vec<String>,
}

/// `[toolchain]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawToolchain {
    pub command: Option<Spanned<String>>,
    pub builtin: Option<Spanned<String>>,
    pub timeout: Option<Seconds>,
    pub shell: Option<Spanned<bool>>,
}

/// `[run]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRun {
    #[serde(default)]
    pub args: Vec<Spanned<String>>,
    #[serde(default)]
    pub env: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    pub dirs: Vec<Spanned<String>>,
    pub stdin: Option<Spanned<String>>,
    pub exit_code: Option<i32>,
    pub timeout: Option<Seconds>,
    pub max_memory: Option<ByteSize>,
    pub max_output: Option<ByteSize>,
    pub retries: Option<u32>,
    /// Native-import description files, relative to the suite file.
    #[serde(default)]
    pub native: Vec<Spanned<String>>,
}

/// `[golden]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGolden {
    pub stdout: Option<Spanned<String>>,
    pub stderr: Option<Spanned<String>>,
    #[serde(default)]
    pub trim_trailing_whitespace: bool,
    pub normalize_crlf: Option<bool>,
    #[serde(default)]
    pub normalize: Vec<RawRule>,
}

/// One `[[golden.normalize]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub regex: Spanned<String>,
    pub replace: String,
}
