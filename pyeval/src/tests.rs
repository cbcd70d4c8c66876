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
                let c = self
                    .config
                    .get_or_insert_with(|| Rc::new(Obj("config", RefCell::new(Vec::new()))));
                Some(Value::Host(c.clone()))
            }
            "test" | "normal" | "compile" | "store" | "call_it" | "when" => {
                Some(Value::Host(Rc::new(Obj(
                    match name {
                        "test" => "test",
                        "store" => "store",
                        "call_it" => "call_it",
                        "when" => "when",
                        "compile" => "compile",
                        _ => "normal",
                    },
                    RefCell::new(Vec::new()),
                ))))
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
        let Some(o) = obj.as_any().downcast_ref::<Obj>() else {
            return Err("bad host".into());
        };
        let v =
            o.1.borrow()
                .iter()
                .rev()
                .find(|kv| kv.0 == attr)
                .map(|kv| kv.1.clone());
        Ok(v.unwrap_or_else(|| Value::list(Vec::new())))
    }

    fn set_attr(
        &mut self,
        obj: &Rc<dyn HostValue>,
        attr: &str,
        value: Value,
    ) -> Result<(), String> {
        let Some(o) = obj.as_any().downcast_ref::<Obj>() else {
            return Err("bad host".into());
        };
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
    assert_eq!(
        tests_of("test('T1', normal, compile, [''])\n"),
        vec!["'T1' <normal> <compile> ['']"]
    );
}

/// The single test's arguments, evaluating `expr` as the second argument.
fn value_of(expr: &str) -> String {
    let t = tests_of(&format!("test('x', ({expr}))\n"));
    assert_eq!(t.len(), 1, "{t:?}");
    t[0].strip_prefix("'x' ").unwrap_or(&t[0]).to_string()
}

