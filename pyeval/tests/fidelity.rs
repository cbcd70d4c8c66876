//! Fidelity to Python, as a tested contract: every corpus file
//! (`tests/corpus/*.py`, `.T`-like snippets) runs in pyeval and in `python3`
//! against the same stubs, and both sides must record the same calls.
//!
//! The stubs stand for GHC's driver: recording functions (`test`, `when`,
//! `extra_files`, …) that return an opaque value naming the call, opaque
//! values (`normal`, `skip`, `compile`, …), predicates with fixed answers
//! (`opsys('linux')` is true), a `config` object whose attributes can be read
//! and written, `check(value)` to record any value, and `normalise_fun`-like
//! stubs that keep the Python functions they are given: after the file has
//! run, each kept function is applied to each string given to `samples(...)`
//! (through [`pyeval::Module::call`] on pyeval's side), and the results are
//! recorded too. `test` and `setTestOpts` call the setup functions they get
//! with `(name, opts)`, and `opts` records the attributes written to it.
//!
//! A record is one line of text in Python's `repr` form (pyeval's side uses
//! pyeval's own `repr`, which is what is being checked); sets are sorted and
//! functions, modules and stubs have one fixed form, so that both sides can
//! write the same text. A mismatch fails with a diff naming the corpus file.
//! Python's side (`tests/fidelity/prelude.py`) runs all files in one `python3`
//! process.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::rc::Rc;

use pyeval::{Host, HostValue, Interp, Limits, Value};

/// Functions that record their call and return a value naming it.
const RECORDERS: &[&str] = &[
    "test",
    "setTestOpts",
    "when",
    "unless",
    "extra_files",
    "only_ways",
    "omit_ways",
    "extra_ways",
    "extra_run_opts",
    "extra_hc_opts",
    "expect_broken",
    "expect_broken_for",
    "exit_code",
    "pre_cmd",
    "cmd_prefix",
    "cmd_wrapper",
    "collect_stats",
    "collect_compiler_stats",
    "fragile",
    "fragile_for",
    "js_broken",
    "grep_errmsg",
    "use_specs",
    "req_hadrian_deps",
    "normalise_version",
];

/// Functions that record their call and keep the Python functions they get.
const KEEPERS: &[&str] = &[
    "normalise_fun",
    "normalise_errmsg_fun",
    "normalise_whitespace_fun",
];

/// Predicates, each with its fixed answer (the same in the Python prelude).
const PREDICATES: &[&str] = &[
    "opsys",
    "arch",
    "wordsize",
    "platform",
    "fast",
    "have_llvm",
    "compiler_debugged",
    "have_dynamic",
    "have_profiling",
];

/// Opaque values.
const VALUES: &[&str] = &[
    "normal",
    "skip",
    "expect_fail",
    "ignore_stdout",
    "ignore_stderr",
    "omit_ghci",
    "req_th",
    "req_interp",
    "req_c",
    "req_cmm",
    "js_skip",
    "literate",
    "compile",
    "compile_fail",
    "compile_and_run",
    "run_command",
    "makefile_test",
    "multimod_compile",
    "multimod_compile_fail",
    "multimod_compile_and_run",
    "multi_compile",
    "multi_compile_and_run",
    "ghci_script",
];

/// `config`'s attributes at the start of each file, as Python source.
const CONFIG: &[(&str, &str)] = &[
    ("os", "'linux'"),
    ("arch", "'x86_64'"),
    ("have_vanilla", "True"),
    ("have_dynamic", "False"),
    ("have_ext_interp", "True"),
    ("run_ways", "['normal', 'ghci']"),
    ("ghc_th_way_flags", "'-dynamic'"),
    ("libdir", "'/usr/lib/ghc'"),
    ("cleanup", "'CLEANUP=1'"),
];

/// What the Python side runs before and around each corpus file.
const PRELUDE: &str = include_str!("fidelity/prelude.py");

