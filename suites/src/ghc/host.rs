//! What a `.T` file can see besides Python itself: the driver's names.
//!
//! The host answers the evaluator for every global a file reads but never
//! bound ([`FileHost::global`]): `config`, `test`, `setTestOpts`, the
//! option functions, the predicates (`arch`, `have_profiling`, …), the
//! well-known normalisers and the test functions. A name the driver would
//! define but this table does not know yields `Unknown(name)`, which keeps
//! evaluation going, and is counted so listings can show it.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use super::config::Config;
use super::driver::{Built, construct, host, normaliser_call, predicate, short, strings, to_value};
use super::names::{self, Kind};
use super::obj::Obj;
use super::setup::{Expect, Setup, TestOpts};
use pyeval::{Host, HostValue, Interp, Value};

/// Modules `testlib.py` imports, which `.T` files use without importing.
const DRIVER_MODULES: [&str; 3] = ["re", "os", "sys"];

/// One `test(...)` call.
#[derive(Debug, Clone)]
pub struct Declared {
    /// The test's name as declared.
    pub name: String,
    /// Line of the call (or of the top-level statement that led to it).
    pub line: u32,
    /// The test function's name (`compile_and_run`, …).
    pub func: String,
    /// The test function's arguments, as Python `str()` of each; lists
    /// (e.g. `multi_compile`'s extra modules) flattened to their items.
    pub args: Vec<Arg>,
    /// The options after `setTestOpts` and the test's own.
    pub opts: TestOpts,
}

/// One argument of a test function.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// A string (or anything else, as Python's `str()`).
    Text(String),
    /// A list, e.g. `[('A.hs', '-O')]`: each item's first element.
    List(Vec<String>),
}

/// The host for one `.T` file.
pub struct FileHost<'c> {
    config: &'c Config,
    /// `config.x = v` in this file.
    config_set: BTreeMap<String, Value>,
    /// `setTestOpts(...)` values, in order.
    file_settings: Vec<Value>,
    /// Every `test(...)` call.
    pub tests: Vec<Declared>,
    /// Unknown names and how often each was read.
    pub unknown: BTreeMap<String, usize>,
    /// Problems the host found (line, message), e.g. a bad `test` call.
    pub problems: Vec<(u32, String)>,
    /// Whether to keep each test's Python normaliser functions (a replay
    /// of the file that will run them on output, [`super::pynorm`]).
    keep: bool,
    /// Per test name: its Python normalisers for stdout and for stderr,
    /// in the order its options added them.
    pub kept: BTreeMap<String, (Vec<Value>, Vec<Value>)>,
}

impl<'c> FileHost<'c> {
    /// A host for one file, seeing `config`.
    pub fn new(config: &'c Config) -> Self {
        FileHost {
            config,
            config_set: BTreeMap::new(),
            file_settings: Vec::new(),
            tests: Vec::new(),
            unknown: BTreeMap::new(),
            problems: Vec::new(),
            keep: false,
            kept: BTreeMap::new(),
        }
    }

    /// A host that also keeps every test's Python normaliser functions
    /// ([`FileHost::kept`]).
    pub fn keeping_functions(config: &'c Config) -> Self {
        FileHost {
            keep: true,
            ..FileHost::new(config)
        }
    }

    fn keep_functions(&mut self, test: &str, setup: &Setup, fns: &[Value]) {
        if !self.keep {
            return;
        }
        let kept = self.kept.entry(test.to_owned()).or_default();
        match setup {
            Setup::NormaliseStdout(_) => kept.0.extend(fns.iter().cloned()),
            Setup::NormaliseStderr(_) => kept.1.extend(fns.iter().cloned()),
            _ => {}
        }
    }

    fn unknown(&mut self, name: &str) -> Value {
        *self.unknown.entry(name.to_owned()).or_default() += 1;
        Value::Unknown(Rc::from(name))
    }

    fn config_attr(&mut self, attr: &str) -> Value {
        if let Some(v) = self.config_set.get(attr) {
            return v.clone();
        }
        match self.config.get(attr) {
            Some(v) => to_value(v),
            None => self.unknown(&format!("config.{attr}")),
        }
    }

