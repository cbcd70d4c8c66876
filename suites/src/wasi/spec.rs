//! One test's `NAME.json` spec, in either of the WASI testsuite's two formats,
//! reduced to what a non-interactive run needs.
//!
//! - **Legacy** (keys `args`, `env`, `root`, `dirs`, `exit_code`, `stdout`,
//!   `stderr`): one run, then the expected exit code; `stdout` / `stderr`
//!   are read before the wait.
//! - **Operations** (keys `operations`, `proposals`, `world`, `servers`): a
//!   script of `run`, `write` (to `stdin`), `read` (from `stdout` /
//!   `stderr`) and `wait`. Because stdin is fed whole and both streams are
//!   captured whole, the order of `read` and `write` does not matter for a
//!   command that does not depend on it: the `read` payloads of one stream
//!   are concatenated, as are the `write` payloads.
//!
//! A spec this harness cannot run (a proposal such as `sockets` or `http`,
//! a world other than `wasi:cli/command`, HTTP `servers`, a socket or
//! `kill` operation, more than one `run`) parses into a [`Spec`] with
//! [`Spec::unsupported`] set: the case is skipped with that reason. A spec
//! that is not valid (bad JSON, a value of the wrong type, both formats
//! mixed, an unknown operation) is an `Err` naming the key; unknown
//! top-level keys are only warnings, as the official runner treats them.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// Top-level keys of the legacy format.
const LEGACY_KEYS: [&str; 7] = [
    "args",
    "env",
    "root",
    "dirs",
    "exit_code",
    "stdout",
    "stderr",
];

/// Top-level keys of the operations format.
const OPERATION_KEYS: [&str; 4] = ["operations", "proposals", "world", "servers"];

/// The only world a core-module command runs in.
const CLI_WORLD: &str = "wasi:cli/command";

/// What a test's spec asks for, ready to become a case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Spec {
    /// Which format the spec was written in.
    pub format: Format,
    /// Arguments after argv\[0\].
    pub args: Vec<String>,
    /// Environment variables.
    pub env: BTreeMap<String, String>,
    /// Directory (relative to the test's folder) preopened as the guest's `/`.
    pub root: Option<String>,
    /// Directories (relative to the test's folder) preopened under their own names.
    pub dirs: Vec<String>,
    /// Expected exit code (0 when not given).
    pub exit_code: i32,
    /// Text written to stdin (`write` operations); `None` when there is none.
    pub stdin: Option<String>,
    /// Expected start of stdout; `None` means stdout is not compared.
    pub stdout: Option<String>,
    /// Expected start of stderr; `None` means stderr is not compared.
    pub stderr: Option<String>,
    /// Proposals the spec needs (`proposals`).
    pub proposals: Vec<String>,
    /// Why this harness cannot run the test, when it cannot.
    pub unsupported: Option<String>,
    /// Problems that did not stop the parse (unknown keys).
    pub warnings: Vec<String>,
}

/// The format a spec was written in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    /// No spec file: the defaults.
    #[default]
    None,
    /// `args`, `env`, `root`, `dirs`, `exit_code`, `stdout`, `stderr`.
    Legacy,
    /// `operations`, `proposals`, `world`, `servers`.
    Operations,
}

impl Format {
    /// A word for listings.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::None => "none",
            Format::Legacy => "legacy",
            Format::Operations => "operations",
        }
    }
}

/// Parse a spec's text; `Err` says what is wrong (and where, as a key).
pub fn parse(text: &str) -> Result<Spec, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let Value::Object(map) = value else {
        return Err("the spec must be a JSON object".into());
    };
    let legacy: Vec<&str> = keys_in(&map, &LEGACY_KEYS);
    let new: Vec<&str> = keys_in(&map, &OPERATION_KEYS);
    if !legacy.is_empty() && !new.is_empty() {
        return Err(format!(
            "mixes the legacy keys ({}) with the operations keys ({}); use one format",
            legacy.join(", "),
            new.join(", ")
        ));
    }
    let mut spec = if new.is_empty() {
        legacy_spec(&map)?
    } else {
        operations_spec(&map)?
    };
    let known: &[&str] = if new.is_empty() {
        &LEGACY_KEYS
    } else {
        &OPERATION_KEYS
    };
    for key in map.keys().filter(|k| !known.contains(&k.as_str())) {
        spec.warnings
            .push(format!("unknown key `{key}` is ignored"));
    }
    Ok(spec)
}