#[test]
fn literals_and_arithmetic() {
    assert_eq!(value_of("0x1f + 0o17 + 0b11 + 1_000"), "1049");
    assert_eq!(
        value_of("7 // -2, 7 % -2, -7 // 2, 2 ** 10, 2 ** -1, 7 / 2"),
        "(-4, -1, -4, 1024, 0.5, 3.5)"
    );
    assert_eq!(
        value_of("1e20, 1.5e-5, 0.1 + 0.2, -(3), ~5, +2"),
        "(1e+20, 1.5e-05, 0.30000000000000004, -3, -6, 2)"
    );
    assert_eq!(
        value_of(r#"'a' 'b' "c", r'\n', '\x41\u00e9\n', b'x', u'y'"#),
        r"('abc', '\\n', 'Aé\n', 'x', 'y')"
    );
    assert_eq!(value_of("'''multi\nline'''"), r"'multi\nline'");
    assert_eq!(
        value_of("'ab' * 3, [1] * 2, (1,) + (2,), [1] + [2]"),
        "('ababab', [1, 1], (1, 2), [1, 2])"
    );
}

#[test]
fn overflow_is_a_warning() {
    let (t, w) = run("x = 9223372036854775807 + 1\ntest('after')\n");
    assert_eq!(t, vec!["'after'"]);
    assert_eq!(w.len(), 1);
    assert!(w[0].message.contains("OverflowError"), "{w:?}");
    assert_eq!(w[0].line, 1);
}

#[test]
fn strings_and_formatting() {
    assert_eq!(
        value_of("'%s-%d-%i-%r-%x-%o-%5.2f-%-4s|-%%' % ('a', 3, 4, 'q', 255, 8, 3.14159, 'z')"),
        r#""a-3-4-'q'-ff-10- 3.14-z   |-%""#
    );
    assert_eq!(value_of("'%(a)s=%(b)03d' % {'a': 'k', 'b': 7}"), "'k=007'");
    assert_eq!(
        value_of(
            "'{} {1} {0} {name} {x[1]} {d[k]}'.format('a', 'b', name='n', x=[5, 6], d={'k': 'v'})"
        ),
        "'a b a n 6 v'"
    );
    assert_eq!(
        value_of(
            "'{:>5}|{:03d}|{:<4}|{:^5}|{:.2f}|{:,}|{!r}'.format('ab', 7, 'c', 'm', 2.5, 1234567, 's')"
        ),
        r#""   ab|007|c   |  m  |2.50|1,234,567|'s'""#
    );
    assert_eq!(
        value_of(r#"f'{1+1}-{"x"!r}-{3.14159:.3f}-{42:>6}-{{lit}}-{[1,2][0]}'"#),
        r#""2-'x'-3.142-    42-{lit}-1""#
    );
    assert_eq!(value_of("f'{7:0{2+1}d}'"), "'007'");
    assert_eq!(
        value_of(
            "' a b '.split(), 'a,b,,c'.split(','), 'a b c'.split(None, 1), 'a.b.c'.rsplit('.', 1)"
        ),
        "(['a', 'b'], ['a', 'b', '', 'c'], ['a', 'b c'], ['a.b', 'c'])"
    );
    assert_eq!(
        value_of(
            "'-'.join(['a', 'b']), ' x '.strip(), 'xxhixx'.strip('x'), 'abc'.replace('b', 'B'), 'Ab'.lower(), 'Ab'.upper()"
        ),
        "('a-b', 'x', 'hi', 'aBc', 'ab', 'AB')"
    );
    assert_eq!(
        value_of(
            "'abc'.startswith(('x', 'a')), 'abc'.endswith('bc'), 'abcb'.find('b'), 'abcb'.rfind('b'), 'abcb'.count('b'), 'a\\nb'.splitlines(), 'k=v'.partition('='), '12'.isdigit()"
        ),
        "(True, True, 1, 3, 2, ['a', 'b'], ('k', '=', 'v'), True)"
    );
    assert_eq!(
        value_of(
            "'hello'[1], 'hello'[-1], 'hello'[1:3], 'hello'[::-1], [0,1,2,3,4][::2], (1,2,3)[-2:]"
        ),
        "('e', 'o', 'el', 'olleh', [0, 2, 4], (2, 3))"
    );
}

#[test]
fn collections_and_comprehensions() {
    assert_eq!(
        value_of("[x * 2 for x in range(5) if x % 2 == 0]"),
        "[0, 4, 8]"
    );
    assert_eq!(
        value_of("[(a, b) for a in 'ab' for b in range(2) if b]"),
        "[('a', 1), ('b', 1)]"
    );
    assert_eq!(
        value_of("{k: v for k, v in [('a', 1), ('b', 2)]}"),
        "{'a': 1, 'b': 2}"
    );
    assert_eq!(value_of("sorted({x % 3 for x in range(10)})"), "[0, 1, 2]");
    assert_eq!(
        value_of(
            "list(x + 1 for x in (1, 2)), sum(x for x in range(4)), any(x > 2 for x in [1, 3])"
        ),
        "([2, 3], 6, True)"
    );
    assert_eq!(
        value_of("[*[1, 2], *(3,)], {**{'a': 1}, 'b': 2}, {1, 2} | {3}"),
        "([1, 2, 3], {'a': 1, 'b': 2}, {1, 2, 3})"
    );
    assert_eq!(
        value_of("sorted(['b', 'a', 'C'], key=lambda s: s.lower(), reverse=True)"),
        "['C', 'b', 'a']"
    );
    assert_eq!(
        value_of(
            "list(enumerate('ab', 1)), list(zip([1, 2], 'xy')), list(map(str, [1])), list(filter(None, [0, 1]))"
        ),
        "([(1, 'a'), (2, 'b')], [(1, 'x'), (2, 'y')], ['1'], [1])"
    );
    assert_eq!(
        value_of(
            "min(3, 1, 2), max([1, 5]), len('abc'), abs(-2), int('42'), str(5), bool([]), isinstance('x', str), isinstance(1, (str, int))"
        ),
        "(1, 5, 3, 2, 42, '5', False, True, True)"
    );
    assert_eq!(
        value_of(
            "1 < 2 < 3, 1 < 3 < 2, 'a' in 'cat', 3 not in [1], None is None, [] is not None, 0 or 'x', 1 and 2, not 0"
        ),
        "(True, False, True, True, True, True, 'x', 2, True)"
    );
    assert_eq!(
        value_of(
            "'y' if 0 else 'n', {'a': 1}.get('b', 9), list({'a': 1}.items()), dict(a=1), tuple([1]), repr(None)"
        ),
        "('n', 9, [('a', 1)], {'a': 1}, (1,), 'None')"
    );
}

#[test]
fn statements() {
    let src = "\
a, (b, c) = 1, (2, 3)
for (x, y) in [(1, 2)]:
    z = x + y
first, *rest = [1, 2, 3]
p = q = 5
l = [0, 0]
l[0] += 4
d = {}
d['k'] = 'v'
d.setdefault('n', []).append(1)
i = 0
while True:
    i += 1
    if i == 3:
        break
    elif i == 1:
        continue
    else:
        pass
else:
    i = 100
for n in range(3):
    pass
else:
    n = 'done'
del d['k']
try:
    undefined_name
    t = 'no'
except NameError:
    t = 'caught'
else:
    t = 'else'
finally:
    u = 'fin'
test(a, b, c, z, first, rest, p, q, l, d, i, n, t, u)
";
    assert_eq!(
        tests_of(src),
        vec!["1 2 3 3 1 [2, 3] 5 5 [4, 0] {'n': [1]} 3 'done' 'caught' 'fin'"]
    );
}

#[test]
fn functions_closures_and_defaults() {
    let src = "\
def outer(n, *args, k=2, **kw):
    total = 0
    def inner(m):
        nonlocal total
        total += m
        return total
    inner(n)
    inner(k)
    return (total, args, kw)
counter = 0
def bump():
    global counter
    counter += 1
bump(); bump()
adders = [lambda x, i=i: x + i for i in range(3)]
def deco(f):
    return lambda *a, **k: 'decorated ' + f(*a, **k)
@deco
def hello(who='world'):
    return 'hi ' + who
test(outer(1, 'a', k=5, z=9), counter, [f(10) for f in adders], hello(), hello(who='you'))
";
    assert_eq!(
        tests_of(src),
        vec!["(6, ('a',), {'z': 9}) 2 [10, 11, 12] 'decorated hi world' 'decorated hi you'"]
    );
}

#[test]
fn def_called_later_and_tests_in_loops_inside_a_function() {
    let src = "\
def mk(name, opts):
    return test(name, opts, compile, [''])
def many(prefix):
    for i in range(3):
        if i == 1:
            continue
        test(prefix + str(i), normal, compile, [])
mk('A', normal)
many('B')
";
    assert_eq!(
        tests_of(src),
        vec![
            "'A' <normal> <compile> ['']",
            "'B0' <normal> <compile> []",
            "'B2' <normal> <compile> []"
        ]
    );
}

#[test]
fn lambdas_are_passed_to_the_host_and_called_back() {
    let mut h = TestHost::default();
    let src = "store(lambda s: s.upper() + '!')\nx = call_it(lambda a: a * 2, 21)\ntest(x)\n";
    let w = run_file(src, &mut h, &Limits::default());
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(h.tests, vec!["42"]);
    let f = h.stored.first().cloned().unwrap_or(Value::None);
    let mut it = Interp::new(Limits::default());
    let r = it.call(&mut h, &f, vec![Value::str("ok")], Vec::new());
    assert_eq!(r.map(|v| v.repr()), Ok("'OK!'".into()));
    assert!(
        it.call(&mut h, &f, vec![Value::Int(1)], Vec::new())
            .is_err()
    );
}

#[test]
fn attributes_on_host_values() {
    let src = "config.x = [1]\nconfig.x += [2]\nconfig.y = 'a'\nconfig.y += 'b'\ntest(config.x, config.y)\n";
    assert_eq!(tests_of(src), vec!["[1, 2] 'ab'"]);
}

#[test]
fn tabs_use_the_eight_column_rule() {
    // The third line is indented by a tab (column 8), the same as 8 spaces.
    let src = "if True:\n        a = 1\n\tb = 2\n  \ttest(a, b)\n";
    assert_eq!(tests_of(src), vec!["1 2"]);
    let (_, w) = run("if True:\n    a = 1\n\tb = 2\n");
    assert_eq!(w.len(), 1, "a tab is not 4 columns: {w:?}");
    let src =
        "if True:\r\n    x = (1 +\r\n  2)\r\n    y = 3 + \\\r\n 4\r\n    test(x, y)  # comment";
    assert_eq!(tests_of(src), vec!["3 7"]);
    assert_eq!(tests_of("\u{feff}test('bom')"), vec!["'bom'"]);
}

#[test]
fn async_def_and_await() {
    let src =
        "async def f(x):\n    return await g(x)\nasync def g(x):\n    return x + 1\ntest(f(1))\n";
    assert_eq!(tests_of(src), vec!["2"]);
}

#[test]
fn syntax_error_keeps_tests_before_and_after() {
    let (t, w) = run("test('a')\nx = (1 +\n    def\ntest('b')\n");
    assert_eq!(t, vec!["'a'", "'b'"]);
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].line, 3);
    assert!(w[0].message.starts_with("syntax error"), "{w:?}");
    let (t, w) = run("test('a')\ns = 'unterminated\ntest('b')\n");
    assert_eq!(t, vec!["'a'", "'b'"]);
    assert_eq!((w.len(), w[0].line), (1, 2), "{w:?}");
}

