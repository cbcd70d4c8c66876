# Output normalisers written with `re` in the styles .T files use, registered
# with normalise_fun/normalise_errmsg_fun and applied to sample outputs after
# the file has run; then the rest of `re` checked on values.

def drop_link_noise(out):
    # a non-raw pattern: '.' unescaped, '\n' a real newline
    return re.sub('Linking [a-z_/]+.so ...\n', '', out)
def drop_thread_ids(s):
    return re.sub(r'[0-9a-f]+: thread started', 'thread started', s)
def hide_address(text):
    return re.sub('segfault at address 0x[0]+',
                  'segfault at address <ADDR>',
                  text)
def strip_bracketed(s):
    return re.sub(r'\s*\[[^\]]*\]', '', s)
def shorten_objects(msg):
    # optional group, character classes holding slashes, a lazy repeat, lookahead
    return re.sub(r"(?:[A-Za-z]:)?[\\/]+(?:[^\\/\s]+[\\/]+)*?([^\\/\s]+?)\.o\b", r"<\1.o>",
                  re.sub(r"build\s(\d+(?:\.\d+)*)(?=\))", "build N", msg))
def elide_search_path(out):
    out = re.sub(r"^search path:\s+.+$", "search path: <elided>", out, flags=re.MULTILINE)
    out = re.sub(r"^\s+-\s[A-Za-z]:.*$", "", out, flags=re.M)
    return out
def hide_spans(s):
    return re.sub(r'\(\d+,\d+\)-\(\d+,\d+\)', '(span)', s)
def drop_labels(s):
    return re.sub('label = "\\w*";?', '', s)
def library_names(s):
    found = []
    for line in s.splitlines():
        lib = re.search(r'(lib[a-z]+)\.so', line)
        if lib:
            found.append(lib.group(1))
        else:
            found.append('-')
    return ','.join(found)
def squeeze_prose(s):
    return '\n'.join(l if re.match(r'\s*>', l) else ' '.join(l.split())
                     for l in s.split('\n'))
def unnumber(s):
    return re.sub(r'([A-Z][a-z]*)_[0-9]+', r'\1', s)
def unversion_tarballs(s):
    return re.sub(r'-v[0-9.]+\.tar', '-v<N>.tar', s)
def drop_chatter(msg):
    return re.sub(r"note: retrying.*\n", r"",
                  re.sub(r"warning: [^ ]* is deprecated.*\n", "",
                         re.sub(r".* took \d+ms\n", r"", msg)))
def sort_tagged_runs(text):
    import itertools
    tag = "[plugin] "
    runs = itertools.groupby(text.split('\n'), lambda l: l.startswith(tag))
    return "\n".join([l for tagged, ls in runs for l in (sorted(ls) if tagged else ls)])

normalise_errmsg_fun(drop_link_noise, drop_thread_ids, hide_address, strip_bracketed,
                     shorten_objects, elide_search_path, hide_spans)
normalise_fun(drop_labels, library_names, squeeze_prose, unnumber, unversion_tarballs,
              drop_chatter, sort_tagged_runs)
# a capture group inside a negative lookbehind, a non-ASCII alternative
normalise_fun(lambda s: re.sub(r"(?<!(«|'))\.", '·', s).replace('··', '…'))

# helpers of the same file used from lambdas, compiled patterns, replacement
# functions, backreferences, flags
PKG = re.compile(r'(?P<pkg>[a-z][a-z-]*)-(?P<ver>\d+(?:\.\d+)*)')
def mark_version(m):
    return m.group('pkg') + '-<' + m.group(2).replace('.', '_') + '>'
normalise_fun(lambda s: PKG.sub(mark_version, s),
              lambda s: re.sub(r'(\w+)@(\w+)', r'\g<2>@\1', s, count=1),
              lambda s: re.sub(r'^', '> ', s, flags=re.M),
              lambda s: re.sub(r'x*', '-', s),
              lambda s: re.sub(r'\s+$', '', s),
              lambda s: re.sub(r'(?i)error', 'E', s),
              lambda s: re.sub(r'begin.*?end', '[]', s, flags=re.DOTALL),
              lambda s: re.sub(r'(a)(b)?', lambda m: m.group(2) or 'NO', s),
              lambda s: '|'.join(re.split(r'\s*[:,]\s*', s)))

