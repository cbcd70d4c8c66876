//! Failures grouped by cause: a signature per record that did not pass,
//! and the groups of records that share a signature and an engine set.
//!
//! A signature says what went wrong with what belongs to one case taken
//! out: the reason, then the trap message, the exit-code pair or the first
//! differing line of the normalised output, with paths, the case's own
//! name, numbers and addresses replaced by placeholders. A divergent case
//! puts every engine's outcome side by side, so "passes on wasmtime, exits
//! 1 on wasmer with `fd 3: not a directory`" is one group however many
//! cases show it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{CaseResult, Reason, Status};

/// Records that share a signature and an engine set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// The shared signature.
    pub signature: String,
    /// The engines the records ran on (all of a case's engines when it diverges).
    pub engines: Vec<String>,
    /// The reason of the first record, as in JSON (`exit-code`, `trap`, …).
    pub reason: Option<Reason>,
    /// The cases, sorted, each once; `suite::case` when records name their suite
    /// ([`CaseResult::case_id`]).
    pub cases: Vec<String>,
}

/// Whether a record needs a signature: it did not pass (fail, xpass,
/// error, flaky) or its engines disagree.
pub fn needs_signature(r: &CaseResult) -> bool {
    r.divergent || r.status.is_failure() || r.status == Status::Flaky
}

/// The signature of `r`; `peers` are the records of the same case on the
/// other engines (used when it diverges).
pub fn signature(r: &CaseResult, peers: &[&CaseResult]) -> String {
    if r.divergent && !peers.is_empty() {
        let mut all: Vec<&CaseResult> = peers.to_vec();
        all.push(r);
        all.sort_by(|a, b| a.engine.cmp(&b.engine));
        all.dedup_by(|a, b| a.engine == b.engine);
        let sides: Vec<String> = all
            .iter()
            .map(|x| format!("{}: {}", x.engine, own_signature(x)))
            .collect();
        return format!("divergent: {}", sides.join(" | "));
    }
    own_signature(r)
}

/// One record's cause, without looking at other engines.
fn own_signature(r: &CaseResult) -> String {
    let cause = match (r.status, r.reason) {
        (Status::Pass | Status::XFail | Status::Skip | Status::NotRun, None) => {
            return r.status.label().to_lowercase();
        }
        (Status::XPass, _) => "passed but is expected to fail".to_string(),
        (_, Some(Reason::OutputMismatch)) => first_difference(r),
        (_, Some(Reason::Trap | Reason::InstantiateError | Reason::WorkerCrash)) => r
            .outcome
            .as_ref()
            .and_then(|o| o.message.as_deref())
            .map(first_line)
            .unwrap_or_else(|| first_line(&r.detail)),
        _ => first_line(&r.detail),
    };
    let cause = match (r.reason, last_words(r)) {
        (Some(Reason::Trap | Reason::ExitCode | Reason::Timeout | Reason::Memory), Some(words)) => {
            format!("{cause}: {words}")
        }
        _ => cause,
    };
    let reason = r.reason.map_or("xpass", Reason::as_str);
    let cause = scrub(&cause, &r.case);
    if cause.is_empty() {
        reason.to_string()
    } else {
        format!("{reason}: {cause}")
    }
}

/// The first line where a mismatch's actual output leaves its golden.
fn first_difference(r: &CaseResult) -> String {
    let Some(m) = r.mismatches.first() else {
        return first_line(&r.detail);
    };
    let (mut exp, mut act) = (m.expected.lines(), m.actual.lines());
    loop {
        match (exp.next(), act.next()) {
            (Some(e), Some(a)) if e == a => continue,
            (Some(e), Some(a)) => return format!("{} line {e:?} became {a:?}", m.stream),
            (Some(e), None) => return format!("{} ends before {e:?}", m.stream),
            (None, Some(a)) => return format!("{} has an extra line {a:?}", m.stream),
            (None, None) => return format!("{} differs in line endings or at its end", m.stream),
        }
    }
}

/// What the guest said last before it ended, from its kept stderr (else
/// stdout): the message of a Rust panic, else its last line that is not a
/// `note:`. A failed assertion or an errno here tells causes apart that
/// end in the same trap.
fn last_words(r: &CaseResult) -> Option<String> {
    let text = [&r.stderr, &r.stdout]
        .into_iter()
        .flatten()
        .filter_map(|o| o.text.as_deref())
        .find(|t| !t.trim().is_empty())?;
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if let Some(at) = lines.iter().rposition(|l| l.contains("panicked at")) {
        return lines.get(at + 1).map(|l| (*l).to_string());
    }
    lines
        .iter()
        .rev()
        .find(|l| !l.starts_with("note: "))
        .map(|l| (*l).to_string())
}

