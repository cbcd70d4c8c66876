# Statements: if/elif/else, loops with break/continue/else, try/except,
# comparisons, boolean operators, unpacking, slicing, in, del, global.

for os_name in ['linux', 'darwin', 'mingw32']:
    if opsys(os_name):
        check('on ' + os_name)
    elif os_name == 'darwin':
        check('not darwin')
    else:
        check('other: ' + os_name)

total = 0
for i in range(10):
    if i == 2:
        continue
    if i > 6:
        break
    total += i
else:
    check('no break')
check(total)

for i in []:
    pass
else:
    check('empty loop else')

n = 0
while n < 100:
    n = n * 2 + 1
check(n)
while True:
    n -= 30
    if n < 0:
        break
check(n)

try:
    {}['missing']
    check('no error')
except KeyError:
    check('KeyError caught')
finally:
    check('finally ran')

try:
    check('body')
except Exception:
    check('not reached')
else:
    check('else ran')

def safe_div(a, b):
    try:
        return a // b
    except ZeroDivisionError:
        return None
check([safe_div(7, 2), safe_div(1, 0)])

# comparisons and boolean operators
a, b, c = 1, 2, 3
check([a < b < c, a < b > c, a == 1 != b, 1 <= 1 >= 0])
check([None is None, a is not None, 'x' in 'xyz', 'w' not in ['x'], 2 in (1, 2), 'k' in {'k': 1}])
check(['' or 'default', 'set' or 'default', 0 and 1, 1 and 'last', not [], None or [] or 0])
check([[1, 2] < [1, 3], (1, 'a') < (1, 'b'), 'abc' < 'abd', 'B' < 'a', [] == [], (1,) == (1,)])
check([1 == 1.0, True == 1, 2 > 1.5, -1 < -0.5])
check(1 if a else 2)
check('x' if not a else 'y')

# unpacking
first, *rest = [1, 2, 3, 4]
check([first, rest])
(p, q), r = ('pq', 'r')
check([p, q, r])
for k, v in {'x': 1, 'y': 2}.items():
    check(k + '=' + str(v))
for i, (name, ways) in enumerate([('T1', ['normal']), ('T2', [])]):
    check([i, name, ways])
a, b = b, a
check([a, b])

# slicing and indexing
s = 'Filling in method body'
l = list(range(10))
check([s[0], s[-1], s[2:7], s[:4], s[-4:], s[::2], s[::-1], s[1:-1:3], s[100:], s[-100:3]])
check([l[2:5], l[::-3], l[7:2:-2], l[:], l[-2:], l[5:5]])
check(s[0:s.find('method')])
t = (1, 2, 3)
check([t[1], t[-1:], t[:2]])
l[2:5] = ['x']
check(l)
l[-1] = 'last'
del l[0]
check(l)
d = {'a': 1, 'b': 2, 'c': 3}
del d['b']
d['z'] = 26
d.update({'a': 0})
check(d)
check([d.get('a'), d.get('q'), d.get('q', 'dflt'), 'z' in d, len(d), list(d), list(d.keys())])
check(d.pop('z'))
check(d.setdefault('n', []))
check(sorted(d.items()))

# augmented assignment and globals
counter = 0
def incr():
    global counter
    counter += 1
incr()
incr()
check(counter)
acc = []
acc += ['a']
acc.append('b')
acc.extend(('c', 'd'))
acc.insert(0, 'start')
check(acc)
check([acc.pop(), acc.pop(0), acc.index('b'), acc.count('a')])
acc.remove('a')
acc.sort()
check(acc)
msg = 'x'
msg *= 3
msg += '!'
check(msg)
sl = [3, 1, 2]
sl.sort(reverse=True)
check(sl)
st = {1, 2}
st.add(3)
st.discard(1)
check(sorted(st))
check(sorted({1, 2} | {3}))
check(sorted({1, 2, 3} & {2, 3, 4}))
check(sorted({1, 2, 3} - {2}))
