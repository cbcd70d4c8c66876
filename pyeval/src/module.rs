//! A file that ran and keeps its globals: what [`Program::load`] returns, so
//! that the Python functions a host kept (normalisers, predicates) can be
//! called later and still find the names of their file.
//!
//! [`Program::load`]: super::Program::load

use std::rc::Rc;

use super::interp::{Ctrl, Interp};
use super::scope::Scope;
use super::value::Value;
use super::{Host, Limits, Warning};

/// A loaded file: its globals, alive until the `Module` is dropped, and the
/// warnings of its run.
///
/// Each [`Module::call`] has a fresh step budget ([`Limits::max_steps`]), so
/// a normaliser applied to many outputs never runs out. Dropping the module
/// empties its globals, which frees the cycles that functions and their
/// module make (`f = lambda: f`); a function the host still holds after that
/// runs, but finds the names it reads from the file's globals unbound.
pub struct Module {
    interp: Interp,
    globals: Rc<Scope>,
    warnings: Vec<Warning>,
}

impl Module {
    pub(crate) fn new(limits: &Limits) -> Self {
        Module {
            interp: Interp::new(limits.clone()),
            globals: Scope::new(None, None),
            warnings: Vec::new(),
        }
    }

    pub(crate) fn parts(&mut self) -> (&mut Interp, &Rc<Scope>, &mut Vec<Warning>) {
        (&mut self.interp, &self.globals, &mut self.warnings)
    }

    /// The warnings of the file's run, in file order (syntax errors included).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// The warnings, dropping the module.
    pub fn into_warnings(mut self) -> Vec<Warning> {
        std::mem::take(&mut self.warnings)
    }

    /// The value a global name of the file is bound to.
    pub fn global(&self, name: &str) -> Option<Value> {
        self.globals.get(name)
    }

    /// Call `f` (a function of this file or any other callable) with
    /// positional arguments, under a fresh step budget. An error is the
    /// Python error's message, after `line N: ` when its line is known.
    pub fn call(
        &mut self,
        host: &mut dyn Host,
        f: &Value,
        args: Vec<Value>,
    ) -> Result<Value, String> {
        self.call_kw(host, f, args, Vec::new())
    }

    /// [`Module::call`] with keyword arguments.
    pub fn call_kw(
        &mut self,
        host: &mut dyn Host,
        f: &Value,
        args: Vec<Value>,
        kwargs: Vec<(Rc<str>, Value)>,
    ) -> Result<Value, String> {
        self.interp.steps = 0;
        self.interp.depth = 0;
        match self.interp.call_value(host, f, args, kwargs, 0) {
            Ok(v) | Err(Ctrl::Return(v)) => Ok(v),
            Err(Ctrl::Err(e)) if e.line == 0 => Err(e.msg),
            Err(Ctrl::Err(e)) => Err(format!("line {}: {}", e.line, e.msg)),
            Err(Ctrl::Break | Ctrl::Continue) => Err("'break' or 'continue' outside a loop".into()),
        }
    }
}

