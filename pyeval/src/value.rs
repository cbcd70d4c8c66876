//! Runtime values of the Python-subset evaluator: the [`Value`] enum, dictionaries,
//! functions, and the helpers the host uses to read values (`as_str`, `repr`, …).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

use super::ast::FuncDef;
use super::scope::Scope;

/// A value supplied by the host (e.g. `config`, or the result of `normal`).
pub trait HostValue: std::any::Any + fmt::Debug {
    /// Type name shown in messages.
    fn type_name(&self) -> &str;
    /// Truthiness in `if`, `and`, `or`.
    fn truthy(&self) -> bool {
        true
    }
    /// For downcasting by the host.
    fn as_any(&self) -> &dyn std::any::Any;
    /// Equality with another value (default: pointer identity for host values).
    fn eq_value(&self, _other: &Value) -> Option<bool> {
        None
    }
}

/// A `def` or `lambda` closure. Opaque to the host, which calls it via `Interp::call`.
pub struct Function {
    pub(crate) def: Rc<FuncDef>,
    /// One value per parameter that has a default, in parameter order.
    pub(crate) defaults: RefCell<Vec<Value>>,
    pub(crate) env: RefCell<Option<Rc<Scope>>>,
    pub(crate) globals: Rc<Scope>,
}

impl Function {
    /// The function's name (`<lambda>` for lambdas).
    pub fn name(&self) -> &str {
        &self.def.name
    }
}

impl fmt::Debug for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<function {}>", self.def.name)
    }
}

/// A hashable key: the identity of a dict key or set member.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum HKey {
    /// `None`.
    None,
    /// Integers, bools and integral floats.
    Int(i64),
    /// Non-integral floats, by bit pattern.
    Float(u64),
    /// Strings.
    Str(Rc<str>),
    /// Tuples of hashable values.
    Tuple(Vec<HKey>),
    /// Anything hashed by identity (functions, host values, builtins…).
    Ptr(usize),
    /// An unknown name.
    Unknown(Rc<str>),
}

/// An insertion-ordered dictionary (also the storage of sets, with `None` values).
#[derive(Default, Debug)]
pub struct Dict {
    entries: Vec<(Value, Value)>,
    index: HashMap<HKey, usize>,
}

impl Dict {
    /// An empty dict.
    pub fn new() -> Self {
        Self::default()
    }
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    /// Whether the dict is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    /// Look up a key.
    pub fn get(&self, key: &Value) -> Result<Option<Value>, String> {
        let k = key.hkey()?;
        Ok(self
            .index
            .get(&k)
            .and_then(|&i| self.entries.get(i))
            .map(|e| e.1.clone()))
    }
    /// Whether the key is present.
    pub fn contains(&self, key: &Value) -> Result<bool, String> {
        Ok(self.index.contains_key(&key.hkey()?))
    }
    /// Insert or replace.
    pub fn insert(&mut self, key: Value, value: Value) -> Result<(), String> {
        let k = key.hkey()?;
        match self.index.get(&k) {
            Some(&i) => {
                if let Some(e) = self.entries.get_mut(i) {
                    e.1 = value;
                }
            }
            None => {
                self.index.insert(k, self.entries.len());
                self.entries.push((key, value));
            }
        }
        Ok(())
    }
    /// Remove a key, returning its value.
    pub fn remove(&mut self, key: &Value) -> Result<Option<Value>, String> {
        let k = key.hkey()?;
        let Some(i) = self.index.remove(&k) else {
            return Ok(None);
        };
        if i >= self.entries.len() {
            return Ok(None);
        }
        let (_, v) = self.entries.remove(i);
        for slot in self.index.values_mut() {
            if *slot > i {
                *slot -= 1;
            }
        }
        Ok(Some(v))
    }
    /// Entries in insertion order.
    pub fn entries(&self) -> &[(Value, Value)] {
        &self.entries
    }
    /// Keys in insertion order.
    pub fn keys(&self) -> Vec<Value> {
        self.entries.iter().map(|e| e.0.clone()).collect()
    }
    fn take_all(&mut self) -> Vec<Value> {
        self.index.clear();
        let mut out = Vec::with_capacity(self.entries.len() * 2);
        for (k, v) in std::mem::take(&mut self.entries) {
            out.push(k);
            out.push(v);
        }
        out
    }
}

