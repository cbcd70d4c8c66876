//! A Python-subset evaluator: enough of Python 3 to read files that
//! declare data in Python (GHC's testsuite `*.T` files are the first
//! user), with no Python installation.
//!
//! # The API
//!
//! - [`parse`] turns a file's text into a [`Program`]: its top-level
//!   statements, and a [`Warning`] for each one that does not parse.
//! - [`Program::run`] executes it against a [`Host`]: names the file reads
//!   but never binds are asked of the host ([`Host::global`]), and host
//!   values ([`HostValue`]) are called, read and written through it. The
//!   embedder's meaning of those names (what `test(...)` declares, say)
//!   lives entirely on the host side.
//! - [`Value`] is what Python code computes; [`Value::Unknown`] stands for
//!   what the evaluator cannot know and absorbs every operation silently.
//! - [`Program::load`] runs it too, and returns a [`Module`] that keeps the
//!   file's globals alive: the host calls the Python functions it was given
//!   (normalisers, say) with [`Module::call`], each call under a fresh step
//!   budget.
//! - [`stdlib`] is a module the evaluator provides (`re`, `os`, …), for a
//!   host whose files use one without importing it.
//! - [`run_file`] is `parse` then `run`.
//!
//! # Fidelity
//!
//! What pyeval computes is what Python computes, as a tested contract:
//! `tests/fidelity.rs` runs every file of `tests/corpus/` (`.T`-like
//! snippets) here and in `python3` against the same stubs, and the records
//! of both must be equal. `re` follows Python's semantics (syntax, anchors,
//! empty matches, templates, errors) on top of `fancy_regex`, which brings
//! back-references and lookaround.
//!
//! # Rules it keeps
//!
//! **Evaluation never stops the file.** A statement that fails (syntax
//! error, unsupported construct, runtime error, limit hit) becomes a
//! [`Warning`] with its line, and execution goes on with the next
//! top-level statement; host calls made before the failure keep their
//! effects.
//!
//! **No input can hurt the embedder**: no panics, a step budget on every
//! loop iteration and call, a recursion limit (parser and interpreter) and
//! caps on string and collection sizes ([`Limits`]).
//!
//! It must not do I/O, read the environment or know any embedder: `os`,
//! `sys` and the like are whatever the host returns for them.
//!
//! # Example
//!
//! ```
//! use std::rc::Rc;
//! use pyeval::{Host, HostValue, Interp, Limits, Value};
//!
//! /// A host that knows one global, `answer`, and calls nothing.
//! struct Answers;
//!
//! impl Host for Answers {
//!     fn global(&mut self, name: &str) -> Option<Value> {
//!         (name == "answer").then(|| Value::Int(42))
//!     }
//!     fn call(&mut self, _: &mut Interp, _: &Rc<dyn HostValue>, _: Vec<Value>,
//!             _: Vec<(Rc<str>, Value)>, _: u32) -> Result<Value, String> {
//!         Err("nothing to call".into())
//!     }
//!     fn get_attr(&mut self, _: &Rc<dyn HostValue>, _: &str) -> Result<Value, String> {
//!         Err("no attributes".into())
//!     }
//!     fn set_attr(&mut self, _: &Rc<dyn HostValue>, _: &str, _: Value) -> Result<(), String> {
//!         Err("no attributes".into())
//!     }
//! }
//!
//! let program = pyeval::parse("x = answer + 1\ny = )\nz = undefined_name\n", &Limits::default());
//! let warnings = program.run(&mut Answers, &Limits::default());
//! let lines: Vec<u32> = warnings.iter().map(|w| w.line).collect();
//! assert_eq!(lines, [2, 3]); // a syntax error, then a NameError; line 1 ran
//! ```

mod ast;
mod builtins;
mod call;
mod eval;
mod expr;
mod format;
mod interp;
mod lexer;
mod methods;
mod module;
mod modules;
mod ops;
mod parser;
mod re;
mod scope;
mod stmt;
mod str_methods;
mod strlit;
mod value;

#[cfg(test)]
mod tests;

use std::rc::Rc;

pub use interp::Interp;
pub use module::Module;
pub use value::{Dict, Function, HKey, HostValue, Value};

use interp::{Ctrl, Ctx};

/// A statement that failed: its 1-based line and what went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub line: u32,
    pub message: String,
}

