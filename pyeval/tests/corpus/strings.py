# str methods the normalisers and setup code call.

out = 'Foo.hs:3:5: error:\n    Variable not in scope: x\n  |\n3 | y = x\n  |     ^\n'
lines = out.splitlines()
check(lines)
check('a\r\nb\rc\n\nd'.splitlines())
check('\n'.join(sorted(lines)))
check(out.split('\n'))
check(out.split())
check('  a  b  '.split(' '))
check('a,b,,c'.split(',', 1))
check('a b c d'.rsplit(None, 1))
check('a.b.c'.rsplit('.', 1))
check(' x '.strip() + '|' + ' x '.lstrip() + '|' + ' x '.rstrip() + '|')
check('xxhixx'.strip('x') + '|' + '--opt'.lstrip('-') + '|' + 'path///'.rstrip('/'))
check([out.startswith('Foo'), out.startswith(('Bar', 'Foo')), out.endswith('^\n'), 'abc'.startswith('b', 1)])
check(out.replace('Foo', 'Bar').replace('\n', '|'))
check('aaaa'.replace('a', 'b', 2))
check(['spawnvp failed'.replace('spawnvp', 'run').replace('fork', 'run')])
check([out.find('error'), out.find('nope'), out.rfind('|'), out.index('x'), out.count('|'), 'aaa'.count('aa')])
check(['Hello World'.upper(), 'Hello World'.lower(), 'hello world'.title(), 'hELLO'.capitalize(), 'Hello'.swapcase()])
check(['key=value=x'.partition('='), 'key=value=x'.rpartition('='), 'none'.partition('=')])
check(['42'.zfill(5), '-42'.zfill(5), 'ab'.ljust(5, '.'), 'ab'.rjust(5), 'ab'.center(6, '*')])
check(['123'.isdigit(), 'abc'.isalpha(), 'a1'.isalnum(), ' \t'.isspace(), 'abc'.islower(), 'ABC'.isupper(), ''.isdigit()])
check(['ghc-9.8.1'.removeprefix('ghc-'), 'file.hs'.removesuffix('.hs'), 'file.hs'.removesuffix('.lhs')])
check('-'.join(['a', 'b', 'c']) + ''.join([]) + ', '.join('xyz'))
check(' '.join(w for w in '  many   spaces here '.split()))
check([len('héllo'), 'héllo'[1], 'héllo'[::-1], 'é' in 'héllo', ord('é'), chr(233)])
check(['ab' * 3, 3 * 'c', 'x' + 'y', 'a' < 'b', 'abc' == 'abc', 'a' != 'b'])
check(str(42) + str(1.5) + str([1]))
check('T%d' % 7 + '{}'.format(8) + f'{9}')
check(['a\tb'.expandtabs(4), 'a\tb'.expandtabs()])

def up_to_marker(msg):
    return msg[0:msg.find('--- end ---')]
def lines_naming_main(s):
    kept = ""
    for line in s.splitlines():
        if 'Main' in line:
            kept += line
            kept += "\n"
    return kept
def values_after_keys(x):
    ls = x.split("\n")
    vals = (v.strip() for (k, v) in zip(ls, ls[1:])
            if k.strip().startswith("key:"))
    return ';'.join(vals)
def sorted_lines(text):
    return '\n'.join(sorted(text.splitlines()))
normalise_errmsg_fun(up_to_marker, lines_naming_main)
normalise_fun(values_after_keys, sorted_lines, lambda s: s.replace('spawn', 'exec'))
samples('', 'plain text', 'Main here\nnot here\nMain again',
        'header\n--- end ---\nrest',
        ' key: a\n  value1 \nother\nkey:b\n value2',
        'c\nb\na\n', 'spawn: failed')