impl Drop for Module {
    fn drop(&mut self) {
        let globals = std::mem::take(&mut *self.globals.vars.borrow_mut());
        drop(globals);
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use crate::{Host, HostValue, Interp, Limits, Value, parse};

    #[derive(Debug)]
    struct Keep;

    impl HostValue for Keep {
        fn type_name(&self) -> &str {
            "keep"
        }
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
    }

    /// Knows `keep(f, ...)`, which keeps its arguments; every other name is unbound.
    #[derive(Default)]
    struct Keeper {
        kept: Vec<Value>,
    }

    impl Host for Keeper {
        fn global(&mut self, name: &str) -> Option<Value> {
            (name == "keep").then(|| Value::Host(Rc::new(Keep)))
        }
        fn call(
            &mut self,
            _: &mut Interp,
            _: &Rc<dyn HostValue>,
            args: Vec<Value>,
            _: Vec<(Rc<str>, Value)>,
            _: u32,
        ) -> Result<Value, String> {
            self.kept.extend(args);
            Ok(Value::None)
        }
        fn get_attr(&mut self, _: &Rc<dyn HostValue>, a: &str) -> Result<Value, String> {
            Err(format!("no attribute {a}"))
        }
        fn set_attr(&mut self, _: &Rc<dyn HostValue>, a: &str, _: Value) -> Result<(), String> {
            Err(format!("no attribute {a}"))
        }
    }

    fn load(src: &str, limits: &Limits) -> (super::Module, Keeper) {
        let mut host = Keeper::default();
        let module = parse(src, limits).load(&mut host, limits);
        (module, host)
    }

    fn text(r: Result<Value, String>) -> String {
        match r {
            Ok(v) => v.py_str(),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn kept_functions_see_their_files_names_until_the_module_is_dropped() {
        let src = "import re\n\
                   SUFFIX = '!'\n\
                   def helper(s):\n    return re.sub(r'(\\d)+', r'<\\1>', s) + SUFFIX\n\
                   keep(lambda s: helper(s.strip()))\n";
        let (mut module, mut host) = load(src, &Limits::default());
        assert!(module.warnings().is_empty(), "{:?}", module.warnings());
        let f = host.kept[0].clone();
        let out = module.call(&mut host, &f, vec![Value::str(" a12 b3 ")]);
        assert_eq!(text(out), "a<2> b<3>!");
        assert_eq!(
            module.global("SUFFIX").map(|v| v.py_str()),
            Some("!".into())
        );
        assert!(module.global("nothing").is_none());
        drop(module);
        // The function outlives its module, but the file's names are gone.
        let mut fresh = parse("", &Limits::default()).load(&mut host, &Limits::default());
        let out = fresh.call(&mut host, &f, vec![Value::str("a1")]);
        assert_eq!(text(out), "error: line 5: name 'helper' is not defined");
    }

    #[test]
    fn every_call_has_a_fresh_step_budget() {
        let limits = Limits {
            max_steps: 2_000,
            ..Limits::default()
        };
        let src = "def slow(n):\n    t = 0\n    for i in range(n):\n        t += i\n    return t\nkeep(slow)\n";
        let (mut module, mut host) = load(src, &limits);
        let slow = host.kept[0].clone();
        // Each call fits the budget; together they would not.
        for _ in 0..20 {
            let out = module.call(&mut host, &slow, vec![Value::Int(500)]);
            assert_eq!(text(out), "124750");
        }
        let out = module.call(&mut host, &slow, vec![Value::Int(5_000)]);
        assert!(text(out).contains("step limit"));
        let out = module.call(&mut host, &slow, vec![Value::Int(10)]);
        assert_eq!(text(out), "45");
    }

    #[test]
    fn calls_take_keywords_and_report_python_errors_with_their_line() {
        let src = "def f(a, b=2):\n    return a * b\nkeep(f)\n";
        let (mut module, mut host) = load(src, &Limits::default());
        let f = host.kept[0].clone();
        let out = module.call_kw(
            &mut host,
            &f,
            vec![Value::Int(3)],
            vec![(Rc::from("b"), Value::Int(5))],
        );
        assert_eq!(text(out), "15");
        let out = text(module.call(&mut host, &f, vec![Value::str("x"), Value::str("y")]));
        assert!(out.starts_with("error: line 2: TypeError"), "{out}");
        let out = text(module.call(&mut host, &f, Vec::new()));
        assert!(out.contains("missing required argument: 'a'"), "{out}");
    }

    #[test]
    fn warnings_of_the_run_are_kept() {
        let (module, _) = load("x = 1\ny = )\nz = nope\n", &Limits::default());
        let lines: Vec<u32> = module.warnings().iter().map(|w| w.line).collect();
        assert_eq!(lines, [2, 3]);
        assert_eq!(module.into_warnings().len(), 2);
    }

    #[test]
    fn dropping_the_module_frees_the_cycle_of_a_function_and_its_globals() {
        let (module, host) = load("f = lambda: f\nkeep(f)\n", &Limits::default());
        let [Value::Function(f)] = host.kept.as_slice() else {
            panic!("kept {:?}", host.kept)
        };
        assert_eq!(Rc::strong_count(f), 2);
        drop(module);
        assert_eq!(Rc::strong_count(f), 1);
        assert!(f.globals.vars.borrow().is_empty());
    }
}