/// Resource limits for one file.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Statements, loop iterations and calls (plus bulk work) per file.
    pub max_steps: u64,
    /// Nesting depth: expressions and calls in the interpreter; half of it for
    /// bracket nesting in the parser.
    pub max_depth: u32,
    /// Longest string in bytes; collections hold at most `max_len / 16` items.
    pub max_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_steps: 5_000_000,
            max_depth: 200,
            max_len: 10 << 20,
        }
    }
}

/// What the evaluator asks of its embedder.
pub trait Host {
    /// A global name the file reads but never bound, and that is not a Python builtin.
    /// Return `None` for a NameError (the statement fails with a warning).
    fn global(&mut self, name: &str) -> Option<Value>;
    /// Call a host value. `interp` lets the host call back Python callables it was given.
    fn call(
        &mut self,
        interp: &mut Interp,
        callee: &Rc<dyn HostValue>,
        args: Vec<Value>,
        kwargs: Vec<(Rc<str>, Value)>,
        line: u32,
    ) -> Result<Value, String>;
    /// `obj.attr` on a host value.
    fn get_attr(&mut self, obj: &Rc<dyn HostValue>, attr: &str) -> Result<Value, String>;
    /// `obj.attr = v` (and `obj.attr += v`) on a host value.
    fn set_attr(&mut self, obj: &Rc<dyn HostValue>, attr: &str, value: Value)
    -> Result<(), String>;
    /// The file used a stub of the outside world ([`STUBS`]: the evaluator
    /// does no I/O, so `os.path.exists` is always false and `os.environ`
    /// empty) on `line`; what the file computes from it may differ from a
    /// real Python run. The default ignores it.
    fn stubbed(&mut self, what: &str, line: u32) {
        let _ = (what, line);
    }
}

/// The names whose value is a stub of the outside world, with what they
/// give here: a host hears of each use through [`Host::stubbed`].
pub const STUBS: [(&str, &str); 9] = [
    ("os.path.exists", "always False"),
    ("os.path.isfile", "always False"),
    ("os.path.isdir", "always False"),
    ("os.path.abspath", "the path as given"),
    ("os.getcwd", "'.'"),
    ("os.getenv", "the default"),
    ("os.environ", "an empty dict"),
    ("platform.system", "'Linux'"),
    ("platform.machine", "'x86_64'"),
];

/// A parsed file: its top-level statements in order, each one either
/// parsed or a syntax error (which [`Program::run`] reports in its place).
pub struct Program {
    items: Vec<Result<Vec<ast::Stmt>, Warning>>,
}

impl Program {
    /// The syntax errors, in file order.
    pub fn syntax_errors(&self) -> impl Iterator<Item = &Warning> {
        self.items.iter().filter_map(|i| i.as_ref().err())
    }

    /// Execute the statements against `host`, in order. Each failing
    /// statement becomes a [`Warning`], in order with the syntax errors;
    /// after the step budget is spent, the rest is not run (and a last
    /// warning says so).
    ///
    /// The file's globals are emptied when it returns, which frees the
    /// cycles that functions and their module make (`f = lambda: f`): a
    /// Python function the host kept still runs, but finds the names it
    /// reads from the file's globals unbound. Use [`Program::load`] to call
    /// such functions later.
    pub fn run(&self, host: &mut dyn Host, limits: &Limits) -> Vec<Warning> {
        self.load(host, limits).into_warnings()
    }

