# The Python side of pyeval's fidelity test (tests/fidelity.rs): the stubs
# of GHC's driver, and the loop that runs each corpus file given on the
# command line and prints its records. fidelity.rs defines RECORDERS, KEEPERS,
# VALUES and CONFIG before this text, so that both sides share one table.

import os, re, string, sys, types

_records, _kept, _samples = [], [], []

class _Obj:
    def __init__(self, text):
        self._text = text

class _Config:
    pass

class _Opts:
    def __setattr__(self, k, v):
        _records.append('opts.%s = %s' % (k, _canon(v)))
        object.__setattr__(self, k, v)

def _canon(v):
    if isinstance(v, _Obj):
        return v._text
    if isinstance(v, _Config):
        return '<config>'
    if isinstance(v, _Opts):
        return '<opts>'
    if hasattr(v, '_stub'):
        return '<stub %s>' % v._stub
    if v is None or isinstance(v, (bool, int, float, str, range)):
        return repr(v)
    if isinstance(v, list):
        return '[' + ', '.join(_canon(x) for x in v) + ']'
    if isinstance(v, tuple):
        return '(' + ', '.join(_canon(x) for x in v) + (',)' if len(v) == 1 else ')')
    if isinstance(v, dict):
        return '{' + ', '.join(_canon(k) + ': ' + _canon(x) for k, x in v.items()) + '}'
    if isinstance(v, (set, frozenset)):
        return '{' + ', '.join(sorted(_canon(x) for x in v)) + '}' if v else 'set()'
    if isinstance(v, types.FunctionType):
        return '<function %s>' % v.__name__
    if isinstance(v, types.ModuleType):
        return "<module '%s'>" % v.__name__
    return repr(v)

def _call_text(name, args, kwargs):
    parts = [_canon(a) for a in args] + ['%s=%s' % (k, _canon(x)) for k, x in kwargs.items()]
    return name + '(' + ', '.join(parts) + ')'

def _setup(name, setup):
    for s in setup if isinstance(setup, list) else [setup]:
        if isinstance(s, types.FunctionType):
            s(name, _Opts())

_PREDICATES = {
    'opsys': lambda o: o == 'linux',
    'arch': lambda a: a == 'x86_64',
    'wordsize': lambda w: w == 64,
    'platform': lambda p: p == 'x86_64-unknown-linux',
    'fast': lambda: False,
    'have_llvm': lambda: False,
    'compiler_debugged': lambda: False,
    'have_dynamic': lambda: True,
    'have_profiling': lambda: False,
}

def _stub(name, kind):
    def f(*args, **kwargs):
        text = _call_text(name, args, kwargs)
        _records.append(text)
        if kind == 'predicate':
            return _PREDICATES[name](*args, **kwargs)
        if name == 'check':
            return None
        if name == 'samples':
            _samples.extend(args)
            return None
        if kind == 'keeper':
            _kept.extend(a for a in args if isinstance(a, types.FunctionType))
        if name == 'setTestOpts':
            _setup('<all>', args[0] if args else [])
        if name == 'test':
            _setup(args[0] if args else kwargs.get('name'),
                   args[1] if len(args) > 1 else kwargs.get('setup', []))
        return _Obj('<' + text + '>')
    f._stub = name
    return f

def _globals():
    g = {'re': re, 'os': os, 'sys': sys, 'string': string}
    for n in RECORDERS:
        g[n] = _stub(n, 'recorder')
    for n in KEEPERS:
        g[n] = _stub(n, 'keeper')
    for n in _PREDICATES:
        g[n] = _stub(n, 'predicate')
    for n in ['check', 'samples']:
        g[n] = _stub(n, 'special')
    for n in VALUES:
        g[n] = _Obj('<%s>' % n)
    c = _Config()
    for k, v in CONFIG:
        setattr(c, k, eval(v))
    g['config'] = c
    return g

for path in sys.argv[1:]:
    del _records[:], _kept[:], _samples[:]
    try:
        exec(compile(open(path, encoding='utf-8').read(), path, 'exec'), _globals())
    except Exception as e:
        line, tb = '?', e.__traceback__
        while tb:
            if tb.tb_frame.f_code.co_filename == path:
                line = tb.tb_lineno
            tb = tb.tb_next
        _records.append('!! python raised at line %s: %r' % (line, e))
    for f in list(_kept):
        for s in list(_samples):
            try:
                r = _canon(f(s))
            except Exception:
                r = '<raised>'
            _records.append('apply(%s, %s) = %s' % (_canon(f), _canon(s), r))
    print('### ' + path)
    for r in _records:
        print(r)