    /// Apply one option value (an option, a list of them, or a Python
    /// function taking `(name, opts)`) to `opts`.
    fn apply(
        &mut self,
        interp: &mut Interp,
        name: &str,
        setup: &Value,
        opts: &mut TestOpts,
        depth: u32,
    ) -> Result<(), String> {
        if depth > 64 {
            return Err("test options nested too deeply".into());
        }
        if let Some(items) = setup.as_list_items() {
            for item in &items {
                self.apply(interp, name, item, opts, depth + 1)?;
            }
            return Ok(());
        }
        match setup {
            Value::Host(h) => match h.as_any().downcast_ref::<Obj>() {
                Some(Obj::Setup(s, label, fns)) => {
                    if !fns.is_empty() {
                        self.keep_functions(name, s, fns);
                    }
                    s.apply(opts, self.config);
                    if *s != Setup::Normal {
                        opts.applied.push(label.clone());
                    }
                }
                Some(Obj::Driver(d)) => {
                    opts.unknown.push((*d).to_owned());
                    opts.applied.push(format!("{d}?"));
                }
                _ => opts.unknown.push(h.type_name().to_owned()),
            },
            Value::Unknown(u) => {
                opts.unknown.push(u.to_string());
                opts.applied.push(format!("{u}?"));
            }
            Value::None => {}
            callable => {
                let obj = Rc::new(Obj::Opts(Box::new(RefCell::new(std::mem::take(opts)))));
                let args = vec![Value::Str(Rc::from(name)), Value::Host(obj.clone())];
                let result = interp.call(self, callable, args, Vec::new());
                if let Obj::Opts(cell) = &*obj {
                    *opts = cell.replace(TestOpts::default());
                }
                opts.applied.push(short(&callable.repr()));
                result?;
            }
        }
        Ok(())
    }

    fn test(
        &mut self,
        interp: &mut Interp,
        args: Vec<Value>,
        kwargs: Vec<(Rc<str>, Value)>,
        line: u32,
    ) -> Result<Value, String> {
        let mut slots: [Option<Value>; 4] = Default::default();
        for (i, v) in args.into_iter().enumerate() {
            match slots.get_mut(i) {
                Some(slot) => *slot = Some(v),
                None => return Err("test() takes 4 arguments".into()),
            }
        }
        for (k, v) in kwargs {
            let i = match &*k {
                "name" => 0,
                "setup" => 1,
                "func" => 2,
                "args" => 3,
                other => {
                    return Err(format!(
                        "test() got an unexpected keyword argument '{other}'"
                    ));
                }
            };
            slots[i] = Some(v);
        }
        let [Some(name), Some(setup), Some(func), Some(fargs)] = slots else {
            return Err("test() needs name, setup, func and args".into());
        };
        let Some(name) = name.as_str().map(str::to_owned) else {
            return Err(format!("test name {} is not a string", short(&name.repr())));
        };
        let mut opts = TestOpts::default();
        for setting in self.file_settings.clone() {
            self.apply(interp, &name, &setting, &mut opts, 0)?;
        }
        self.apply(interp, &name, &setup, &mut opts, 0)?;
        let func = match &func {
            Value::Host(h) => match h.as_any().downcast_ref::<Obj>() {
                Some(Obj::Driver(d)) => (*d).to_owned(),
                _ => h.type_name().to_owned(),
            },
            Value::Unknown(u) => u.to_string(),
            Value::Function(f) => f.name().to_owned(),
            other => short(&other.repr()),
        };
        let args = fargs
            .as_list_items()
            .unwrap_or_else(|| vec![fargs.clone()])
            .iter()
            .map(|a| match a.as_list_items() {
                Some(items) => Arg::List(
                    items
                        .iter()
                        .map(|i| match i.as_list_items() {
                            Some(pair) => pair.first().map(Value::py_str).unwrap_or_default(),
                            None => i.py_str(),
                        })
                        .collect(),
                ),
                None => Arg::Text(a.py_str()),
            })
            .collect();
        self.tests.push(Declared {
            name,
            line,
            func,
            args,
            opts,
        });
        Ok(Value::None)
    }

