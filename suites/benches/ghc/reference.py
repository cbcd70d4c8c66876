"""Reference for the ghc-testsuite discovery benchmark: what GHC's own
driver declares.

Runs every `*.T` file under ROOT the way `testsuite/driver/runtests.py`
does (`exec` in one namespace holding `from testlib import *`), with the
driver's `config` set to the wasm32-wasi values xharness defaults to, and
prints one line per `test(...)` call: `FILE<TAB>NAME<TAB>FUNC`. Only
`test` itself is replaced (to record instead of queueing the test).

    python3 reference.py GHC/testsuite/driver GHC/testsuite/tests > ref.tsv

Measuring only: xharness never needs Python.
"""

import io
import os
import sys
import time


def main(driver, root):
    sys.path.insert(0, driver)
    import testlib
    from testglobals import config

    config.platform = "wasm32-unknown-wasi"
    config.os = "wasi"
    config.arch = "wasm32"
    config.wordsize = "32"
    config.cross = True
    config.compile_ways = ["normal"]
    config.run_ways = ["normal"]
    config.other_ways = []
    config.way_flags = {"normal": []}
    config.way_rts_flags = {"normal": []}
    config.ghc_th_way_flags = ""
    config.ghci_way_flags = ""
    config.plugin_way_flags = ""
    config.ghc_th_way = "normal"
    config.libdir = ""
    config.compiler = "wasm32-wasi-ghc"

    # The driver's config file defines the way classes (prof_ways, …)
    # the .T files use; run it as runtests.py does, then put the wasm
    # values back.
    ns = dict(vars(testlib))
    ns.update(ghc_with_native_codegen=False, ghc_with_dynamic_rts=False,
              ghc_compiler_always_flags="", ghc_with_threaded_rts=False,
              windows=False, darwin=False)
    with io.open(os.path.join(driver, "..", "config", "ghc")) as h:
        exec(h.read(), ns)
    config.compile_ways = ["normal"]
    config.run_ways = ["normal"]

    files = []
    for d, _, names in os.walk(root):
        files += [os.path.join(d, n) for n in names if n.endswith(".T")]
    files.sort()

    current = [""]
    out = []

    def test(name, setup, func, args):
        out.append((current[0], name, getattr(func, "__name__", str(func))))

    ns["test"] = test
    failed = 0
    start = time.perf_counter()
    for f in files:
        current[0] = os.path.relpath(f, root)
        testlib.newTestDir("/tmp", os.path.dirname(f))
        try:
            with io.open(f, encoding="utf8") as h:
                exec(h.read(), ns)
        except Exception as e:  # the driver reports and goes on
            failed += 1
            print(f"{current[0]}: {type(e).__name__}: {e}", file=sys.stderr)
    took = time.perf_counter() - start
    for row in out:
        print("\t".join(row))
    print(
        f"{len(files)} files, {len(out)} tests, {failed} files raised, {took:.3f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