fn first_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
        .to_string()
}

/// The most a signature keeps of one cause.
const MAX_CAUSE: usize = 160;

/// `text` with what belongs to one case replaced: the case's name and its
/// last path component by `CASE`, absolute paths by `PATH`, hex addresses
/// by `ADDR`, and runs of digits by `N`.
pub fn scrub(text: &str, case: &str) -> String {
    let mut t = text.to_string();
    if !case.is_empty() {
        t = replace_word(&t, case, "CASE");
        if let Some(stem) = case.rsplit('/').next().filter(|s| !s.is_empty()) {
            t = replace_word(&t, stem, "CASE");
        }
    }
    let mut out = String::with_capacity(t.len());
    let chars: Vec<char> = t.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let starts_word = i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        if c == '/' && starts_word && chars.get(i + 1).is_some_and(|n| !n.is_whitespace()) {
            while i < chars.len() && !chars[i].is_whitespace() && !"'\"`),:;".contains(chars[i]) {
                i += 1;
            }
            out.push_str("PATH");
            continue;
        }
        if c == '0'
            && chars.get(i + 1) == Some(&'x')
            && chars.get(i + 2).is_some_and(char::is_ascii_hexdigit)
        {
            i += 2;
            while i < chars.len() && chars[i].is_ascii_hexdigit() {
                i += 1;
            }
            out.push_str("ADDR");
            continue;
        }
        if c.is_ascii_digit() {
            while i < chars.len()
                && (chars[i].is_ascii_digit()
                    || chars[i] == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
            {
                i += 1;
            }
            out.push('N');
            continue;
        }
        out.push(c);
        i += 1;
    }
    if out.chars().count() > MAX_CAUSE {
        out = out.chars().take(MAX_CAUSE).collect::<String>() + "…";
    }
    out
}

/// `text` with each occurrence of `word` that stands alone (no letter,
/// digit or `_` either side) replaced by `with`.
fn replace_word(text: &str, word: &str, with: &str) -> String {
    let inner = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(word) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + word.len()..].chars().next();
        out.push_str(&rest[..at]);
        if before.is_some_and(inner) || after.is_some_and(inner) {
            out.push_str(word);
        } else {
            out.push_str(with);
        }
        rest = &rest[at + word.len()..];
    }
    out.push_str(rest);
    out
}

/// Give every record that needs one its signature, looking at the other
/// engines' records of the same case (of the same suite), and clear it on
/// the others (in place).
pub fn sign(results: &mut [CaseResult]) {
    let mut by_case: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
    for (i, r) in results.iter().enumerate() {
        by_case
            .entry((r.suite.as_str(), r.case.as_str()))
            .or_default()
            .push(i);
    }
    let signed: Vec<(usize, String)> = by_case
        .values()
        .flat_map(|idx| {
            idx.iter()
                .filter(|&&i| needs_signature(&results[i]))
                .map(|&i| {
                    let peers: Vec<&CaseResult> = idx
                        .iter()
                        .filter(|&&j| j != i)
                        .map(|&j| &results[j])
                        .collect();
                    (i, signature(&results[i], &peers))
                })
                .collect::<Vec<_>>()
        })
        .collect();
    for r in results.iter_mut() {
        r.signature = None;
    }
    for (i, s) in signed {
        results[i].signature = Some(s);
    }
}