/// A Python module provided by the evaluator (`re`, `os`, `sys`, …).
#[derive(Debug)]
pub struct StdModule {
    /// Dotted module name.
    pub name: &'static str,
}

pub use super::re::ReObj;

/// A Python value. Cheap to clone (reference-counted).
///
/// `Value` implements `Drop` so that very deep structures are freed without recursion:
/// match on it by reference (`Value::Str(s) => s.clone()`), not by move.
#[derive(Clone, Debug)]
pub enum Value {
    /// `None`.
    None,
    /// `True` / `False`.
    Bool(bool),
    /// An integer (64-bit; overflow is an error).
    Int(i64),
    /// A float.
    Float(f64),
    /// A string (bytes literals are strings too).
    Str(Rc<str>),
    /// A list.
    List(Rc<RefCell<Vec<Value>>>),
    /// A tuple.
    Tuple(Rc<[Value]>),
    /// A dict (insertion-ordered).
    Dict(Rc<RefCell<Dict>>),
    /// A set (insertion-ordered; values are `None`).
    Set(Rc<RefCell<Dict>>),
    /// `range(start, stop, step)`.
    Range(i64, i64, i64),
    /// An iterator (generator expressions, `iter()`, `map`, …), materialised.
    Iter(Rc<RefCell<std::vec::IntoIter<Value>>>),
    /// A `def` or `lambda`.
    Function(Rc<Function>),
    /// A builtin function, by name (`len`, `re.sub`, …).
    Builtin(&'static str),
    /// A method bound to its receiver (`"x".join`, `l.append`).
    Method(Rc<(Value, Rc<str>)>),
    /// A module.
    Module(Rc<StdModule>),
    /// A regex pattern or match.
    Re(Rc<ReObj>),
    /// A value of the host.
    Host(Rc<dyn HostValue>),
    /// Something the evaluator cannot know: every operation on it yields `Unknown`.
    Unknown(Rc<str>),
}

impl Value {
    /// A new string value.
    pub fn str(s: &str) -> Value {
        Value::Str(Rc::from(s))
    }
    /// A new list value.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(RefCell::new(items)))
    }
    /// A new tuple value.
    pub fn tuple(items: Vec<Value>) -> Value {
        Value::Tuple(Rc::from(items))
    }
    /// The text of a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    /// The integer value of an int or bool.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Bool(b) => Some(i64::from(*b)),
            _ => None,
        }
    }
    /// The items of a list or tuple.
    pub fn as_list_items(&self) -> Option<Vec<Value>> {
        match self {
            Value::List(l) => Some(l.borrow().clone()),
            Value::Tuple(t) => Some(t.to_vec()),
            _ => None,
        }
    }
    /// Whether this is `Unknown`.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown(_))
    }
    /// Python truthiness (`Unknown` is false).
    pub fn truthy(&self) -> bool {
        match self {
            Value::None | Value::Unknown(_) => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::List(l) => !l.borrow().is_empty(),
            Value::Tuple(t) => !t.is_empty(),
            Value::Dict(d) | Value::Set(d) => !d.borrow().is_empty(),
            Value::Range(a, b, s) => range_len(*a, *b, *s) > 0,
            Value::Host(h) => h.truthy(),
            _ => true,
        }
    }
    /// The Python type name.
    pub fn type_name(&self) -> &str {
        match self {
            Value::None => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::List(_) => "list",
            Value::Tuple(_) => "tuple",
            Value::Dict(_) => "dict",
            Value::Set(_) => "set",
            Value::Range(..) => "range",
            Value::Iter(_) => "iterator",
            Value::Function(_) => "function",
            Value::Builtin(_) => "builtin_function_or_method",
            Value::Method(_) => "method",
            Value::Module(_) => "module",
            Value::Re(r) => match **r {
                ReObj::Pattern(_) => "re.Pattern",
                ReObj::Match(_) => "re.Match",
            },
            Value::Host(h) => h.type_name(),
            Value::Unknown(_) => "unknown",
        }
    }
    /// `repr(self)`.
    pub fn repr(&self) -> String {
        let mut s = String::new();
        super::ops::write_repr(&mut s, self, 0);
        s
    }
    /// `str(self)`.
    pub fn py_str(&self) -> String {
        match self {
            Value::Str(s) => s.to_string(),
            Value::Unknown(n) => format!("<{n}>"),
            _ => self.repr(),
        }
    }
    /// The dict/set key of this value, or a `TypeError` message.
    pub fn hkey(&self) -> Result<HKey, String> {
        self.hkey_in(0, &mut 100_000)
    }

    fn hkey_in(&self, depth: u32, budget: &mut u32) -> Result<HKey, String> {
        *budget = budget.saturating_sub(1);
        if depth > 100 || *budget == 0 {
            return Err("RecursionError: key nested too deeply".into());
        }
        Ok(match self {
            Value::None => HKey::None,
            Value::Bool(b) => HKey::Int(i64::from(*b)),
            Value::Int(i) => HKey::Int(*i),
            Value::Float(f) => {
                if f.fract() == 0.0 && f.abs() < 9.0e18 {
                    HKey::Int(*f as i64)
                } else {
                    HKey::Float(f.to_bits())
                }
            }
            Value::Str(s) => HKey::Str(s.clone()),
            Value::Tuple(t) => HKey::Tuple(
                t.iter()
                    .map(|v| v.hkey_in(depth + 1, budget))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Unknown(n) => HKey::Unknown(n.clone()),
            Value::List(_) | Value::Dict(_) | Value::Set(_) => {
                return Err(format!(
                    "TypeError: unhashable type: '{}'",
                    self.type_name()
                ));
            }
            Value::Function(f) => HKey::Ptr(Rc::as_ptr(f) as *const u8 as usize),
            Value::Host(h) => HKey::Ptr(Rc::as_ptr(h) as *const u8 as usize),
            Value::Builtin(b) => HKey::Str(Rc::from(format!("<builtin {b}>"))),
            Value::Range(a, b, c) => HKey::Tuple(vec![HKey::Int(*a), HKey::Int(*b), HKey::Int(*c)]),
            _ => HKey::Ptr(0),
        })
    }
}

