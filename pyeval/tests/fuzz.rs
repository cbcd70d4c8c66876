//! Fuzzing the `.T` evaluator: arbitrary text, Python-ish token soup and mutated
//! snippets must never panic, hang or overflow the stack.
//!
//! The default case count keeps this to a few seconds. Run it longer with
//! `PROPTEST_CASES=100000 cargo test -p xharness-pyeval --test fuzz`.

use proptest::prelude::*;

#[path = "../fuzz/host.rs"]
mod host;

use host::run;

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

/// Pieces of Python regular expressions and replacement templates.
const RE_TOKENS: &[&str] = &[
    "(", ")", "[", "]", "[^", "\\", "a", "b", "é", "*", "+", "?", "*?", "{2,}", "{,3}", "{", "}",
    "|", "^", "$", ".", "-", " ", "#", "\n", "&&", "--", "~~", "\\d", "\\w", "\\s", "\\b", "\\Z",
    "\\A", "\\1", "\\2", "\\0", "\\x4", "\\u00e9", "\\g<1>", "\\g<n>", "(?P<n>", "(?P=n)", "(?<=",
    "(?<!", "(?=", "(?!", "(?:", "(?#", "(?i)", "(?x)", "(?m:", "(?(1)",
];

fn fuzz_re_program(pat: &str, repl: &str, text: &str, flags: u8) -> String {
    let lit = |s: &str| pyeval::Value::str(s).repr();
    let (p, r, t) = (lit(pat), lit(repl), lit(text));
    let f = i64::from(flags) & (2 | 8 | 16 | 64 | 256);
    format!(
        "import re\nr = re.sub({p}, {r}, {t}, flags={f})\nr = re.findall({p}, {t}, {f})\n\
         r = re.split({p}, {t}, 2, {f})\nr = re.sub({p}, lambda m: m.group(0) + str(m.span()), {t})\n\
         r = re.fullmatch({p}, {t}, {f})\nr = re.compile({p}).search({t}, 1)\n"
    )
}

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
    fn regular_expressions(
        pat in proptest::collection::vec(prop::sample::select(RE_TOKENS), 0..12),
        repl in proptest::collection::vec(prop::sample::select(RE_TOKENS), 0..4),
        text in "[ab\n é\\\\-]{0,20}",
        flags in any::<u8>(),
    ) {
        run(&fuzz_re_program(&pat.concat(), &repl.concat(), &text, flags));
    }

    #[test]
    fn mutated_snippets(
        picks in proptest::collection::vec(prop::sample::select(SNIPPETS), 1..5),
        ops in proptest::collection::vec((any::<u8>(), any::<usize>(), prop::sample::select(TOKENS).prop_map(String::from)), 0..12),
    ) {
        run(&mutate(&picks.concat(), &ops));
    }
}