fn keys_in<'a>(map: &Map<String, Value>, keys: &[&'a str]) -> Vec<&'a str> {
    keys.iter()
        .copied()
        .filter(|k| map.contains_key(*k))
        .collect()
}

fn legacy_spec(map: &Map<String, Value>) -> Result<Spec, String> {
    let mut spec = Spec {
        format: Format::Legacy,
        ..Spec::default()
    };
    read_run(map, "", &mut spec)?;
    if let Some(v) = map.get("dirs") {
        spec.dirs = strings(v, "dirs")?;
        for (i, d) in spec.dirs.iter().enumerate() {
            check_relative(d, &format!("dirs[{i}]"))?;
        }
    }
    if let Some(v) = map.get("exit_code") {
        spec.exit_code = exit_code(v, "exit_code")?;
    }
    spec.stdout = optional_string(map, "stdout", "stdout")?;
    spec.stderr = optional_string(map, "stderr", "stderr")?;
    Ok(spec)
}

fn operations_spec(map: &Map<String, Value>) -> Result<Spec, String> {
    let mut spec = Spec {
        format: Format::Operations,
        ..Spec::default()
    };
    if let Some(v) = map.get("proposals") {
        spec.proposals = strings(v, "proposals")?;
    }
    let world = optional_string(map, "world", "world")?;
    let servers = match map.get("servers") {
        Some(Value::Array(a)) => a.len(),
        Some(Value::Null) | None => 0,
        Some(_) => return Err("`servers` must be a list".into()),
    };
    match map.get("operations") {
        Some(Value::Array(ops)) => operations(ops, &mut spec)?,
        Some(Value::Null) | None => {}
        Some(_) => return Err("`operations` must be a list".into()),
    }
    let mut why = Vec::new();
    if !spec.proposals.is_empty() {
        why.push(format!(
            "needs WASI proposal(s) {}, which the in-process engines do not offer",
            spec.proposals.join(", ")
        ));
    }
    if let Some(w) = world.filter(|w| w != CLI_WORLD) {
        why.push(format!("targets the world {w}; only {CLI_WORLD} is run"));
    }
    if servers > 0 {
        why.push("needs HTTP servers stood up by the runner".into());
    }
    if let Some(earlier) = spec.unsupported.take() {
        why.push(earlier);
    }
    if !why.is_empty() {
        spec.unsupported = Some(why.join("; "));
    }
    Ok(spec)
}

