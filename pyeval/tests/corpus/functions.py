# defs with defaults, keyword and star arguments, closures, lambdas,
# comprehensions and the builtins that take functions.

def crash_case(name, extra=''):
    test(name, [ignore_stderr, exit_code(3 if opsys('mingw32') else 139)],
         compile_and_run, ['-fbounds' + extra])

crash_case('Crash1')
crash_case('Crash2', extra=' -O')

def bits_case(name, bits):
    test(name, [unless(wordsize(bits), skip), req_cmm], multi_compile_and_run,
         ['Driver', [(name + '.cmm', '')], ''])

bits_case('Bits64', bits=64)
bits_case('Bits32', 32)

def and_check(cmd):
    return(cmd + " && test -s out.log")
test('Wrapped', [cmd_wrapper(and_check)], compile_and_run, [''])
check(and_check('./run'))

def quiet_unless(word):
    def wrapper(cmd, word=word):
        redirect = '2>&1'
        return('{cmd} {redirect} | grep -v "{word}"'.format(**locals()))
    return cmd_wrapper(wrapper)
test('Quiet', [omit_ghci, quiet_unless('progress:')], compile_and_run, [''])

def fails_with(word):
    pipe = '2>&1 >/dev/null'
    return('sh -c \'"$@" {pipe} | grep -q {word}\' --'.format(**locals()))
check(fails_with('panic'))
def show_locals(a, b=2, *rest, **kw):
    c = a + b
    return sorted(locals().items())
check(show_locals(1))
check(show_locals(1, 5, 6, k='v'))
def make_filter(word):
    def wrapper(cmd, word=word):
        redirect = '2>&1'
        return '{cmd} {redirect} | grep "{word}"'.format(**locals())
    return wrapper
check(make_filter('needle')('./prog'))

test('Loop5', [cmd_wrapper(
         lambda c: "for n in %s; do %s || exit 1; done" %
           (" ".join(str(n) for n in range(1, 6)), c))],
     compile_and_run, [''])

def spec_case(name):
    debug_spec = {'stderr': name + '-debug.stderr'}
    extra = debug_spec if name.endswith('a') and not compiler_debugged() else {}
    return test(name, [use_specs(dict(stdout='common.stdout', **extra))],
                makefile_test, [])
spec_case('Spec1a')
spec_case('Spec1b')

def star(*args, **kwargs):
    return [args, sorted(kwargs.items())]
check(star())
check(star(1, 2, k='v', a=0))
check(star(*[1, 2], **{'z': 3}))

def kwonly(a, *, b=2, c):
    return (a, b, c)
check(kwonly(1, c=3))
check(kwonly(a=1, b=5, c=6))

def counter():
    count = 0
    def bump(by=1):
        nonlocal count
        count += by
        return count
    return bump
bump = counter()
bump()
bump(10)
check(bump())

def compose(f, g):
    return lambda x: f(g(x))
inc = lambda x: x + 1
dbl = lambda x: x * 2
check(compose(inc, dbl)(5))
check(list(map(lambda p: p[0] + p[1], zip('abc', 'xyz'))))

def fact(n):
    return 1 if n <= 1 else n * fact(n - 1)
check(fact(10))

adders = [lambda x, i=i: x + i for i in range(3)]
check([a(10) for a in adders])

# comprehensions
ways = ['normal', 'ghci', 'threaded1', 'profasm']
check([w for w in ways if 'thread' not in w])
check([(w, i) for i, w in enumerate(ways, 1) if i % 2])
check({w: len(w) for w in ways})
check(sorted({len(w) for w in ways}))
check([x * y for x in range(3) for y in range(x)])
check(list(w.upper() for w in ways if w.startswith('p')))
check(any(w == 'ghci' for w in ways) and not all(len(w) > 5 for w in ways))
check(sorted(ways, key=lambda w: (len(w), w), reverse=True))
check(list(filter(None, ['', 'a', None, 'b'])))
check(max(ways, key=len))
check(dict(zip(ways, range(4))))
check([list(t) for t in zip(*[[1, 2, 3], [4, 5, 6]])])
check(list(reversed(ways)))

def per_backend(name, setup, func, args):
    for backend in ["native", "js"]:
        test(f"{name}-{backend}",
             [unless(f"{backend.upper()}_ENABLED" in env, skip),
              extra_files([f"{name}.input"])] + setup,
             func, args)
env = {'JS_ENABLED': '1'}
per_backend('backend001', [], ghci_script, ['backend001.script'])
