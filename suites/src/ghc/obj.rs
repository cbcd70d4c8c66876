//! The driver's values as a `.T` file holds them: `config`, driver
//! functions, test options, normalisers and a setup function's options
//! object. The driver's functions ([`super::driver`]) make them and the
//! file host ([`super::host`]) hands them to Python; this module depends
//! on neither.

use std::cell::RefCell;

use pyeval::HostValue;

use super::normalise::Norm;
use super::setup::{Setup, TestOpts};

/// A driver value handed to Python.
#[derive(Debug)]
pub enum Obj {
    /// The `config` object.
    Config,
    /// A driver function by name (an option constructor, a predicate, a
    /// test function, `test`, `setTestOpts`, …).
    Driver(&'static str),
    /// A test option, with how it was written and the Python functions
    /// among its arguments (a normaliser written in the `.T` file), which
    /// only a replay of the file keeps ([`super::pynorm`]).
    Setup(Setup, String, Vec<pyeval::Value>),
    /// A normaliser function.
    Norm(Norm),
    /// The options object a Python setup function receives.
    Opts(Box<RefCell<TestOpts>>),
}

impl HostValue for Obj {
    fn type_name(&self) -> &str {
        match self {
            Obj::Config => "config",
            Obj::Driver(_) => "function",
            Obj::Setup(..) => "test option",
            Obj::Norm(_) => "normaliser",
            Obj::Opts(_) => "TestOptions",
        }
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