/// Fold the operations into the spec. Without `operations` the runner's
/// default is one `run` and one `wait`, which the defaults already are.
fn operations(ops: &[Value], spec: &mut Spec) -> Result<(), String> {
    let mut runs = 0;
    let mut interactive = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        let at = format!("operations[{i}]");
        let Value::Object(op) = op else {
            return Err(format!("`{at}` must be an object"));
        };
        let ty = match op.get("type") {
            Some(Value::String(t)) => t.as_str(),
            _ => return Err(format!("`{at}.type` is missing or not a string")),
        };
        match ty {
            "run" => {
                runs += 1;
                read_run(op, &format!("{at}."), spec)?;
            }
            "wait" => {
                if let Some(v) = op.get("exit_code") {
                    spec.exit_code = exit_code(v, &format!("{at}.exit_code"))?;
                }
            }
            "read" => {
                let id = optional_string(op, "id", &format!("{at}.id"))?;
                let payload = optional_string(op, "payload", &format!("{at}.payload"))?;
                let stream = match id.as_deref().unwrap_or("stdout") {
                    "stdout" => &mut spec.stdout,
                    "stderr" => &mut spec.stderr,
                    other => {
                        return Err(format!(
                            "`{at}.id` is {other:?}; a read is from \"stdout\" or \"stderr\""
                        ));
                    }
                };
                stream
                    .get_or_insert_with(String::new)
                    .push_str(&payload.unwrap_or_default());
            }
            "write" => {
                let id = optional_string(op, "id", &format!("{at}.id"))?;
                let payload = optional_string(op, "payload", &format!("{at}.payload"))?;
                if id.as_deref() != Some("stdin") {
                    interactive.push(format!("a write to {:?}", id.unwrap_or_default()));
                }
                spec.stdin
                    .get_or_insert_with(String::new)
                    .push_str(&payload.unwrap_or_default());
            }
            "connect" | "send" | "recv" | "request" | "kill" => {
                interactive.push(format!("a `{ty}` operation"));
            }
            other => {
                return Err(format!(
                    "`{at}.type` {other:?} is not an operation (run, wait, read, write, \
                     connect, send, recv, request, kill)"
                ));
            }
        }
    }
    if runs == 0 && !ops.is_empty() {
        interactive.push("no `run` operation".into());
    }
    if runs > 1 {
        interactive.push(format!("{runs} `run` operations"));
    }
    let mut seen = Vec::new();
    interactive.retain(|why| {
        let first = !seen.contains(why);
        seen.push(why.clone());
        first
    });
    if !interactive.is_empty() {
        spec.unsupported = Some(format!(
            "needs an interactive runner: {}",
            interactive.join(", ")
        ));
    }
    Ok(())
}

/// `args`, `env` and `root`, shared by a legacy spec and a `run` operation.
fn read_run(map: &Map<String, Value>, at: &str, spec: &mut Spec) -> Result<(), String> {
    if let Some(v) = map.get("args") {
        spec.args = strings(v, &format!("{at}args"))?;
    }
    match map.get("env") {
        Some(Value::Object(env)) => {
            spec.env = env
                .iter()
                .map(|(k, v)| match v {
                    Value::String(s) => Ok((k.clone(), s.clone())),
                    _ => Err(format!("`{at}env.{k}` must be a string")),
                })
                .collect::<Result<_, _>>()?;
        }
        Some(Value::Null) | None => {}
        Some(_) => return Err(format!("`{at}env` must be an object of strings")),
    }
    spec.root = optional_string(map, "root", &format!("{at}root"))?;
    if let Some(root) = &spec.root {
        check_relative(root, &format!("{at}root"))?;
    }
    Ok(())
}

fn check_relative(path: &str, key: &str) -> Result<(), String> {
    if path.is_empty() || path.starts_with('/') {
        return Err(format!(
            "`{key}` is {path:?}; give a directory relative to the test's folder"
        ));
    }
    Ok(())
}

fn strings(v: &Value, key: &str) -> Result<Vec<String>, String> {
    let Value::Array(items) = v else {
        return Err(format!("`{key}` must be a list of strings"));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| match item {
            Value::String(s) => Ok(s.clone()),
            _ => Err(format!("`{key}[{i}]` must be a string")),
        })
        .collect()
}

fn optional_string(
    map: &Map<String, Value>,
    field: &str,
    key: &str,
) -> Result<Option<String>, String> {
    match map.get(field) {
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Null) | None => Ok(None),
        Some(_) => Err(format!("`{key}` must be a string")),
    }
}