/// The Python text defining the stub tables, then the prelude.
fn python_program() -> String {
    let list = |xs: &[&str]| {
        let quoted: Vec<String> = xs.iter().map(|x| format!("'{x}'")).collect();
        format!("[{}]", quoted.join(", "))
    };
    let config: Vec<String> = CONFIG
        .iter()
        .map(|(k, v)| format!("('{k}', {v:?})"))
        .collect();
    format!(
        "RECORDERS = {}\nKEEPERS = {}\nVALUES = {}\nCONFIG = [{}]\n{PRELUDE}",
        list(RECORDERS),
        list(KEEPERS),
        list(VALUES),
        config.join(", ")
    )
}

/// pyeval's side of the stubs.
#[derive(Debug)]
enum Stub {
    Func(&'static str),
    Value(&'static str),
    /// What a recording function returned: the text of its call.
    Ret(String),
    Config(RefCell<BTreeMap<String, Value>>),
    Opts(RefCell<BTreeMap<String, Value>>),
}

impl HostValue for Stub {
    fn type_name(&self) -> &str {
        "stub"
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

fn stub_of(v: &Value) -> Option<&Stub> {
    match v {
        Value::Host(h) => h.as_any().downcast_ref::<Stub>(),
        _ => None,
    }
}

/// The record text of a value: Python's `repr`, with fixed forms for sets,
/// functions and stubs.
fn canon(v: &Value) -> String {
    let items = |xs: &mut dyn Iterator<Item = &Value>| -> String {
        xs.map(canon).collect::<Vec<_>>().join(", ")
    };
    match v {
        Value::List(l) => format!("[{}]", items(&mut l.borrow().iter())),
        Value::Tuple(t) if t.len() == 1 => format!("({},)", canon(&t[0])),
        Value::Tuple(t) => format!("({})", items(&mut t.iter())),
        Value::Dict(d) => {
            let d = d.borrow();
            let parts: Vec<String> = d
                .entries()
                .iter()
                .map(|(k, x)| format!("{}: {}", canon(k), canon(x)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        Value::Set(d) if d.borrow().is_empty() => "set()".into(),
        Value::Set(d) => {
            let mut parts: Vec<String> = d.borrow().keys().iter().map(canon).collect();
            parts.sort();
            format!("{{{}}}", parts.join(", "))
        }
        Value::Function(f) => format!("<function {}>", f.name()),
        Value::Host(_) => match stub_of(v) {
            Some(Stub::Func(n)) => format!("<stub {n}>"),
            Some(Stub::Value(n)) => format!("<{n}>"),
            Some(Stub::Ret(text)) => format!("<{text}>"),
            Some(Stub::Config(_)) => "<config>".into(),
            Some(Stub::Opts(_)) => "<opts>".into(),
            None => v.repr(),
        },
        _ => v.repr(),
    }
}

fn call_text(name: &str, args: &[Value], kwargs: &[(Rc<str>, Value)]) -> String {
    let mut parts: Vec<String> = args.iter().map(canon).collect();
    parts.extend(kwargs.iter().map(|(k, v)| format!("{k}={}", canon(v))));
    format!("{name}({})", parts.join(", "))
}

fn predicate(name: &str, args: &[Value]) -> Value {
    let a0 = args.first();
    let is = |s: &str| a0.and_then(Value::as_str) == Some(s);
    Value::Bool(match name {
        "opsys" => is("linux"),
        "arch" => is("x86_64"),
        "wordsize" => a0.and_then(Value::as_int) == Some(64),
        "platform" => is("x86_64-unknown-linux"),
        "have_dynamic" => true,
        _ => false,
    })
}

/// A value of the config's initial attributes, from its Python source.
fn config_value(src: &str) -> Value {
    match src {
        "True" => Value::Bool(true),
        "False" => Value::Bool(false),
        s if s.starts_with('[') => Value::list(
            s.trim_matches(['[', ']'])
                .split(", ")
                .map(|x| Value::str(x.trim_matches('\'')))
                .collect(),
        ),
        s => Value::str(s.trim_matches('\'')),
    }
}

struct StubHost {
    records: Vec<String>,
    kept: Vec<Value>,
    samples: Vec<Value>,
    config: Rc<dyn HostValue>,
}

impl StubHost {
    fn new() -> Self {
        let attrs = CONFIG
            .iter()
            .map(|(k, v)| (k.to_string(), config_value(v)))
            .collect();
        StubHost {
            records: Vec::new(),
            kept: Vec::new(),
            samples: Vec::new(),
            config: Rc::new(Stub::Config(RefCell::new(attrs))),
        }
    }

    /// Call the Python setup functions in `setup` with `(name, opts)`.
    fn setup(
        &mut self,
        interp: &mut Interp,
        name: Value,
        setup: Option<Value>,
    ) -> Result<(), String> {
        let items = match &setup {
            Some(Value::List(l)) => l.borrow().clone(),
            Some(v) => vec![v.clone()],
            None => Vec::new(),
        };
        for f in items.iter().filter(|f| matches!(f, Value::Function(_))) {
            let opts = Value::Host(Rc::new(Stub::Opts(RefCell::new(BTreeMap::new()))));
            interp.call(self, f, vec![name.clone(), opts], Vec::new())?;
        }
        Ok(())
    }
}

fn kwarg(kwargs: &[(Rc<str>, Value)], name: &str) -> Option<Value> {
    kwargs.iter().find(|k| &*k.0 == name).map(|k| k.1.clone())
}

impl Host for StubHost {
    fn global(&mut self, name: &str) -> Option<Value> {
        if name == "config" {
            return Some(Value::Host(self.config.clone()));
        }
        if matches!(name, "re" | "os" | "sys" | "string") {
            return pyeval::stdlib(name);
        }
        let all = [RECORDERS, KEEPERS, PREDICATES, &["check", "samples"]];
        if let Some(&n) = all.iter().flat_map(|l| l.iter()).find(|&&n| n == name) {
            return Some(Value::Host(Rc::new(Stub::Func(n))));
        }
        VALUES
            .iter()
            .find(|&&n| n == name)
            .map(|&n| Value::Host(Rc::new(Stub::Value(n))))
    }

    fn call(
        &mut self,
        interp: &mut Interp,
        callee: &Rc<dyn HostValue>,
        args: Vec<Value>,
        kwargs: Vec<(Rc<str>, Value)>,
        _line: u32,
    ) -> Result<Value, String> {
        let Some(Stub::Func(name)) = callee.as_any().downcast_ref::<Stub>() else {
            return Err("TypeError: object is not callable".into());
        };
        let text = call_text(name, &args, &kwargs);
        self.records.push(text.clone());
        match *name {
            "check" => return Ok(Value::None),
            "samples" => {
                self.samples.extend(args);
                return Ok(Value::None);
            }
            n if PREDICATES.contains(&n) => return Ok(predicate(n, &args)),
            n if KEEPERS.contains(&n) => self.kept.extend(
                args.iter()
                    .filter(|a| matches!(a, Value::Function(_)))
                    .cloned(),
            ),
            "setTestOpts" => self.setup(interp, Value::str("<all>"), args.first().cloned())?,
            "test" => {
                let name = args.first().cloned().or_else(|| kwarg(&kwargs, "name"));
                let setup = args.get(1).cloned().or_else(|| kwarg(&kwargs, "setup"));
                self.setup(interp, name.unwrap_or(Value::None), setup)?;
            }
            _ => {}
        }
        Ok(Value::Host(Rc::new(Stub::Ret(text))))
    }

    fn get_attr(&mut self, obj: &Rc<dyn HostValue>, attr: &str) -> Result<Value, String> {
        match obj.as_any().downcast_ref::<Stub>() {
            Some(Stub::Config(a) | Stub::Opts(a)) => a
                .borrow()
                .get(attr)
                .cloned()
                .ok_or_else(|| format!("AttributeError: no attribute '{attr}'")),
            _ => Err(format!("AttributeError: no attribute '{attr}'")),
        }
    }

    fn set_attr(
        &mut self,
        obj: &Rc<dyn HostValue>,
        attr: &str,
        value: Value,
    ) -> Result<(), String> {
        match obj.as_any().downcast_ref::<Stub>() {
            Some(Stub::Config(a)) => {
                a.borrow_mut().insert(attr.to_string(), value);
                Ok(())
            }
            Some(Stub::Opts(a)) => {
                self.records
                    .push(format!("opts.{attr} = {}", canon(&value)));
                a.borrow_mut().insert(attr.to_string(), value);
                Ok(())
            }
            _ => Err(format!("AttributeError: cannot set '{attr}'")),
        }
    }
}

/// pyeval's records for one corpus file.
fn pyeval_records(src: &str) -> Vec<String> {
    let limits = Limits::default();
    let mut host = StubHost::new();
    let mut module = pyeval::parse(src, &limits).load(&mut host, &limits);
    for w in module.warnings() {
        host.records.push(format!(
            "!! pyeval warning at line {}: {}",
            w.line, w.message
        ));
    }
    let (kept, samples) = (host.kept.clone(), host.samples.clone());
    for f in &kept {
        for s in &samples {
            let r = match module.call(&mut host, f, vec![s.clone()]) {
                Ok(v) => canon(&v),
                Err(_) => "<raised>".into(),
            };
            host.records
                .push(format!("apply({}, {}) = {r}", canon(f), canon(s)));
        }
    }
    host.records
}

/// Python's records for each corpus file, from one `python3` run.
fn python_records(files: &[PathBuf]) -> BTreeMap<PathBuf, Vec<String>> {
    let out = Command::new("python3")
        .arg("-I")
        .arg("-X")
        .arg("utf8")
        .arg("-c")
        .arg(python_program())
        .args(files)
        .env("PYTHONHASHSEED", "0")
        .output();
    let out = match out {
        Ok(o) => o,
        Err(e) => panic!(
            "install python3 (the fidelity test compares pyeval with it): cannot run python3: {e}"
        ),
    };
    assert!(
        out.status.success(),
        "python3 failed on the corpus prelude:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut records: BTreeMap<PathBuf, Vec<String>> = BTreeMap::new();
    let mut current = None;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if let Some(path) = line.strip_prefix("### ") {
            current = Some(PathBuf::from(path));
            records.entry(PathBuf::from(path)).or_default();
        } else if let Some(p) = &current {
            records.entry(p.clone()).or_default().push(line.to_string());
        }
    }
    records
}

/// A line diff of two record lists (`-` Python only, `+` pyeval only).
fn diff(python: &[String], pyeval: &[String]) -> String {
    let (n, m) = (python.len(), pyeval.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if python[i] == pyeval[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < n || j < m {
        if i < n && j < m && python[i] == pyeval[j] {
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push_str(&format!("  + pyeval: {}\n", pyeval[j]));
            j += 1;
        } else {
            out.push_str(&format!("  - python: {}\n", python[i]));
            i += 1;
        }
    }
    out
}

fn corpus_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    files.sort();
    files
}

#[test]
fn pyeval_records_what_python_records_for_every_corpus_file() {
    let files = corpus_files();
    assert!(files.len() >= 5, "the corpus is missing: {files:?}");
    let python = python_records(&files);
    let mut failures = String::new();
    for f in &files {
        let name = f.file_name().map_or_else(
            || f.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let Some(expected) = python.get(f) else {
            failures.push_str(&format!("{name}: python3 printed no records\n"));
            continue;
        };
        if let Some(raised) = expected.iter().find(|r| r.starts_with("!! python raised")) {
            failures.push_str(&format!(
                "{name}: the corpus file fails in Python: {raised}\n"
            ));
        }
        let src = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("cannot read {name}: {e}"));
        let got = pyeval_records(&src);
        if &got != expected {
            failures.push_str(&format!(
                "{name}: pyeval differs from python3:\n{}",
                diff(expected, &got)
            ));
        }
    }
    assert!(failures.is_empty(), "\n{failures}");
}