    fn call_driver(
        &mut self,
        interp: &mut Interp,
        name: &'static str,
        args: Vec<Value>,
        kwargs: Vec<(Rc<str>, Value)>,
        line: u32,
    ) -> Result<Value, String> {
        match names::kind(name) {
            Some(Kind::Test) => self.test(interp, args, kwargs, line),
            Some(Kind::SetTestOpts) => {
                self.file_settings.extend(args);
                Ok(Value::None)
            }
            Some(Kind::Predicate) => Ok(predicate(self.config, name, &args)),
            Some(Kind::NormaliserFn) => Ok(normaliser_call(name, &args)),
            Some(Kind::Constructor) => {
                let label = format!(
                    "{name}({})",
                    args.iter()
                        .map(|a| short(&a.repr()))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                if name == "cmd_wrapper" {
                    let setup = self.cmd_wrapper(interp, args.first());
                    return Ok(host(Obj::Setup(setup, label, Vec::new())));
                }
                let setup = construct(self.config, name, &args)?;
                match setup {
                    Built::Setup(s) => {
                        let fns = python_functions(&s, &args);
                        Ok(host(Obj::Setup(s, label, fns)))
                    }
                    Built::Value(v) => Ok(v),
                }
            }
            _ => Ok(self.unknown(&format!("{name}()"))),
        }
    }
}

/// The Python functions among a normaliser option's arguments, in the
/// order [`Setup::NormaliseStdout`]'s list has them.
fn python_functions(setup: &Setup, args: &[Value]) -> Vec<Value> {
    fn walk(args: &[Value], out: &mut Vec<Value>) {
        for a in args {
            if let Some(items) = a.as_list_items() {
                walk(&items, out);
            } else if matches!(a, Value::Function(_)) {
                out.push(a.clone());
            }
        }
    }
    let mut out = Vec::new();
    if matches!(setup, Setup::NormaliseStdout(_) | Setup::NormaliseStderr(_)) {
        walk(args, &mut out);
    }
    out
}

impl FileHost<'_> {
    /// `cmd_wrapper(f)`: `f` is applied now to a placeholder, and what it
    /// puts around the placeholder is put around the run command. A
    /// wrapper that does not keep the command once, whole, is not run.
    fn cmd_wrapper(&mut self, interp: &mut Interp, f: Option<&Value>) -> Setup {
        const HOLE: &str = "\u{1}XHARNESS-COMMAND\u{1}";
        let Some(f) = f else {
            return Setup::Unsupported("cmd_wrapper: no function given".into());
        };
        let wrapped = interp.call(self, f, vec![Value::str(HOLE)], Vec::new());
        match &wrapped {
            Ok(Value::Str(text)) if text.matches(HOLE).count() == 1 => {
                let (before, after) = text.split_once(HOLE).unwrap_or_default();
                Setup::CmdWrapper(before.to_owned(), after.to_owned())
            }
            Ok(other) => Setup::Unsupported(format!(
                "cmd_wrapper: the function does not keep the command whole (it gave {})",
                short(&other.repr())
            )),
            Err(e) => Setup::Unsupported(format!("cmd_wrapper: the function failed: {e}")),
        }
    }
}

