//! Unit tests of the evaluator, with a small host that records `test(...)` calls.

use std::cell::RefCell;
use std::rc::Rc;

use super::*;

/// A host function or object of the test host.
#[derive(Debug)]
struct Obj(&'static str, RefCell<Vec<(String, Value)>>);

impl HostValue for Obj {
    fn type_name(&self) -> &str {
        self.0
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// Records `test(name, setup, fn, args)` calls as strings.
#[derive(Default)]
struct TestHost {
    tests: Vec<String>,
    config: Option<Rc<dyn HostValue>>,
    stored: Vec<Value>,
}

impl Host for TestHost {
    fn global(&mut self, name: &str) -> Option<Value> {
        match name {
            "config" => {
                let c = self.config.get_or_insert_with(|| Rc::new(Obj("config", RefCell::new(Vec::new()))));
                Some(Value::Host(c.clone()))
            }
            "test" | "normal" | "compile" | "store" | "call_it" | "when" => {
                Some(Value::Host(Rc::new(Obj(match name {
                    "test" => "test",
                    "store" => "store",
                    "call_it" => "call_it",
                    "when" => "when",
                    "compile" => "compile",
                    _ => "normal",
                }, RefCell::new(Vec::new())))))
            }
            "undefined_name" => None,
            _ => Some(Value::Unknown(Rc::from(name))),
        }
    }

    fn call(
        &mut self,
        interp: &mut Interp,
        callee: &Rc<dyn HostValue>,
        args: Vec<Value>,
        kwargs: Vec<(Rc<str>, Value)>,
        _line: u32,
    ) -> Result<Value, String> {
        match callee.type_name() {
            "test" => {
                let mut s: Vec<String> = args.iter().map(Value::repr).collect();
                s.extend(kwargs.iter().map(|(k, v)| format!("{k}={}", v.repr())));
                self.tests.push(s.join(" "));
                Ok(Value::None)
            }
            "store" => {
                self.stored.extend(args);
                Ok(Value::None)
            }
            "call_it" => {
                let f = args.first().cloned().unwrap_or(Value::None);
                interp.call(self, &f, args.into_iter().skip(1).collect(), Vec::new())
            }
            _ => Ok(Value::Host(callee.clone())),
        }
    }

    fn get_attr(&mut self, obj: &Rc<dyn HostValue>, attr: &str) -> Result<Value, String> {
        let Some(o) = obj.as_any().downcast_ref::<Obj>() else { return Err("bad host".into()) };
        let v = o.1.borrow().iter().rev().find(|kv| kv.0 == attr).map(|kv| kv.1.clone());
        Ok(v.unwrap_or_else(|| Value::list(Vec::new())))
    }

    fn set_attr(&mut self, obj: &Rc<dyn HostValue>, attr: &str, value: Value) -> Result<(), String> {
        let Some(o) = obj.as_any().downcast_ref::<Obj>() else { return Err("bad host".into()) };
        o.1.borrow_mut().push((attr.to_string(), value));
        Ok(())
    }
}

fn run(src: &str) -> (Vec<String>, Vec<Warning>) {
    let mut h = TestHost::default();
    let w = run_file(src, &mut h, &Limits::default());
    (h.tests, w)
}

/// The tests recorded, asserting there were no warnings.
fn tests_of(src: &str) -> Vec<String> {
    let (t, w) = run(src);
    assert!(w.is_empty(), "unexpected warnings: {w:?}");
    t
}

#[test]
fn simple_test_call() {
    assert_eq!(tests_of("test('T1', normal, compile, [''])\n"), vec!["'T1' <normal> <compile> ['']"]);
}

#[test]
fn sizes() {
    use std::mem::size_of;
    println!(
        "Value {} Expr {} Stmt {} Token {} R<Value> {}",
        size_of::<Value>(),
        size_of::<ast::Expr>(),
        size_of::<ast::Stmt>(),
        size_of::<lexer::Token<'_>>(),
        size_of::<interp::R<Value>>()
    );
}
