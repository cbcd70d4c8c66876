//! The `generic` suite kind: a `suite.toml` whose include globs pick the cases.
//!
//! Each file under `root` matching `include` (and not `exclude`) is one case, named by
//! its path under root without extension. Suite-wide `[run]` and `[golden]` settings
//! are templates expanded per case; sidecar files (`STEM.exit`, `STEM.args`) next to
//! a source override or extend them. See the crate docs for the full format.

mod config;
mod discover;
pub(crate) mod expect;
mod settings;
mod sidecar;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::time::Duration;

use toml::Spanned;

use crate::error::{Loc, SuiteError};
use crate::source::SourceFile;
use crate::template;
use crate::{Normalize, Suite, SuiteKind, Toolchain};
use config::{RawGolden, RawSuite, RawToolchain};

/// Default compile timeout.
const TOOLCHAIN_TIMEOUT: Duration = Duration::from_secs(60);

/// Parse and validate a generic `suite.toml`, then discover its cases.
///
/// `root_override` (the CLI's `--root`) replaces the `root` key; a relative override
/// is taken relative to the process's current directory.
pub fn load(file: &SourceFile, root_override: Option<&Path>) -> Result<Suite, SuiteError> {
    let raw: RawSuite = file.parse()?;
    let root = resolve_root(file, raw.root.as_ref(), root_override)?;
    let toolchain = toolchain(file, raw.toolchain.as_ref())?;
    let normalize = normalize(file, &raw.golden)?;
    let settings = settings::Settings::new(file, &raw.run, &raw.golden)?;
    let (found, listing) = discover::discover(file, &root, &raw.include, &raw.exclude)?;
    if found.is_empty() {
        return Err(SuiteError::NoCases {
            file: file.path.clone(),
            name: raw.name.get_ref().clone(),
            root,
            include: raw
                .include
                .get_ref()
                .iter()
                .map(|g| g.get_ref().clone())
                .collect(),
        });
    }
    let names: Vec<&str> = found.iter().map(|f| f.name.as_str()).collect();
    let mut engine_keys = Vec::new();
    let mut expectations = expect::parse(file, &raw.expect, &names, &mut engine_keys)?;
    let cases = found
        .into_iter()
        .map(|f| {
            let expect = expectations.remove(&f.name).unwrap_or_default();
            settings.case(&root, f, expect, &listing)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Suite {
        name: raw.name.into_inner(),
        kind: SuiteKind::Generic,
        file: file.path.clone(),
        root,
        toolchain,
        normalize,
        cases,
        retries: raw.run.retries.unwrap_or(0),
        warnings: Vec::new(),
        expectations: crate::builtin::expectation_paths(&file.path, &raw.expectations),
        engine_keys,
        derived: Vec::new(),
    })
}

/// Absolute, canonical root: the override, else `root` relative to the file's folder.
pub(crate) fn resolve_root(
    file: &SourceFile,
    key: Option<&Spanned<String>>,
    root_override: Option<&Path>,
) -> Result<PathBuf, SuiteError> {
    let base = file.path.parent().unwrap_or(Path::new("/"));
    let (wanted, origin) = match (root_override, key) {
        (Some(dir), _) => (dir.to_path_buf(), "the root override (--root)".to_owned()),
        (None, Some(root)) => {
            let origin = format!("`root` at {}", file.loc(root.span()));
            (base.join(root.get_ref()), origin)
        }
        (None, None) => (
            base.to_path_buf(),
            format!("the folder of {}", file.path.display()),
        ),
    };
    let bad = |source| SuiteError::BadRoot {
        root: wanted.clone(),
        origin: origin.clone(),
        source,
    };
    let root = std::fs::canonicalize(&wanted).map_err(bad)?;
    if !root.is_dir() {
        return Err(bad(std::io::Error::other("not a directory")));
    }
    if root.to_str().is_none() {
        return Err(SuiteError::NonUtf8Path { path: root });
    }
    Ok(root)
}

const TOOLCHAIN_HINT: &str = "set `command = \"... {src} ... {out}\"`, \
     or `builtin = \"wat\"` (WAT text) or `builtin = \"wasm\"` (binary modules)";

/// Validate `[toolchain]`: exactly one of `command` and `builtin`.
fn toolchain(
    file: &SourceFile,
    raw: Option<&Spanned<RawToolchain>>,
) -> Result<Toolchain, SuiteError> {
    let Some(table) = raw else {
        let loc = Loc::file(file.path.clone());
        let message = format!("missing [toolchain] table; {TOOLCHAIN_HINT}");
        return Err(SuiteError::Invalid {
            loc,
            key: "toolchain".into(),
            message,
        });
    };
    let t = table.get_ref();
    let shell = t.shell.as_ref().is_some_and(|s| *s.get_ref());
    match (&t.command, &t.builtin) {
        (Some(command), None) => {
            let template = command_template(file, command)?;
            let timeout = t.timeout.map_or(TOOLCHAIN_TIMEOUT, |s| s.0);
            Ok(Toolchain::Command {
                template,
                timeout,
                shell,
            })
        }
        (None, Some(builtin)) => {
            if let Some(s) = t.shell.as_ref().filter(|_| shell) {
                let message = "`shell = true` only applies to `command`; remove it";
                return Err(file.invalid(s, "toolchain.shell", message));
            }
            match builtin.get_ref().as_str() {
                "wat" => Ok(Toolchain::BuiltinWat),
                "wasm" => Ok(Toolchain::BuiltinWasm),
                other => {
                    let message = format!("unknown builtin {other:?}; use \"wat\" or \"wasm\"");
                    Err(file.invalid(builtin, "toolchain.builtin", message))
                }
            }
        }
        (Some(_), Some(builtin)) => {
            let message = "set either `command` or `builtin`, not both";
            Err(file.invalid(builtin, "toolchain.builtin", message))
        }
        (None, None) => {
            let message = format!("[toolchain] is empty; {TOOLCHAIN_HINT}");
            Err(file.invalid(table, "toolchain", message))
        }
    }
}

/// The compile command must be well-formed and say where the module goes (`{out}`).
pub(crate) fn command_template(
    file: &SourceFile,
    command: &Spanned<String>,
) -> Result<String, SuiteError> {
    let key = "toolchain.command";
    let used = template::placeholders(command.get_ref())
        .map_err(|e| file.invalid(command, key, template_message(e)))?;
    if !used.contains(&"out") {
        let message = "the command must write the module to `{out}`, e.g. `... -o {out}`";
        return Err(file.invalid(command, key, message));
    }
    Ok(command.get_ref().clone())
}

/// The message of a template error without the `template "...":` prefix repeated.
fn template_message(err: SuiteError) -> String {
    match err {
        SuiteError::Template { template, message } => format!("in {template:?}: {message}"),
        other => other.to_string(),
    }
}

/// Validate `[golden]` normalisation: every regex must compile.
fn normalize(file: &SourceFile, golden: &RawGolden) -> Result<Normalize, SuiteError> {
    let mut rules = Vec::with_capacity(golden.normalize.len());
    for rule in &golden.normalize {
        let pattern = rule.regex.get_ref();
        if let Err(err) = regex::Regex::new(pattern) {
            let message = format!("regex {pattern:?} does not compile: {err}");
            return Err(file.invalid(&rule.regex, "golden.normalize.regex", message));
        }
        rules.push((pattern.clone(), rule.replace.clone()));
    }
    Ok(Normalize {
        rules,
        trim_trailing_whitespace: golden.trim_trailing_whitespace,
        normalize_crlf: golden.normalize_crlf.unwrap_or(true),
        collapse_whitespace: false,
    })
}