impl Host for FileHost<'_> {
    fn stubbed(&mut self, what: &str, line: u32) {
        let gives = pyeval::STUBS
            .iter()
            .find(|(n, _)| *n == what)
            .map_or("a fixed value", |(_, g)| g);
        self.problems.push((
            line,
            format!(
                "{what} is a stub here ({gives}): what the file declares from it may differ from GHC's driver"
            ),
        ));
    }

    fn global(&mut self, name: &str) -> Option<Value> {
        if name == "config" {
            return Some(host(Obj::Config));
        }
        // Modules the driver imported: a `.T` file runs in its globals.
        if DRIVER_MODULES.contains(&name) {
            return pyeval::stdlib(name);
        }
        let Some((static_name, kind)) = names::lookup(name) else {
            if let Some(ways) = Config::way_class(name) {
                return Some(Value::list(ways.iter().map(|w| Value::str(w)).collect()));
            }
            return Some(self.unknown(name));
        };
        Some(match kind {
            Kind::Option(setup) => host(Obj::Setup(setup, static_name.to_owned(), Vec::new())),
            Kind::Normaliser(n) => host(Obj::Norm(n)),
            _ => host(Obj::Driver(static_name)),
        })
    }

    fn call(
        &mut self,
        interp: &mut Interp,
        callee: &Rc<dyn HostValue>,
        args: Vec<Value>,
        kwargs: Vec<(Rc<str>, Value)>,
        line: u32,
    ) -> Result<Value, String> {
        match callee.as_any().downcast_ref::<Obj>() {
            Some(Obj::Driver(name)) => self.call_driver(interp, name, args, kwargs, line),
            // `skip(name, opts)` inside a Python setup function.
            Some(Obj::Setup(s, label, _)) => {
                if let Some(Value::Host(o)) = args.get(1)
                    && let Some(Obj::Opts(cell)) = o.as_any().downcast_ref::<Obj>()
                {
                    let mut opts = cell.borrow_mut();
                    s.apply(&mut opts, self.config);
                    opts.applied.push(label.clone());
                }
                Ok(Value::None)
            }
            Some(Obj::Norm(n)) => match args.first() {
                Some(Value::Str(text)) if args.len() == 1 => {
                    super::normalise::apply_rules(n, text).map(|s| Value::str(&s))
                }
                _ => Err(format!("{}() takes one string", n.label())),
            },
            _ => Err(format!("'{}' object is not callable", callee.type_name())),
        }
    }

    fn get_attr(&mut self, obj: &Rc<dyn HostValue>, attr: &str) -> Result<Value, String> {
        match obj.as_any().downcast_ref::<Obj>() {
            Some(Obj::Config) => Ok(self.config_attr(attr)),
            Some(Obj::Opts(cell)) => Ok(opts_attr(&cell.borrow(), attr)),
            _ => Ok(self.unknown(&format!("{}.{attr}", obj.type_name()))),
        }
    }

    fn set_attr(
        &mut self,
        obj: &Rc<dyn HostValue>,
        attr: &str,
        value: Value,
    ) -> Result<(), String> {
        match obj.as_any().downcast_ref::<Obj>() {
            Some(Obj::Config) => {
                self.config_set.insert(attr.to_owned(), value);
            }
            Some(Obj::Opts(cell)) => set_opts_attr(&mut cell.borrow_mut(), attr, value),
            _ => {}
        }
        Ok(())
    }
}

/// `opts.x` in a Python setup function.
fn opts_attr(o: &TestOpts, attr: &str) -> Value {
    let s = |v: &str| Value::Str(Rc::from(v));
    match attr {
        "skip" => Value::Bool(o.skip.is_some()),
        "expect" => s(match o.expect {
            Expect::Pass => "pass",
            _ => "fail",
        }),
        "exit_code" => Value::Int(o.exit_code),
        "extra_run_opts" => s(&o.extra_run_opts),
        "extra_hc_opts" => s(&o.extra_hc_opts),
        "ignore_stdout" => Value::Bool(o.ignore_stdout),
        "ignore_stderr" => Value::Bool(o.ignore_stderr),
        "extra_files" => Value::List(Rc::new(RefCell::new(
            o.extra_files.iter().map(|f| s(f)).collect(),
        ))),
        other => Value::Unknown(Rc::from(format!("opts.{other}").as_str())),
    }
}

/// `opts.x = v` in a Python setup function.
fn set_opts_attr(o: &mut TestOpts, attr: &str, v: Value) {
    match attr {
        "skip" if v.truthy() => o.skip_because("skip (set by a setup function)"),
        "expect" if v.as_str() == Some("fail") => o.expect = Expect::Fail,
        "expect" if v.as_str() == Some("pass") => o.expect = Expect::Pass,
        "exit_code" => o.exit_code = v.as_int().unwrap_or(0),
        "extra_run_opts" => o.extra_run_opts = v.py_str(),
        "extra_hc_opts" => o.extra_hc_opts = v.py_str(),
        "ignore_stdout" => o.ignore_stdout = v.truthy(),
        "ignore_stderr" => o.ignore_stderr = v.truthy(),
        "extra_files" => o.extra_files = strings(Some(&v)),
        "target_wrapper" | "cmd_wrapper" => o.skip_because(format!(
            "sets opts.{attr}: needs a runner other than a wasm engine"
        )),
        other => o.unknown.push(format!("opts.{other}")),
    }
}