/// The groups of signed records, biggest first, then by signature. A
/// case belongs to the group of its signature and of the engines whose
/// records carry it: a case that fails alike on two engines, or diverges,
/// counts once, with both engines.
pub fn groups(results: &[CaseResult]) -> Vec<Group> {
    // (case id, signature) -> (the engines whose records carry it, the first reason)
    type Seen = (Vec<String>, Option<Reason>);
    let mut per_case: BTreeMap<(String, &str), Seen> = BTreeMap::new();
    for r in results {
        let Some(sig) = &r.signature else { continue };
        let entry = per_case
            .entry((r.case_id(), sig.as_str()))
            .or_insert_with(|| (Vec::new(), r.reason));
        entry.0.push(r.engine.clone());
        if entry.1.is_none() {
            entry.1 = r.reason;
        }
    }
    let mut map: BTreeMap<(String, Vec<String>), Group> = BTreeMap::new();
    for ((case, sig), (mut engines, reason)) in per_case {
        engines.sort();
        engines.dedup();
        let g = map
            .entry((sig.to_string(), engines.clone()))
            .or_insert_with(|| Group {
                signature: sig.to_string(),
                engines,
                reason,
                cases: Vec::new(),
            });
        g.cases.push(case);
    }
    let mut out: Vec<Group> = map.into_values().collect();
    out.sort_by(|a, b| {
        b.cases
            .len()
            .cmp(&a.cases.len())
            .then(a.signature.cmp(&b.signature))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{MismatchRecord, OutcomeKind, OutcomeRecord};

    fn exited(case: &str, engine: &str, code: i32, detail: &str) -> CaseResult {
        let mut r = CaseResult::new(case, engine, Status::Fail);
        r.reason = Some(Reason::ExitCode);
        r.exit_code = Some(code);
        r.detail = detail.into();
        r.outcome = Some(OutcomeRecord {
            kind: OutcomeKind::Exited,
            exit_code: Some(code),
            message: None,
        });
        r
    }

    #[test]
    fn scrubbing_removes_what_belongs_to_one_case() {
        assert_eq!(
            scrub(
                "cannot open /tmp/xh-12/fs.dir/t7.txt at 0x1f00 after 12.5 ms",
                "dir/t7"
            ),
            "cannot open PATH at ADDR after N ms"
        );
        assert_eq!(
            scrub("case t7 wrote 3 lines", "sub/t7"),
            "case CASE wrote N lines"
        );
    }

    #[test]
    fn two_causes_three_cases_each_make_two_groups() {
        let mut results = Vec::new();
        for i in 0..3 {
            results.push(exited(
                &format!("a{i}"),
                "wasmer",
                1,
                "exited with code 1, expected 0",
            ));
            let mut m = CaseResult::new(format!("b{i}"), "wasmer", Status::Fail);
            m.reason = Some(Reason::OutputMismatch);
            m.mismatches.push(MismatchRecord {
                stream: "stdout".into(),
                golden: format!("/s/b{i}.stdout"),
                expected: format!("ok {i}\nfd 3 is {i}\n"),
                actual: format!("ok {i}\nfd {} is {i}\n", 4 + i),
                truncated: false,
            });
            results.push(m);
        }
        sign(&mut results);
        let g = groups(&results);
        assert_eq!(g.len(), 2, "{g:#?}");
        assert!(
            g.iter()
                .all(|g| g.cases.len() == 3 && g.engines == ["wasmer"])
        );
        assert_eq!(g[0].signature, "exit-code: exited with code N, expected N");
        assert_eq!(
            g[1].signature,
            "output-mismatch: stdout line \"fd N is N\" became \"fd N is N\""
        );
    }

    #[test]
    fn a_divergent_case_shows_each_engines_outcome() {
        let mut pass = CaseResult::new("t", "wasmtime", Status::Pass);
        pass.divergent = true;
        let mut fail = exited("t", "wasmer", 1, "exited with code 1, expected 0");
        fail.divergent = true;
        let mut results = vec![pass, fail];
        sign(&mut results);
        let want = "divergent: wasmer: exit-code: exited with code N, expected N | wasmtime: pass";
        assert_eq!(results[0].signature.as_deref(), Some(want));
        assert_eq!(results[1].signature.as_deref(), Some(want));
        let g = groups(&results);
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].engines, ["wasmer", "wasmtime"]);
        assert_eq!(g[0].cases, ["t"]);
    }

    #[test]
    fn a_trap_is_told_apart_by_the_guests_last_words() {
        let panic = |case: &str, message: &str| {
            let mut r = CaseResult::new(case, "wasmer", Status::Fail);
            r.reason = Some(Reason::Trap);
            r.outcome = Some(OutcomeRecord {
                kind: OutcomeKind::Trapped,
                exit_code: None,
                message: Some("wasm trap: unreachable".into()),
            });
            r.stderr = Some(crate::model::OutputRecord {
                digest: String::new(),
                bytes: 0,
                truncated: false,
                dropped: None,
                text: Some(format!(
                    "thread 'main' (1) panicked at src/bin/{case}.rs:15:41:\n{message}\nnote: run with `RUST_BACKTRACE=1`\n"
                )),
            });
            r
        };
        let mut results = vec![
            panic(
                "a",
                "failed to create dir: Errno { code: 2, name: \"ACCES\" }",
            ),
            panic(
                "b",
                "failed to create dir: Errno { code: 2, name: \"ACCES\" }",
            ),
            panic("c", "expected errno INVAL; got OVERFLOW"),
        ];
        sign(&mut results);
        let g = groups(&results);
        assert_eq!(g.len(), 2, "{g:#?}");
        assert_eq!(
            g[0].signature,
            "trap: wasm trap: unreachable: failed to create dir: Errno { code: N, name: \"ACCES\" }"
        );
        assert_eq!(g[0].cases, ["a", "b"]);
    }
}