    /// Execute the statements as [`Program::run`] does, and keep the file's
    /// globals alive in the returned [`Module`] until it is dropped, so that
    /// the Python functions the host was given can be called with
    /// [`Module::call`] and still see the file's names (its imports and
    /// helper `def`s).
    ///
    /// ```
    /// use std::rc::Rc;
    /// use pyeval::{Host, HostValue, Interp, Limits, Value};
    ///
    /// /// `keep(f)`: the host keeps what it is given.
    /// #[derive(Debug)]
    /// struct Keep;
    /// impl HostValue for Keep {
    ///     fn type_name(&self) -> &str { "keep" }
    ///     fn as_any(&self) -> &dyn std::any::Any { self }
    /// }
    ///
    /// #[derive(Default)]
    /// struct Keeper { kept: Vec<Value> }
    ///
    /// impl Host for Keeper {
    ///     fn global(&mut self, name: &str) -> Option<Value> {
    ///         (name == "keep").then(|| Value::Host(Rc::new(Keep)))
    ///     }
    ///     fn call(&mut self, _: &mut Interp, _: &Rc<dyn HostValue>, args: Vec<Value>,
    ///             _: Vec<(Rc<str>, Value)>, _: u32) -> Result<Value, String> {
    ///         self.kept.extend(args);
    ///         Ok(Value::None)
    ///     }
    ///     fn get_attr(&mut self, _: &Rc<dyn HostValue>, _: &str) -> Result<Value, String> {
    ///         Err("no attributes".into())
    ///     }
    ///     fn set_attr(&mut self, _: &Rc<dyn HostValue>, _: &str, _: Value) -> Result<(), String> {
    ///         Err("no attributes".into())
    ///     }
    /// }
    ///
    /// let src = "import re\ndef norm(s): return re.sub(r'\\d+', 'N', s)\nkeep(norm)\n";
    /// let limits = Limits::default();
    /// let mut host = Keeper::default();
    /// let mut module = pyeval::parse(src, &limits).load(&mut host, &limits);
    /// assert!(module.warnings().is_empty());
    /// let norm = host.kept[0].clone();
    /// let out = module.call(&mut host, &norm, vec![Value::str("a1b22")]);
    /// assert_eq!(out.as_ref().map(|v| v.as_str()), Ok(Some("aNbN")));
    /// ```
    pub fn load(&self, host: &mut dyn Host, limits: &Limits) -> Module {
        let mut module = Module::new(limits);
        let (interp, globals, warnings) = module.parts();
        let cx = Ctx {
            globals: globals.clone(),
            locals: None,
        };
        self.run_in(interp, host, &cx, warnings);
        module
    }

    fn run_in(
        &self,
        interp: &mut Interp,
        host: &mut dyn Host,
        cx: &Ctx,
        warnings: &mut Vec<Warning>,
    ) {
        for item in &self.items {
            let stmts = match item {
                Ok(s) => s,
                Err(w) => {
                    warnings.push(w.clone());
                    continue;
                }
            };
            for s in stmts {
                interp.depth = 0;
                let message = match interp.exec(host, cx, s) {
                    Ok(()) => continue,
                    Err(Ctrl::Err(e)) => {
                        warnings.push(Warning {
                            line: if e.line == 0 { s.line } else { e.line },
                            message: e.msg,
                        });
                        if interp.exhausted() {
                            warnings.push(Warning {
                                line: s.line,
                                message: "the rest of the file was not evaluated (step limit)"
                                    .into(),
                            });
                            return;
                        }
                        continue;
                    }
                    Err(Ctrl::Return(_)) => "'return' outside function",
                    Err(Ctrl::Break) => "'break' outside loop",
                    Err(Ctrl::Continue) => "'continue' not properly in loop",
                };
                warnings.push(Warning {
                    line: s.line,
                    message: message.into(),
                });
            }
        }
    }
}

/// Parse a whole file. Never panics or overflows the stack, whatever
/// `src` is: bracket nesting deeper than half of `limits.max_depth` is a
/// syntax error, and after a syntax error parsing goes on at the next
/// line that starts at column 0.
pub fn parse(src: &str, limits: &Limits) -> Program {
    let mut parser = parser::Parser::new(src, (limits.max_depth / 2).max(1));
    let mut items = Vec::new();
    while let Some(parsed) = parser.next_stmts() {
        items.push(parsed.map_err(|e| Warning {
            line: e.line,
            message: e.msg,
        }));
    }
    Program { items }
}

/// Parse and execute one file's text ([`parse`], then [`Program::run`]).
/// Never panics, never hangs, never overflows the stack, whatever `src` is.
pub fn run_file(src: &str, host: &mut dyn Host, limits: &Limits) -> Vec<Warning> {
    parse(src, limits).run(host, limits)
}

/// The module `import name` binds, if the evaluator provides it (`re`, `os`,
/// `os.path`, `sys`, `string`, …). For a host whose files read such a name
/// without importing it, as GHC's `.T` files read `re` and `os` from the
/// driver's globals: return it from [`Host::global`].
pub fn stdlib(name: &str) -> Option<Value> {
    let v = modules::import(name);
    (!v.is_unknown()).then_some(v)
}
