# Every pattern against every text, with each flag, through the main `re`
# entry points: a compact sweep of Python's regex semantics (anchors, empty
# matches, classes, escapes, groups, lookaround, back-references, repeats).

PATTERNS = [
    '', 'a', 'a*', 'a*?', 'x*', '(a)|b', '(a)(b)?', '(?P<n>a)(?P=n)?', r'(\w)\1',
    '^', '$', '^$', r'\A', r'\Z', r'\b', r'\B', r'^\s*', r'\s*$', r'(?m)^\w', r'\w$',
    '.', '.+?', '.*', r'[^\n]+', '[a-c]+', '[^ab]', '[]a]', r'[\]\\]', r'[\w-]+', '[a-]', r'[\d\s]',
    r'\d+', r'\D', r'\S+', r'\W', 'A', '(?i:A)b', 'É', 'ß',
    '(?<=a)b', '(?<!b)a', 'a(?=b)', 'a(?!b)', '(?=a)*b', '(?<!b){2}a',
    'a{2}', 'a{,2}', 'a{1,}?', '(ab|a)(c|bcd)', '(a|ab)(c|bcd)(d*)', '(?(1)b|c)(a)?',
    r'\x41|\u00e9|\101', '(?x) a  b # comment', '[.]', r'\.', '-', r'\-', '{', '{x}', '(?s:.)',
    r'(?:ab)+', r'(a+)+$',
]
TEXTS = ['', 'a', 'ab', 'ba\n', 'aab\nb', ' a b ', 'abc\nabc\n', 'a]b[c\\', 'AbÉé-1', 'STRASSE straße', '12 ab\n\n3', 'abcd']

for p in PATTERNS:
    for f in [0, 2, 8, 16]:
        try:
            r = re.compile(p, f)
        except Exception:
            check(['error', p, f])
            continue
        for t in TEXTS:
            m = r.match(t)
            s = r.search(t)
            check([p, f, t, r.findall(t), r.sub('<\\g<0>>', t), r.split(t),
                   m and m.span(), s and (s.span(), s.groups()), r.fullmatch(t) is not None])
