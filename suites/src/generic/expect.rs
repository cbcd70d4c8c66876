//! `[expect.ENGINE]` tables: which cases an engine is expected to fail or skip, and why.
//!
//! Each entry maps a case name to `"xfail: REASON"` or `"skip: REASON"`. An entry naming
//! a case that does not exist is an error, so renaming a test cannot silently drop it.

use std::collections::BTreeMap;

use toml::Spanned;

use crate::error::SuiteError;
use crate::source::SourceFile;
use crate::{EngineKey, Expectation};

/// Case name -> engine -> expectation.
pub type ByCase = BTreeMap<String, BTreeMap<String, Expectation>>;

/// The raw `expect` table: engine -> case name -> text.
pub type RawExpect = BTreeMap<String, BTreeMap<Spanned<String>, Spanned<String>>>;

/// Validate every entry against the discovered `cases` (sorted) and regroup
/// by case. Engine names are not checked here (discovery knows no engines):
/// each table's name and place is pushed to `keys`, for the harness to check
/// against its engine registry.
pub fn parse(
    file: &SourceFile,
    raw: &RawExpect,
    cases: &[&str],
    keys: &mut Vec<EngineKey>,
) -> Result<ByCase, SuiteError> {
    let mut by_case = ByCase::new();
    for (engine, entries) in raw {
        if let Some((first, _)) = entries.iter().next() {
            keys.push(EngineKey {
                engine: engine.clone(),
                key: format!("expect.{engine}"),
                loc: file.loc(first.span()),
            });
        }
        for (case, text) in entries {
            let key = format!("expect.{engine}.{:?}", case.get_ref());
            if cases.binary_search(&case.get_ref().as_str()).is_err() {
                return Err(file.invalid(case, &key, unknown_case(case.get_ref(), cases)));
            }
            let expectation =
                expectation(text.get_ref()).map_err(|message| file.invalid(text, &key, message))?;
            let per_engine = by_case.entry(case.get_ref().clone()).or_default();
            per_engine.insert(engine.clone(), expectation);
        }
    }
    Ok(by_case)
}

/// Parse `"xfail: REASON"` or `"skip: REASON"`; the reason must not be empty.
fn expectation(text: &str) -> Result<Expectation, String> {
    let (kind, reason): (fn(String) -> Expectation, &str) =
        if let Some(reason) = text.strip_prefix("xfail:") {
            (Expectation::XFail, reason)
        } else if let Some(reason) = text.strip_prefix("skip:") {
            (Expectation::Skip, reason)
        } else {
            return Err(format!(
                "expected \"xfail: REASON\" or \"skip: REASON\", found {text:?}"
            ));
        };
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(format!("{text:?} gives no reason; say why after the colon"));
    }
    Ok(kind(reason.to_owned()))
}

/// Message for an entry naming no case, suggesting cases with the same file stem.
fn unknown_case(name: &str, cases: &[&str]) -> String {
    let stem = name.rsplit('/').next().unwrap_or(name);
    let similar: Vec<&str> = cases
        .iter()
        .copied()
        .filter(|c| c.rsplit('/').next() == Some(stem))
        .take(3)
        .collect();
    let mut message = format!(
        "no case named {name:?} in this suite (renamed or excluded?); \
         fix the name or delete the entry"
    );
    if !similar.is_empty() {
        message.push_str(&format!("; similar: {}", similar.join(", ")));
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_kinds() {
        assert_eq!(
            expectation("xfail: flaky"),
            Ok(Expectation::XFail("flaky".into()))
        );
        assert_eq!(
            expectation("skip:no fs"),
            Ok(Expectation::Skip("no fs".into()))
        );
    }

    #[test]
    fn rejects_other_prefixes_and_empty_reasons() {
        assert!(expectation("fail: x").is_err());
        assert!(expectation("XFAIL: x").is_err());
        assert!(expectation("xfail:   ").is_err());
    }

    #[test]
    fn unknown_case_suggests_same_stem() {
        let msg = unknown_case("io/flaky", &["fs/flaky", "io/other"]);
        assert!(msg.contains("similar: fs/flaky"), "{msg}");
    }
}