#[test]
fn unsupported_statement_between_tests() {
    let src = "test('a')\nclass Foo(object):\n    x = 1\n    def m(self):\n        pass\ntest('b')\nwith open('f') as f:\n    pass\n";
    let (t, w) = run(src);
    assert_eq!(t, vec!["'a'", "'b'"]);
    assert_eq!(
        w,
        vec![
            Warning {
                line: 2,
                message: "unsupported statement 'class'".into()
            },
            Warning {
                line: 7,
                message: "unsupported statement 'with'".into()
            },
        ]
    );
}

#[test]
fn runtime_errors_name_the_line() {
    let src = "test('a')\n\nundefined_name(1)\nassert 1 == 2, 'nope'\nraise Exception('boom')\n{}['k']\ntest('b')\n";
    let (t, w) = run(src);
    assert_eq!(t, vec!["'a'", "'b'"]);
    let got: Vec<(u32, &str)> = w.iter().map(|w| (w.line, w.message.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (3, "name 'undefined_name' is not defined"),
            (4, "AssertionError: nope"),
            (5, "raised Exception: boom"),
            (6, "KeyError: 'k'"),
        ]
    );
}

#[test]
fn unknown_propagates_without_warnings() {
    let src = "\
x = mystery.attr(1)[2] + 3
if mystery or x > 1 or 'a' in mystery:
    test('never')
for i in mystery:
    test('never')
a, b = mystery
test(x, str(mystery), f'{mystery}', mystery(1).y, len(mystery), '%s' % mystery, a)
";
    assert_eq!(
        tests_of(src),
        vec!["<mystery> '<mystery>' '<mystery>' <mystery> <mystery> <mystery> <mystery>"]
    );
}

