//! Variable scopes: the module's globals and the chain of function (and comprehension)
//! scopes that closures capture.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use super::ast::FuncDef;
use super::value::Value;

/// One scope: a module's globals, a function call's locals, or a comprehension's.
#[derive(Default)]
pub struct Scope {
    pub(crate) vars: RefCell<HashMap<Rc<str>, Value>>,
    pub(crate) parent: Option<Rc<Scope>>,
    /// The function whose call made this scope (for `global` / `nonlocal`).
    pub(crate) def: Option<Rc<FuncDef>>,
}

impl Scope {
    /// A new scope under `parent`.
    pub fn new(parent: Option<Rc<Scope>>, def: Option<Rc<FuncDef>>) -> Rc<Scope> {
        Rc::new(Scope {
            vars: RefCell::new(HashMap::new()),
            parent,
            def,
        })
    }

    /// Look a name up here.
    pub fn get(&self, name: &str) -> Option<Value> {
        self.vars.borrow().get(name).cloned()
    }

    /// Bind a name here.
    pub fn set(&self, name: &Rc<str>, v: Value) {
        let old = self.vars.borrow_mut().insert(name.clone(), v);
        drop(old);
    }

    /// Remove a name; whether it was bound.
    pub fn del(&self, name: &str) -> bool {
        let old = self.vars.borrow_mut().remove(name);
        old.is_some()
    }

    /// Move the values of every scope in the chain that only `env` owns into `out`
    /// (so that deep closure chains are freed without recursion).
    pub fn drain_unique(env: Rc<Scope>, out: &mut Vec<Value>) {
        let mut cur = Some(env);
        while let Some(rc) = cur {
            match Rc::try_unwrap(rc) {
                Ok(mut scope) => {
                    out.extend(scope.vars.get_mut().drain().map(|kv| kv.1));
                    cur = scope.parent.take();
                }
                Err(_) => break,
            }
        }
    }
}
