//! A Python-subset evaluator for GHC's `*.T` test files.
//!
//! # The seam
//!
//! GHC's testsuite declares its tests in Python (`test('T123', normal, compile, [''])`).
//! Discovery must not need a Python installation, so this module lexes, parses and
//! interprets the subset of Python 3 those files use. Everything GHC-specific (what
//! `test`, `config`, `when`, … mean) lives behind the [`Host`] trait: names the file
//! reads but never binds are asked of the host, and host values are called through it.
//!
//! The key design decision: **evaluation never stops the file**. A statement that fails
//! (syntax error, unsupported construct, runtime error, limit hit) becomes a
//! [`Warning`] and execution goes on with the next top-level statement; host calls made
//! before the failure keep their effects. Values the evaluator cannot know are
//! [`Value::Unknown`], which absorbs every operation without a warning.
//!
//! Robustness: no panics on any input, a step budget on every loop iteration and call,
//! a recursion limit (parser and interpreter), and caps on string and collection sizes.

mod ast;
mod builtins;
mod call;
mod eval;
mod expr;
mod format;
mod interp;
mod lexer;
mod methods;
mod modules;
mod ops;
mod parser;
mod scope;
mod strlit;
mod value;

#[cfg(test)]
mod tests;

use std::rc::Rc;

pub use interp::Interp;
pub use value::{Dict, Function, HKey, HostValue, Value};

use interp::{Ctrl, Ctx};
use scope::Scope;

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
}

/// Parse and execute one file's text. Never panics, never hangs, never overflows the
/// stack, whatever `src` is. Each failing statement becomes a [`Warning`]; a syntax
/// error skips to the next line that starts at column 0.
pub fn run_file(src: &str, host: &mut dyn Host, limits: &Limits) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let mut interp = Interp::new(limits.clone());
    let cx = Ctx {
        globals: Scope::new(None, None),
        locals: None,
    };
    let mut parser = parser::Parser::new(src, (limits.max_depth / 2).max(1));
    while let Some(parsed) = parser.next_stmts() {
        let stmts = match parsed {
            Ok(s) => s,
            Err(e) => {
                warnings.push(Warning {
                    line: e.line,
                    message: e.msg,
                });
                continue;
            }
        };
        for s in &stmts {
            interp.depth = 0;
            let message = match interp.exec(host, &cx, s) {
                Ok(()) => continue,
                Err(Ctrl::Err(e)) => {
                    warnings.push(Warning {
                        line: if e.line == 0 { s.line } else { e.line },
                        message: e.msg,
                    });
                    if interp.exhausted() {
                        warnings.push(Warning {
                            line: s.line,
                            message: "the rest of the file was not evaluated (step limit)".into(),
                        });
                        return warnings;
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
    warnings
}