#[test]
fn imports_and_modules() {
    let src = r#"
import re, os.path, sys, string
from itertools import product, chain
import foo.bar as fb
test(re.sub(r'([a-z])[0-9]+', r'\1', 'a12 b3'), re.compile('x+').sub('y', 'axxb'), re.escape('a.b'),
     os.path.join('a', 'b'), os.path.basename('/x/y.hs'), os.path.exists('/'), sys.platform,
     string.ascii_lowercase[:3], list(product('ab', [1])), list(chain([1], [2])), fb.thing,
     re.match(r'(\d+)-', '12-x').group(1), re.search('z', 'abc'))
"#;
    assert_eq!(
        tests_of(src),
        vec![
            r"'a b' 'ayb' 'a\\.b' 'a/b' 'y.hs' False 'linux' 'abc' [('a', 1), ('b', 1)] [1, 2] <foo.bar> '12' None"
        ]
    );
}

#[test]
fn step_limit_stops_infinite_loops() {
    let limits = Limits {
        max_steps: 10_000,
        ..Limits::default()
    };
    let mut h = TestHost::default();
    let w = run_file("test('a')\nwhile True: pass\ntest('b')\n", &mut h, &limits);
    assert_eq!(h.tests, vec!["'a'"]);
    let first = w.first().map(|w| (w.line, w.message.as_str()));
    assert_eq!(
        first,
        Some((2, "step limit reached (possible infinite loop)"))
    );
    let w = run_file("def f(): return f()\nf()\n", &mut h, &Limits::default());
    assert!(
        w.first()
            .is_some_and(|w| w.message.contains("recursion limit")),
        "{w:?}"
    );
}

