//! Fuzzing the `.T` evaluator: arbitrary text, Python-ish token soup and mutated
//! snippets must never panic, hang or overflow the stack.
//!
//! The default case count keeps this to a few seconds. Run it longer with
//! `PROPTEST_CASES=100000 cargo test -p xharness-suites --test py_fuzz`.

use std::rc::Rc;

use proptest::prelude::*;
use xharness_suites::ghc::py::{Host, HostValue, Interp, Limits, Value, run_file};

#[derive(Debug)]
struct Fun;

impl HostValue for Fun {
    fn type_name(&self) -> &str {
        "fun"
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// A host like the GHC one: a few host functions that call back callables they get.
struct FuzzHost;

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
fn limits() -> Limits {
    Limits {
        max_steps: 20_000,
        max_depth: 200,
        max_len: 1 << 16,
    }
}

fn run(src: &str) {
    let w = run_file(src, &mut FuzzHost, &limits());
    let lines = src.lines().count() as u32 + 2;
    assert!(w.iter().all(|w| w.line >= 1 && w.line <= lines), "{w:?}");
}

const TOKENS: &[&str] = &[
    "test",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    "=",
    "+",
    "-",
    "*",
    "**",
    "/",
    "//",
    "%",
    ".",
    "lambda",
    "def",
    "f",
    "x",
    "y",
    "return",
    "if",
    "else",
    "elif",
    "for",
    "in",
    "while",
    "True",
    "None",
    "not",
    "and",
    "or",
    "try",
    "except",
    "finally",
    "raise",
    "pass",
    "break",
    "continue",
    "global",
    "nonlocal",
    "del",
    "import",
    "from",
    "re",
    "class",
    "with",
    "as",
    "async",
    "await",
    "yield",
    "'s'",
    "\"%s\"",
    "f'{x}'",
    "'{}'.format",
    "1",
    "0",
    "-1",
    "10**9",
    "1.5",
    "\n",
    "\n    ",
    "\n\t",
    "\\\n",
    "#c\n",
    "'''",
    "\"",
    "'",
    "*x",
    "**kw",
    "range",
    "len",
    "sorted",
    "re.sub",
    "nameerror",
    "config.x",
    ";",
    "@",
    "->",
    ":=",
    "is",
    "[x for x in range(9)]",
    "while True: pass\n",
    "x += 1",
    "x = [x]",
    "(x, x)",
];

const SNIPPETS: &[&str] = &[
    "test('T1', normal, compile, [''])\n",
    "def f(a, b=2, *c, d, **e):\n    return test(a, [when(x, y)], c, e)\nf(1, d=3)\n",
    "for (a, b) in zip('ab', range(2)):\n\ttest(a + str(b), extra_files(['x']), compile, ['-O%d' % b])\n",
    "x = f'{1:>{3}}' + '{0[1]}'.format([1, 2]) + '%(k)s' % {'k': 1}\n",
    "config.x += [lambda s: re.sub(r'\\d+', '', s)]\n",
    "try:\n    raise Exception('e')\nexcept Exception as e:\n    test(e)\nfinally:\n    pass\n",
    "x = {k: [v for v in range(k)] for k in range(4) if k}\nwhile x:\n    x.popitem()\n",
];

fn mutate(src: &str, ops: &[(u8, usize, String)]) -> String {
    let mut s: Vec<char> = src.chars().collect();
    for (op, pos, text) in ops {
        let at = if s.is_empty() { 0 } else { pos % (s.len() + 1) };
        match op % 4 {
            0 => s.splice(at..at, text.chars()).for_each(drop),
            1 if at < s.len() => drop(s.remove(at)),
            2 => {
                let copy: Vec<char> = s.iter().skip(at).take(40).copied().collect();
                s.splice(at..at, copy).for_each(drop);
            }
            _ => s.truncate(at.max(s.len() / 2)),
        }
    }
    s.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text(src in "\\PC*") {
        run(&src);
    }

    #[test]
    fn arbitrary_bytes_as_text(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        run(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn token_soup(toks in proptest::collection::vec(prop::sample::select(TOKENS), 0..120)) {
        let mut src = String::new();
        for t in toks {
            src.push_str(t);
            src.push(' ');
        }
        run(&src);
    }

    #[test]
    fn mutated_snippets(
        picks in proptest::collection::vec(prop::sample::select(SNIPPETS), 1..5),
        ops in proptest::collection::vec((any::<u8>(), any::<usize>(), prop::sample::select(TOKENS).prop_map(String::from)), 0..12),
    ) {
        run(&mutate(&picks.concat(), &ops));
    }
}
