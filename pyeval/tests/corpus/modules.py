# The modules .T files import, and async/assert/del oddities they contain.
import os
import os.path
import string
import itertools
from os.path import join as pjoin, basename

check(os.path.join('a', 'b', 'c.hs'))
check(os.path.join('a/', '/abs', 'x'))
check(pjoin('dir', ''))
check([basename('/a/b/c.hs'), os.path.dirname('/a/b/c.hs'), os.path.basename('noslash')])
check([os.path.splitext('dir.x/file.tar.gz'), os.path.splitext('.bashrc'), os.path.splitext('plain')])
check(os.sep + os.path.sep)
check(string.ascii_lowercase[:5] + string.digits)
check(list(itertools.chain([1], (2, 3), 'ab')))
check(list(itertools.product('ab', [1, 2])))
check([(k, list(g)) for k, g in itertools.groupby('aabbbca')])
check([k for k, g in itertools.groupby([1, 3, 2, 4, 5], key=lambda x: x % 2)])
check(list(itertools.combinations([1, 2, 3], 2)))

async def not_run():
    await something()
check('async def is only defined')
assert 1 + 1 == 2, 'arithmetic'
check(isinstance('s', str) and isinstance(1, int) and not isinstance(1, str))
check(isinstance([], (list, tuple)))
check(callable(len) and callable(lambda: 0) and not callable(1))
check([hasattr(config, 'os'), getattr(config, 'nope', 'default'), getattr(config, 'arch')])
check(sorted(['b', 'a', 'C']))
check([list(range(5)), list(range(1, 10, 3)), list(range(5, 0, -2)), len(range(0, 10, 3)), 3 in range(5)])
check(tuple('abc'))
check(list({'b': 1, 'a': 2}))
check(set() == set([]))
check([x for x in 'abc'] + list('de'))
