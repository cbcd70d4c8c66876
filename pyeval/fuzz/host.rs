//! The host and limits every fuzzer of the evaluator uses: the proptest
//! cases in `tests/fuzz.rs` and the libFuzzer targets in `fuzz_targets/`.
//! A host like the GHC one: a few host functions that call back the
//! callables they get, every other name an unknown value.

use std::rc::Rc;

use pyeval::{Host, HostValue, Interp, Limits, Value, run_file};

/// The host's functions: `test`, `when`, `normal`, `config`.
#[derive(Debug)]
pub struct Fun;

impl HostValue for Fun {
    fn type_name(&self) -> &str {
        "fun"
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// The fuzzers' host.
pub struct FuzzHost;

impl Host for FuzzHost {
    fn global(&mut self, name: &str) -> Option<Value> {
        match name {
            "test" | "when" | "normal" | "config" => Some(Value::Host(Rc::new(Fun))),
            "nameerror" => None,
            _ => Some(Value::Unknown(Rc::from(name))),
        }
    }
    fn call(
        &mut self,
        interp: &mut Interp,
        _callee: &Rc<dyn HostValue>,
        args: Vec<Value>,
        _kwargs: Vec<(Rc<str>, Value)>,
        _line: u32,
    ) -> Result<Value, String> {
        for a in &args {
            if let Value::Function(_) = a {
                let _ = interp.call(self, a, vec![Value::str("x"), Value::Int(1)], Vec::new());
            }
        }
        Ok(Value::None)
    }
    fn get_attr(&mut self, _obj: &Rc<dyn HostValue>, attr: &str) -> Result<Value, String> {
        Ok(Value::Unknown(Rc::from(attr)))
    }
    fn set_attr(
        &mut self,
        _obj: &Rc<dyn HostValue>,
        _attr: &str,
        _value: Value,
    ) -> Result<(), String> {
        Ok(())
    }
}

/// Small limits so that every case finishes quickly.
pub fn limits() -> Limits {
    Limits {
        max_steps: 20_000,
        max_depth: 200,
        max_len: 1 << 16,
    }
}

/// Run `src`; every warning must name a line of it. Lines end as Python
/// reads a file in text mode: at `\n`, `\r\n` or a lone `\r`.
pub fn run(src: &str) {
    let w = run_file(src, &mut FuzzHost, &limits());
    let lines = src.replace("\r\n", "\n").matches(['\n', '\r']).count() as u32 + 2;
    assert!(w.iter().all(|w| w.line >= 1 && w.line <= lines), "{w:?}");
}