fn exit_code(v: &Value, key: &str) -> Result<i32, String> {
    v.as_i64()
        .and_then(|n| i32::try_from(n).ok())
        .ok_or_else(|| format!("`{key}` must be an integer exit code"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Spec {
        match parse(text) {
            Ok(s) => s,
            Err(e) => panic!("{text}: {e}"),
        }
    }

    fn err(text: &str) -> String {
        parse(text).err().unwrap_or_default()
    }

    #[test]
    fn legacy_fields() {
        let s = ok(
            r#"{"args": ["a", "b c"], "env": {"K": "v"}, "root": "fs.dir",
                     "dirs": ["d"], "exit_code": 3, "stdout": "hi", "stderr": ""}"#,
        );
        assert_eq!(s.format, Format::Legacy);
        assert_eq!(s.args, ["a", "b c"]);
        assert_eq!(s.env.get("K").map(String::as_str), Some("v"));
        assert_eq!(s.root.as_deref(), Some("fs.dir"));
        assert_eq!(s.dirs, ["d"]);
        assert_eq!(s.exit_code, 3);
        assert_eq!(s.stdout.as_deref(), Some("hi"));
        assert_eq!(s.stderr.as_deref(), Some(""));
        assert!(s.unsupported.is_none() && s.warnings.is_empty());
    }

    #[test]
    fn operations_fold_into_one_run() {
        let s = ok(r#"{"operations": [
            {"type": "run", "args": ["x"], "env": {"A": "1"}, "root": "r"},
            {"type": "write", "id": "stdin", "payload": "in"},
            {"type": "read", "id": "stdout", "payload": "a"},
            {"type": "read", "payload": "b"},
            {"type": "read", "id": "stderr", "payload": "e"},
            {"type": "wait", "exit_code": 1}]}"#);
        assert_eq!(s.format, Format::Operations);
        assert_eq!(s.args, ["x"]);
        assert_eq!(s.root.as_deref(), Some("r"));
        assert_eq!(s.stdin.as_deref(), Some("in"));
        assert_eq!(s.stdout.as_deref(), Some("ab"));
        assert_eq!(s.stderr.as_deref(), Some("e"));
        assert_eq!(s.exit_code, 1);
        assert!(s.unsupported.is_none());
    }

    #[test]
    fn proposals_worlds_and_sockets_are_unsupported() {
        let s = ok(r#"{"proposals": ["sockets"], "operations": [{"type": "run"}]}"#);
        let why = s.unsupported.unwrap_or_default();
        assert!(why.contains("proposal(s) sockets"), "{why}");
        let s = ok(r#"{"world": "wasi:http/service"}"#);
        assert!(
            s.unsupported
                .is_some_and(|w| w.contains("wasi:http/service"))
        );
        let s = ok(r#"{"operations": [{"type": "run"}, {"type": "connect"}]}"#);
        assert!(s.unsupported.is_some_and(|w| w.contains("`connect`")));
        let s = ok(r#"{"operations": [{"type": "run"}, {"type": "kill"}, {"type": "kill"}]}"#);
        let why = s.unsupported.unwrap_or_default();
        assert_eq!(why, "needs an interactive runner: a `kill` operation");
        let s = ok(r#"{"operations": [{"type": "run"}, {"type": "run"}]}"#);
        assert!(s.unsupported.is_some_and(|w| w.contains("2 `run`")));
        let s = ok(r#"{"world": "wasi:cli/command", "operations": []}"#);
        assert!(s.unsupported.is_none());
    }

    #[test]
    fn bad_specs_name_the_key() {
        assert!(err("{").starts_with("not valid JSON: EOF while parsing an object at line 1"));
        assert_eq!(err("[]"), "the spec must be a JSON object");
        assert!(err(r#"{"args": "a"}"#).contains("`args` must be a list"));
        assert!(err(r#"{"args": [1]}"#).contains("`args[0]`"));
        assert!(err(r#"{"env": {"a": 1}}"#).contains("`env.a`"));
        assert!(err(r#"{"exit_code": "1"}"#).contains("`exit_code`"));
        assert!(err(r#"{"root": "/abs"}"#).contains("relative"));
        assert!(err(r#"{"args": [], "operations": []}"#).contains("mixes"));
        let e = err(r#"{"operations": [{"type": "jump"}]}"#);
        assert!(e.contains("`operations[0].type` \"jump\""), "{e}");
        let e = err(r#"{"operations": [{"type": "read", "id": "stdin"}]}"#);
        assert!(e.contains("operations[0].id"), "{e}");
    }

    #[test]
    fn unknown_keys_warn() {
        let s = ok(r#"{"args": [], "flags": 1}"#);
        assert_eq!(s.warnings, ["unknown key `flags` is ignored"]);
    }
}