/// Number of items in `range(a, b, s)`.
pub fn range_len(a: i64, b: i64, s: i64) -> i64 {
    let (a, b, s) = (i128::from(a), i128::from(b), i128::from(s));
    let n = if s > 0 && a < b {
        (b - a + s - 1) / s
    } else if s < 0 && a > b {
        (a - b - s - 1) / -s
    } else {
        0
    };
    i64::try_from(n).unwrap_or(i64::MAX)
}

thread_local! {
    static DROPPING: Cell<bool> = const { Cell::new(false) };
    static PENDING: RefCell<Vec<Value>> = const { RefCell::new(Vec::new()) };
}

/// Values owned only by `v` (its children), taken out so they can be freed iteratively.
fn take_children(v: &mut Value) -> Vec<Value> {
    match v {
        Value::List(rc) => Rc::get_mut(rc)
            .map(|c| std::mem::take(c.get_mut()))
            .unwrap_or_default(),
        Value::Tuple(rc) => Rc::get_mut(rc)
            .map(|s| {
                s.iter_mut()
                    .map(|x| std::mem::replace(x, Value::None))
                    .collect()
            })
            .unwrap_or_default(),
        Value::Dict(rc) | Value::Set(rc) => Rc::get_mut(rc)
            .map(|c| c.get_mut().take_all())
            .unwrap_or_default(),
        Value::Iter(rc) => Rc::get_mut(rc)
            .map(|c| std::mem::take(c.get_mut()).collect())
            .unwrap_or_default(),
        Value::Method(rc) => Rc::get_mut(rc)
            .map(|m| vec![std::mem::replace(&mut m.0, Value::None)])
            .unwrap_or_default(),
        Value::Function(rc) => match Rc::get_mut(rc) {
            Some(f) => {
                let mut out = std::mem::take(f.defaults.get_mut());
                if let Some(env) = f.env.get_mut().take() {
                    Scope::drain_unique(env, &mut out);
                }
                out
            }
            None => Vec::new(),
        },
        _ => Vec::new(),
    }
}

impl Drop for Value {
    fn drop(&mut self) {
        let kids = take_children(self);
        if kids.is_empty() {
            return;
        }
        if DROPPING.with(Cell::get) {
            PENDING.with(|p| p.borrow_mut().extend(kids));
            return;
        }
        DROPPING.with(|d| d.set(true));
        drop(kids);
        while let Some(v) = PENDING.with(|p| p.borrow_mut().pop()) {
            drop(v);
        }
        DROPPING.with(|d| d.set(false));
    }
}