#[test]
fn size_caps() {
    let (_, w) = run("x = 'a' * 10**12\ny = list(range(10**12))\nz = [0] * 10**9\ntest(1)\n");
    assert_eq!(w.len(), 3, "{w:?}");
    assert!(w.iter().all(|w| w.message.contains("MemoryError")), "{w:?}");
}

/// Run `f` on a thread with the 2 MiB stack of test threads.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    let t = std::thread::Builder::new().stack_size(2 << 20).spawn(f);
    assert!(t.map(|t| t.join().is_ok()).unwrap_or(false));
}

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    on_small_stack(|| {
        for (open, close) in [
            ("(", ")"),
            ("[", "]"),
            ("{", "}"),
            ("f(", ")"),
            ("-", ""),
            ("not ", ""),
        ] {
            let src = format!(
                "x = {}1{}\ntest('after')\n",
                open.repeat(100_000),
                close.repeat(100_000)
            );
            let (t, w) = run(&src);
            assert_eq!(t, vec!["'after'"], "{open}");
            assert_eq!(w.len(), 1, "{open}: {w:?}");
        }
        // Just under the parser's limit: evaluation must fit the stack too.
        let depth = Limits::default().max_depth as usize / 2 - 2;
        for (open, close) in [
            ("[", "]"),
            ("str(", ")"),
            ("(lambda: ", ")()"),
            ("f'{", "}'"),
        ] {
            let src = format!("x = {}1{}\n", open.repeat(depth), close.repeat(depth));
            let (_, w) = run(&src);
            assert!(w.len() <= 1, "{open}: {w:?}");
        }
        // Deep data built in a loop is freed without recursion.
        let (_, w) = run("a = []\nfor i in range(300000):\n    a = [a, (a,), {'k': a}]\n");
        assert!(w.is_empty(), "{w:?}");
        // Shared structures that are exponentially large when expanded.
        let src = "a = [1]\nt = (1,)\nfor i in range(200):\n    a = [a, a]\n    t = (t, t)\n\
                   b = [a, a]\nr = repr(a)\ne = a == b[0]\nf = a == [a[0], [a[0][0], a[1][1]]]\n\
                   g = sorted([a, b])\nd = {t: 1}\n";
        let (_, w) = run(src);
        let lines: Vec<u32> = w.iter().map(|w| w.line).collect();
        assert_eq!(lines, vec![10, 11], "too deep to order or hash: {w:?}");
        let src = "def rec(n):\n    return rec(n + 1) if n < 10000 else n\nrec(0)\nf = None\nfor i in range(100000):\n    f = (lambda g=f: g)\n";
        let (_, w) = run(src);
        assert_eq!(w.len(), 1, "{w:?}");
    });
}

#[test]
fn parse_reports_syntax_errors_in_order_and_run_keeps_them_in_place() {
    let src = "test('a')\nx = )\ntest('b')\ny = (]\ntest(undefined_name)\n";
    let program = parse(src, &Limits::default());
    let syntax: Vec<u32> = program.syntax_errors().map(|w| w.line).collect();
    assert_eq!(syntax, [2, 4]);
    let mut host = TestHost::default();
    let warnings = program.run(&mut host, &Limits::default());
    let lines: Vec<u32> = warnings.iter().map(|w| w.line).collect();
    assert_eq!(lines, [2, 4, 5], "{warnings:?}");
    assert_eq!(host.tests, ["'a'", "'b'"]);
    // The same program runs again, from fresh globals.
    let again = program.run(&mut TestHost::default(), &Limits::default());
    assert_eq!(again, warnings);
}

#[test]
fn a_function_that_its_module_holds_is_freed_after_the_run() {
    let src = "f = lambda: f\nstore(f)\n";
    let mut host = TestHost::default();
    let warnings = run_file(src, &mut host, &Limits::default());
    assert!(warnings.is_empty(), "{warnings:?}");
    let [Value::Function(f)] = host.stored.as_slice() else {
        panic!("stored {:?}", host.stored)
    };
    // The host's copy is the only one left: the module's binding is gone,
    // so the function -> globals -> function cycle is broken.
    assert_eq!(Rc::strong_count(f), 1);
    assert!(f.globals.vars.borrow().is_empty());
}
