//! The driver's output normalisers, as regex rules the golden crate applies.
//!
//! GHC's driver compares stdout after `normalise_output` and stderr after
//! `normalise_errmsg`, with every run of whitespace made one space; tests
//! add their own with `normalise_fun` / `normalise_errmsg_fun`. The
//! well-known normalisers of the driver are [`Norm`] values and become
//! [`Normalize`] rules here; a normaliser written in Python in a `.T` file
//! cannot be run on output and is kept as [`Norm::Unknown`], shown in
//! listings. Python's `(?<!…)` look-behind has no equivalent in the regex
//! crate; the one rule that uses it is written with a capture instead.

use crate::{Normalize, StreamNormalize};

/// A normaliser function a `.T` file can name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Norm {
    /// `normalise_errmsg`: the driver's default for stderr.
    Errmsg,
    /// `normalise_output`: the driver's default for stdout.
    Output,
    /// `normalise_slashes_`: backslashes become slashes.
    Slashes,
    /// `normalise_exe_`: `.exe` suffixes dropped.
    Exe,
    /// `normalise_version_(pkgs…)`: package versions and hashes hidden.
    Version(Vec<String>),
    /// `normalise_drive_letter`'s function.
    DriveLetter,
    /// `normalise_whitespace`: runs of whitespace become one space.
    Whitespace,
    /// `normalise_callstacks`.
    Callstacks,
    /// `normalise_type_reps`.
    TypeReps,
    /// A function the `.T` file wrote in Python (a `def` or a lambda), by
    /// name: run on the output by the evaluator ([`super::PythonNorms`]).
    Python(String),
    /// A function this harness cannot apply, by name.
    Unknown(String),
}

impl Norm {
    /// How a listing shows it.
    pub fn label(&self) -> String {
        match self {
            Norm::Errmsg => "normalise_errmsg".into(),
            Norm::Output => "normalise_output".into(),
            Norm::Slashes => "normalise_slashes_".into(),
            Norm::Exe => "normalise_exe_".into(),
            Norm::Version(p) => format!("normalise_version_({})", p.join(", ")),
            Norm::DriveLetter => "normalise_drive_letter".into(),
            Norm::Whitespace => "normalise_whitespace".into(),
            Norm::Callstacks => "normalise_callstacks".into(),
            Norm::TypeReps => "normalise_type_reps".into(),
            Norm::Python(name) | Norm::Unknown(name) => name.clone(),
        }
    }

    /// The driver's name of a normaliser used as a value.
    pub fn static_name(&self) -> &'static str {
        match self {
            Norm::Errmsg => "normalise_errmsg",
            Norm::Output => "normalise_output",
            Norm::Slashes => "normalise_slashes_",
            Norm::Exe => "normalise_exe_",
            Norm::Whitespace => "normalise_whitespace",
            Norm::Callstacks => "normalise_callstacks",
            Norm::TypeReps => "normalise_type_reps",
            Norm::Version(_) => "normalise_version_",
            Norm::DriveLetter => "normalise_drive_letter",
            Norm::Python(_) | Norm::Unknown(_) => "normaliser",
        }
    }

    /// The regex rules, appended to `out` in the order they apply.
    pub(super) fn rules(&self, out: &mut Vec<(String, String)>) {
        let mut rule = |re: &str, to: &str| out.push((re.to_owned(), to.to_owned()));
        match self {
            Norm::Errmsg => {
                rule(" error:", "");
                rule(" Warning:", " warning:");
                Norm::Callstacks.rules(out);
                Norm::TypeReps.rules(out);
                let mut rule = |re: &str, to: &str| out.push((re.to_owned(), to.to_owned()));
                rule(r"(^|[^'‘])\\", "${1}/");
                rule(r"([^\s])\.(exe|wasm|jsexe)", "${1}");
                rule("hpc-ghc", "hpc");
                rule("ghc-stage[123]", "ghc");
                rule(r"\w+(-\w+)*-ghc", "ghc");
                rule(r"\w+(-\w+)*-unlit", "unlit");
                rule("ghc-[0-9.]+", "ghc");
                rule("runghc-[0-9.]+", "runghc");
                rule("hpc-[0-9.]+", "hpc");
                rule("ghc-pkg-[0-9.]+", "ghc-pkg");
                rule(r"\.\.\.plus ([a-z]+|[0-9]+) others", "...plus N others");
                rule("•", "");
                rule("You are using an unsupported version of LLVM!.*\n", "");
                rule(r"\.(wasm|jsexe)", "");
            }
            Norm::Output => {
                rule(" error:", "");
                rule(" Warning:", " warning:");
                rule(r"([^\s])\.(exe|wasm|jsexe)", "${1}");
                Norm::Callstacks.rules(out);
                Norm::TypeReps.rules(out);
                let mut rule = |re: &str, to: &str| out.push((re.to_owned(), to.to_owned()));
                rule("You are using an unsupported version of LLVM!.*\n", "");
                rule(".*warning: argument unused during compilation:.*\n", "");
                rule(r"\w+(-\w+)*-ghc", "ghc");
            }
            Norm::Slashes => rule(r"\\", "/"),
            Norm::Exe => rule(r"\.exe", ""),
            Norm::Version(pkgs) => {
                let alts: Vec<String> = pkgs.iter().map(|p| regex::escape(p)).collect();
                rule(
                    &format!(
                        r"({})-[0-9.]+(-[0-9a-zA-Z+]+)?(-[0-9a-zA-Z]+)?",
                        alts.join("|")
                    ),
                    "${1}-<VERSION>-<HASH>",
                );
            }
            Norm::DriveLetter => rule(r"[A-Z]:\\", r"C:\"),
            Norm::Callstacks => {
                rule(
                    r", called at (.+):[\d]+:[\d]+ in [<>\w\-\.]+:",
                    ", called at ${1}:<line>:<column> in <package-id>:",
                );
                rule("from ImplicitParams", "from HasCallStack");
                rule(r"CallStack \(from -prof\):(\n  .*)*\n?", "");
            }
            Norm::TypeReps => rule(
                r"(?m)TyCon\s*\d+\#\#\d?\d?\s*\d+\#\#\d?\d?\s*",
                "TyCon FINGERPRINT FINGERPRINT ",
            ),
            Norm::Whitespace | Norm::Python(_) | Norm::Unknown(_) => {}
        }
    }
}