samples('', 'a1b22',
        'Linking dist/libfoo.so ...\nok\n',
        '7f3a: thread started\n0: thread started x',
        'segfault at address 0x0000000',
        'error [in module Main] here   [and [nested] there]',
        'ld: C:\\work\\obj\\Main.o: duplicate symbol (build 1.2.3)',
        'search path:\n   /usr/lib\n   - C:\\lib\nnext',
        'A.hs:(1,2)-(3,4): error\nB.hs:(10,1)-(10,9):',
        'label = "foo_bar"; x',
        'libbase.so loaded\nplain line\n',
        ' >  quoted   text\n  many   spaces   here  ',
        'Var_12 Type_3 x_1 Name',
        'pkg-v1.2.3.tar.gz',
        'compile took 12ms\nwarning: -fx is deprecated here\nkept\nnote: retrying now\n',
        '[plugin] b\n[plugin] a\nother\n[plugin] d\n[plugin] c',
        "end. of 'quoted.' and «x.» text..",
        'base-4.19.1 and text-2.0 and containers',
        'user@host other@thing',
        'line one\nline two\n',
        'abxd', 'trailing   \n', 'An ERROR, error and Error',
        'begin\nmiddle\nend begin x end', 'ab a ac',
        'one: two,three , four')

# re on values
check(re.sub(r'\d+', 'N', 'a1b22c333', 2))
check(re.subn(r'o', '0', 'foo boo'))
check(re.findall(r'\d+', 'a1b22c333'))
check(re.findall(r'(\w)=(\d)', 'a=1, b=2, c=x'))
check(re.findall(r'x*', 'axxb'))
check(re.split(r'x*', 'axbc'))
check(re.split(r'(,)\s*', 'a, b,c'))
check(re.split(r'\b', 'a b'))
check(re.split(',', 'a,b,c', maxsplit=1))
check(re.escape('a.b*c (d) [e] $1 ~x & #y z-w'))
check(re.sub(re.escape('1+1=2'), 'math', 'is 1+1=2?'))
m = re.search(r'(?P<key>\w+)=(?P<val>\w*)', '-- opt=value rest')
check([m.group(), m.group(0), m.group(1, 2), m.group('val'), m['key'], m[2]])
check([m.groups(), m.groupdict(), m.start(), m.end(), m.span(), m.span('val'), m.start(2)])
check([m.string, m.lastindex, m.lastgroup, m.re.pattern, m.pos, m.endpos])
check(m.expand(r'\g<val>:\1'))
check(re.match(r'\d+', 'abc 123'))
check(re.match(r'a|ab', 'abc').group())
check(re.fullmatch(r'a|ab', 'ab').group())
check(re.fullmatch(r'\w+', 'ab c'))
check(re.search(r'x', 'abc') is None)
check(re.search(r'(a)(b)?', 'ac').groups())
check(re.search(r'(a)(b)?', 'ac').groups('-'))
check(re.search(r'c$', 'abc\n') is not None)
check(re.search(r'c\Z', 'abc\n') is not None)
check(re.findall(r'^\w', 'ab\ncd\n', re.M))
check(re.findall(r'\w$', 'ab\ncd\n', re.MULTILINE))
check(re.findall(r'.', 'a\nb', re.S))
check(re.findall(r'A', 'aAa', re.IGNORECASE | re.M))
check(re.sub(r'''(\d+) # digits
                   \s* (?:px)? # optional unit''', r'<\1>', '10 px 20px 30', flags=re.VERBOSE))
check(re.sub(r'(\w)\1', r'[\1\1]', 'aabbcd'))
check(re.sub(r'(?<=a)b', 'B', 'ab cb ab'))
check(re.sub(r'b(?!c)', 'B', 'bc bd'))
check(re.sub(r'(?P<x>a)(?P=x)', 'AA', 'aaa'))
check(re.sub(r'a{2}|c{,2}|d{1,}', '_', 'aaa cc ddd {x}'))
check(re.sub(r'[^\w\s]', '', 'a-b_c d!e'))
check(re.sub(r'[\]\[]', '|', 'a[b]c'))
check(re.sub('é', 'e', 'café é'))
check(re.sub(r'\.', '\\\\', 'a.b'))
check(re.sub(r'x', r'\n\t|', 'axb'))
check(re.sub('', '-', 'abc'))
check(re.sub(r'(?m)^$', 'EMPTY', 'a\n\nb'))
p = re.compile(r'(\d+)-(\d+)', re.I)
check([p.pattern, p.groups, p.flags & re.I != 0, p.flags])
check(p.sub(lambda m: str(int(m.group(1)) + int(m.group(2))), '1-2 and 30-40'))
check(p.findall('1-2 3-4'))
check(p.search('x 5-6 y').span())
check(p.match('5-6').group(2))
check(p.split('a1-2b'))
check([m.group() for m in re.finditer(r'\w+', 'one two three')])
check(re.compile(r'a+').search('baaa', 2).group())
check(repr(re.compile(r'\d+')))
check(repr(re.compile('a', re.M | re.I)))
check(repr(re.search(r'b+', 'abbbc')))
for bad in ['(', '[a-', 'a)', '\\h', '*a', '(?P<1>x)', 'a**', 'x{3,2}', 'a(?i)', '(?(2)a)']:
    try:
        re.compile(bad)
        check('compiled ' + bad)
    except Exception:
        check('error ' + bad)
try:
    re.sub('(a)', r'\2', 'a')
    check('no error')
except Exception:
    check('bad group reference')
