//! Suite discovery: read a suite definition and turn it into plain-data test cases.
//!
//! # The seam
//!
//! This crate is the first step of the pipeline
//! (suite → case → toolchain → module → engine → outcome → golden → verdict → reporter).
//! It reads a definition file, walks the files it names, and returns a [`Suite`]
//! holding [`Case`]s. Those are plain data: absolute paths, expanded arguments and
//! environment, limits, golden-file paths and per-engine [`Expectation`]s. Nothing in
//! them points back into this crate, and this crate knows nothing of engines,
//! compilers or reports. Nothing is run here, and paths that the harness opens later
//! (stdin, goldens, pre-opened dirs) are not checked for existence.
//!
//! The key design decision: **all validation happens at load time**. A typo in a key,
//! a bad glob, regex or placeholder, an expectation naming a case that no longer
//! exists: each is an error naming the file and line, before anything is compiled.
//!
//! # Suite kinds
//!
//! One module per kind; [`load`] reads the `kind` key and dispatches.
//! - `generic` ([`generic`]): a `suite.toml` whose include globs pick the cases.
//! - `ghc-testsuite` ([`ghc`]): GHC's testsuite, tests declared in `*.T` files.
//!   `--suite ghc-testsuite` names it without a suite file ([`load_builtin`]).
//! - `wasi-testsuite` ([`wasi`]): the WebAssembly WASI testsuite, prebuilt
//!   `*.wasm` files with `NAME.json` specs. `--suite wasi-testsuite` names it
//!   without a suite file ([`load_builtin`]).
//! - `libtest` ([`libtest`]): the tests inside Rust test binaries built for
//!   wasm32-wasip1. Its cases come from running each binary's `--list`, so
//!   [`load_definition`] gives a [`libtest::Plan`] the harness completes.
//!
//! # `suite.toml` (generic)
//!
//! ```toml
//! name = "c-basic"                 # required
//! kind = "generic"                 # default "generic"
//! root = "."                       # relative to this file's folder, or absolute
//! include = ["**/*.c"]             # required; globs under root, one case per match
//! exclude = []
//! [toolchain]                      # exactly one of `command` and `builtin`
//! command = "clang --target=wasm32-wasi -O1 {src} -o {out}"  # or builtin = "wat" | "wasm"
//! timeout = 60                     # seconds, integer or float
//! shell = false                    # run `command` through `sh -c`
//! [run]
//! args = []                        # after argv[0]; then the lines of STEM.args
//! env = {}                         # KEY = "VALUE"
//! dirs = []                        # "HOST[::GUEST]" + optional ":ro"; HOST relative to the case folder
//! stdin = "{dir}/{stem}.stdin"     # missing file = empty stdin; "" = no stdin file
//! exit_code = 0                    # STEM.exit overrides
//! timeout = 10                     # seconds
//! max_memory = "1GiB"              # bytes, or B/KiB/MiB/GiB/KB/MB/GB
//! max_output = "1MiB"              # per captured stream
//! [golden]
//! stdout = "{dir}/{stem}.stdout"   # missing file = expected empty
//! stderr = "{dir}/{stem}.stderr"
//! trim_trailing_whitespace = false
//! normalize_crlf = true
//! [[golden.normalize]]             # applied in order to actual and expected
//! regex = "took [0-9]+ms"
//! replace = "took Nms"
//! [expect.wasmer]                  # engine -> case name -> "xfail: why" | "skip: why"
//! "io/flaky" = "xfail: reports the error differently"
//! ```
//!
//! Placeholders (in the command, args, env values, dirs, stdin and golden paths):
//! `{src}`, `{dir}`, `{stem}`, `{name}`, `{root}`, `{flags}`, `{out}`; `{{`/`}}` are literal
//! braces. `{out}` is only known when compiling: case fields keep it unexpanded, and
//! the harness calls [`expand`] with [`Vars::with_out`].
//!
//! Discovery only reads: it writes no file and reads no environment variable;
//! files a suite derives from its data ([`DerivedFile`]) are written by the
//! harness.

mod builtin;
mod case;
mod error;
pub mod generic;
pub mod ghc;
pub mod libtest;
mod load;
mod model;
mod source;
mod template;
mod units;
pub mod wasi;

pub use case::{
    ANY_ENGINE, Case, CaseExpect, CaseKind, CaseRun, CaseSource, DirMapping, Expectation, Input,
    Mode, Normalize, ShellSteps, StreamNormalize,
};
pub use error::{Loc, SuiteError};
pub use load::{
    Definition, LoadOptions, SUITE_DIRS, SUITE_FILE, builtin_definition, builtin_definition_with,
    load, load_builtin, load_definition, load_definition_with, load_with_root, resolve,
};
pub use model::{DerivedFile, EngineKey, Suite, SuiteKind, Toolchain};
pub use template::{PLACEHOLDERS, Vars, expand, placeholders};
pub use units::parse_size;
