# test(...) declarations as GHC's .T files write them: setup lists, when/unless
# with predicates, setTestOpts with a Python setup function, config reads and
# writes, string building for commands.

def normal_way_only(name, opts):
    opts.only_ways = ['normal', 'optasm']

setTestOpts(normal_way_only)
setTestOpts(extra_hc_opts('-package containers'))
setTestOpts([when(fast(), skip), only_ways(['normal', 'ghci'])])

test('T1', normal, compile, [''])
test('T2', [extra_files(['A.hs', 'B/', 'c_src/'])], compile_fail, ['-v0'])
test('T3', [when(opsys('mingw32'), skip), unless(arch('x86_64'), expect_broken(123))],
     compile_and_run, ['-O2 -fno-full-laziness'])
test('T4', [exit_code(127 if opsys('mingw32') else 134), omit_ways(['ghci'])],
     compile_and_run, ['-fbounds-check'])
test('T5',
     [ extra_files(['T5.hs'])
     , pre_cmd('$MAKE -s --no-print-directory T5_prep')
     , when(not opsys('darwin') and wordsize(64), extra_run_opts('+RTS -N2 -RTS'))
     ],
     multimod_compile_and_run, ['Main', '-threaded'])
test('T6', [collect_compiler_stats('bytes allocated', 2), js_broken(22349)], compile, [''])
test('T7', expect_broken_for(4211, ['llvm', 'optllvm']), compile, [""])
test('T8', [grep_errmsg(r'^T8\.\$w\S+ ::', [1])], compile, ['-ddump-simpl'])
test('T9', [normal, fragile(12751), when(have_dynamic(), extra_ways(['dyn']))], compile, [''])

# config: reads, writes, and names built from it
if config.have_vanilla:
    flavour = 'static'
else:
    flavour = 'shared-only'
if config.have_dynamic:
    linking = 'dynamic'
else:
    linking = 'static'
test('pkg01', [extra_files(['Pkg.hs', 'pkg.cabal']), js_broken(100)], run_command,
     ['make -s pkg01 FLAVOUR=' + flavour + ' LINKING=' + linking + ' ' + config.cleanup])
test('T10', [], compile, [config.ghc_th_way_flags])
test('T11', extra_run_opts('"' + config.libdir + '"'), compile_and_run, [''])
config.my_setting = 42
config.run_ways = config.run_ways + ['threaded1']
check(config.my_setting)
check(config.run_ways)
check('ghci' in config.run_ways)
if config.have_ext_interp:
    setTestOpts(extra_ways(['ext-interp', 'dyn']))
    setTestOpts(only_ways(['normal', 'ext-interp']))

# tuples, dicts and keyword arguments
test('T12', [use_specs(dict(stdout='T12.stdout', **{'stderr': 'T12.stderr'}))], compile, [''])
test('T13', normal, multi_compile, ['T13', [('T13a.hs', ''), ('T13_c.c', '-optc-O')], '-v0'])
test('T14', [req_hadrian_deps(["test:dump-decls"]), normalise_version('base', 'ghc-internal')],
     makefile_test, [])
test(name='T15', setup=normal, func=compile, args=['-Wall'])

# strings: escapes, raw strings, concatenation, unicode, triple quotes
test('T16', normal, compile, ['-v0 ' '-O' "1" + ' -fforce-recomp'])
test('T17', normal, compile, ['\t"quoted" \'single\' back\\slash \u00e9 \x41 \u03b1 \U0001F600'])
test('T18', normal, compile, [r'\d+\s*\\', 'a\
b'])
test('T19', normal, compile, ["""multi
line 'string'"""])
test('T20', normal, compile, ['%s-%d' % ('x', 3)])
