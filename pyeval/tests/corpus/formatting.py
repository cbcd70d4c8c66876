# String formatting: %, str.format, f-strings, str() and repr() of values.

name = 'T123'
n = 42
x = 3.14159
ways = ['normal', 'ghci']

# %-formatting
check('%s' % name)
check('%s-%s' % (name, n))
check('%d %i %5d|%-5d|%05d' % (n, n, n, n, n))
check('%x %X %o %#x' % (255, 255, 8, 255))
check('%.2f %8.3f %-8.1f| %e %g %g' % (x, x, x, 12345.678, 0.0001, 1e20))
check('%r %s' % ('q', ways))
check('%(name)s has %(n)d' % {'name': name, 'n': n})
check('100%% %s' % 'done')
check('%c%c' % ('a', 66))
check('%s' % (ways,))
check('%s' % None)
check('%5s|%-5s|' % ('ab', 'cd'))
check('%+d % d' % (5, 5))

# str.format
check('{} {}'.format(name, n))
check('{0}-{1}-{0}'.format('a', 'b'))
check('{name} is {n}'.format(name=name, n=n))
check('{:>10}|{:<6}|{:^7}|'.format('r', 'l', 'c'))
check('{:*^9}'.format('mid'))
check('{:08.3f} {:,} {:x} {:#o} {:b}'.format(x, 1234567, 255, 8, 5))
check('{!r} {!s}'.format('q', 'q'))
check('{{literal}} {0[1]} {1[k]}'.format(ways, {'k': 'v'}))
check('{:.3}'.format('abcdef'))
check('{:+.1e}'.format(-12345.6789))
check('{:%}'.format(0.25))
prog = 'stress_heap'
fill = lambda s: s.format(prog=prog)
check(fill('make -s {prog} && ./{prog} 2>&1; echo $?'))

# f-strings
check(f'{name}-{n}')
check(f'{name!r} {n:>5} {x:.2f} {n * 2} {ways[0].upper()}')
check(f"{'nested'} {len(ways)} {n:{'0'}{4}}")
check(f'{{braces}} {name:<8}|')
check(f'generated-modules-{10}')
w = 10
check(f'{x:{w}.{2}f}|')
check(f'{ways}')
check(f'{ {"a": 1}["a"] }')

# str() and repr() of numbers and containers
check([str(0.1), str(1.0), str(-0.0), str(1e16), str(1e-5), str(123456789.125)])
check([repr(2.5e-7), repr(1/3), repr(10/4), repr(7//2), repr(-7//2), repr(-7 % 3)])
check([str(True), str(None), str([1, 'a', (2,)]), repr({'k': [1.5, None]})])
check(str(('single',)))
check(repr("it's"))
check(repr('both \' and "'))
check(repr('tab\there\nnewline \\ \x00 \x7f é'))
check([int('42'), int(' -7 '), int('ff', 16), float('2.5'), round(2.5), round(3.5), round(2.675, 2)])
check([2 ** 10, 2 ** -1, 10 / 2, 7 % -3, abs(-3), divmod(17, 5), hex(255), oct(8), bin(5)])
check([max(3, 1, 2), min([4, 2, 8]), sum([1, 2, 3]), sum([0.1, 0.2])])