/// Run one of the driver's normalisers on `text`, as a `.T` file's Python
/// calls it (`normalise_version_("base")(s)`) or a chain holding a Python
/// function runs it.
pub(super) fn apply_rules(n: &Norm, text: &str) -> Result<String, String> {
    match n {
        Norm::Whitespace => return Ok(text.split_whitespace().collect::<Vec<_>>().join(" ")),
        Norm::Python(name) | Norm::Unknown(name) => {
            return Err(format!("{name} cannot run on output here"));
        }
        _ => {}
    }
    let mut rules = Vec::new();
    n.rules(&mut rules);
    let mut out = text.to_owned();
    for (pattern, to) in rules {
        let re = regex::Regex::new(&pattern).map_err(|e| format!("{pattern}: {e}"))?;
        out = re.replace_all(&out, to.as_str()).into_owned();
    }
    Ok(out)
}

/// Normalisation for one test, the way the driver composes it: a test's
/// own normalisers (the last added first) and then the driver's default;
/// stderr compared with whitespace collapsed unless the test chose another
/// whitespace normaliser.
pub fn for_test(
    stdout_extra: &[Norm],
    stderr_extra: &[Norm],
    whitespace: Option<&Norm>,
) -> StreamNormalize {
    let build = |extra: &[Norm], default: Norm| {
        let mut rules = Vec::new();
        // A chain with a Python function runs whole in the evaluator
        // (`PythonNorms`), before these rules; only the default is left.
        let python = extra.iter().any(|n| matches!(n, Norm::Python(_)));
        for n in extra.iter().rev().filter(|_| !python) {
            n.rules(&mut rules);
        }
        default.rules(&mut rules);
        Normalize {
            rules,
            trim_trailing_whitespace: false,
            normalize_crlf: true,
            collapse_whitespace: false,
        }
    };
    let mut stderr = build(stderr_extra, Norm::Errmsg);
    stderr.collapse_whitespace = whitespace.is_none_or(|w| *w == Norm::Whitespace);
    let mut stdout = build(stdout_extra, Norm::Output);
    stdout.collapse_whitespace = stdout_extra.contains(&Norm::Whitespace);
    StreamNormalize { stdout, stderr }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(n: &Normalize, text: &str) -> String {
        let mut s = text.to_owned();
        for (re, to) in &n.rules {
            let re = regex::Regex::new(re).expect("every rule compiles");
            s = re.replace_all(&s, to.as_str()).into_owned();
        }
        s
    }

    #[test]
    fn every_rule_compiles() {
        let all = [
            Norm::Errmsg,
            Norm::Output,
            Norm::Slashes,
            Norm::Exe,
            Norm::Version(vec!["base".into(), "ghc-prim".into()]),
            Norm::DriveLetter,
        ];
        let n = for_test(&all, &all, None);
        for (re, _) in n.stdout.rules.iter().chain(&n.stderr.rules) {
            assert!(regex::Regex::new(re).is_ok(), "{re}");
        }
    }

    #[test]
    fn errmsg_hides_the_cross_prefix_and_wasm_suffix() {
        let n = for_test(&[], &[], None);
        let out = apply(
            &n.stderr,
            "wasm32-wasi-ghc: T1.wasm: error:\n• No instance\nfoo.hs:1:1: error: bad",
        );
        assert_eq!(out, "ghc: T1:\n No instance\nfoo.hs:1:1: bad");
        assert!(n.stderr.collapse_whitespace);
        assert!(!n.stdout.collapse_whitespace);
    }

    #[test]
    fn version_normaliser_hides_versions() {
        let n = for_test(&[Norm::Version(vec!["base".into()])], &[], None);
        let out = apply(&n.stdout, "base-4.21.0.0-abc1 and other-1.0");
        assert_eq!(out, "base-<VERSION>-<HASH> and other-1.0");
    }
}
