//! End-to-end: a module's imports satisfied from a native library built
//! here (`cc -shared`), through libffi, on both engines. The guest (C,
//! clang for wasm32-wasi) must print what the same C code linked natively
//! prints.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const XHARNESS: &str = env!("CARGO_BIN_EXE_xharness");
const ENGINES: [&str; 3] = ["wasmtime", "wasmer", "wasmi"];

/// A folder with libnat.so, native.toml, guest.wasm and the native build's output.
struct Built {
    dir: tempfile::TempDir,
    expected: String,
}

fn sh(cmd: &mut Command) -> Output {
    let o = cmd.output().expect("starts");
    assert!(
        o.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn build() -> Built {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/native");
    for f in ["lib.c", "guest.c", "native.toml"] {
        std::fs::copy(src.join(f), d.join(f)).expect("copy fixture");
    }
    sh(Command::new("cc")
        .args(["-shared", "-fPIC", "-O1", "lib.c", "-o", "libnat.so", "-lm"])
        .current_dir(d));
    sh(Command::new("cc")
        .args([
            "-O1",
            "guest.c",
            "-o",
            "guest-native",
            "-L.",
            "-lnat",
            "-Wl,-rpath,$ORIGIN",
        ])
        .current_dir(d));
    sh(Command::new("clang")
        .args(["--target=wasm32-wasi", "-O1", "guest.c", "-o", "guest.wasm"])
        .current_dir(d));
    let expected =
        String::from_utf8_lossy(&sh(Command::new(d.join("guest-native")).current_dir(d)).stdout)
            .into_owned();
    Built { dir, expected }
}

impl Built {
    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn run(&self, engine: &str, desc: &str, module: &str, args: &[&str]) -> Output {
        Command::new(XHARNESS)
            .args(["run", "--engine", engine, "--native", desc, module])
            .args(args)
            .current_dir(self.path())
            .output()
            .expect("xharness starts")
    }

    fn wat(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path().join(name);
        std::fs::write(&p, text).expect("write");
        p
    }
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn native_calls_print_what_the_native_build_prints_on_every_engine() {
    let b = build();
    assert!(b.expected.contains("mix12 80.625\n"), "{}", b.expected);
    for engine in ENGINES {
        let o = b.run(engine, "native.toml", "guest.wasm", &[]);
        assert!(o.status.success(), "{engine}: {}", err(&o));
        assert_eq!(String::from_utf8_lossy(&o.stdout), b.expected, "{engine}");
    }
}

#[test]
fn a_pointer_outside_guest_memory_traps_without_calling() {
    let b = build();
    for engine in ENGINES {
        let o = b.run(engine, "native.toml", "guest.wasm", &["oob"]);
        assert_eq!(o.status.code(), Some(134), "{engine}: {}", err(&o));
        assert_eq!(String::from_utf8_lossy(&o.stdout), "before\n", "{engine}");
        assert!(
            err(&o).contains("native::checksum"),
            "{engine}: {}",
            err(&o)
        );
        assert!(
            err(&o).contains("outside the guest's"),
            "{engine}: {}",
            err(&o)
        );
    }
}

#[test]
fn missing_library_symbol_and_signature_mismatch_name_the_function() {
    let b = build();
    b.wat("absent.wat", r#"(module (import "native" "absent" (func (param i32))) (memory (export "memory") 1) (func (export "_start")))"#);
    b.wat("mismatch.wat", r#"(module (import "native" "checksum" (func (param i32) (result i32))) (memory (export "memory") 1) (func (export "_start")))"#);
    b.wat("float_ptr.wat", r#"(module (import "native" "fill_point" (func (param f64))) (memory (export "memory") 1) (func (export "_start")))"#);
    let text = std::fs::read_to_string(b.path().join("native.toml")).expect("read");
    std::fs::write(
        b.path().join("nope.toml"),
        text.replace("libnat.so", "libnope.so"),
    )
    .expect("write");
    for engine in ENGINES {
        let cases = [
            (
                "native.toml",
                "absent.wat",
                "the library has no function `absent`",
            ),
            (
                "native.toml",
                "mismatch.wat",
                "import `native::checksum`: the description lists 2 parameters, the module's import has 1",
            ),
            (
                "native.toml",
                "float_ptr.wat",
                "import `native::fill_point`: parameter 0 is a pointer",
            ),
            (
                "nope.toml",
                "absent.wat",
                "cannot load library \"libnope.so\"",
            ),
        ];
        for (desc, module, want) in cases {
            let o = b.run(engine, desc, module, &[]);
            assert_eq!(o.status.code(), Some(2), "{engine} {module}: {}", err(&o));
            assert!(err(&o).contains(want), "{engine} {module}: {}", err(&o));
            assert!(err(&o).contains(desc), "{engine} {module}: {}", err(&o));
        }
    }
}

#[test]
fn a_suite_names_its_descriptions_under_run() {
    let b = build();
    let suite = b.path().join("suite");
    std::fs::create_dir_all(&suite).expect("mkdir");
    std::fs::copy(b.path().join("guest.wasm"), suite.join("guest.wasm")).expect("copy");
    std::fs::write(suite.join("guest.stdout"), &b.expected).expect("golden");
    std::fs::write(
        suite.join("suite.toml"),
        "name = \"native\"\ninclude = [\"*.wasm\"]\n[toolchain]\nbuiltin = \"wasm\"\n[run]\nnative = [\"../native.toml\"]\n",
    )
    .expect("suite file");
    let cache = tempfile::tempdir().expect("cache");
    let o = Command::new(XHARNESS)
        .args(["--suite", "suite", "--engine", "wasmtime,wasmer"])
        .current_dir(b.path())
        .env("XHARNESS_CACHE_DIR", cache.path())
        .output()
        .expect("xharness starts");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{out}{}", err(&o));
    assert!(out.contains("2 passed, 0 failed"), "{out}");
    // A description that does not exist is named at load time.
    std::fs::write(
        suite.join("suite.toml"),
        "name = \"native\"\ninclude = [\"*.wasm\"]\n[toolchain]\nbuiltin = \"wasm\"\n[run]\nnative = [\"missing.toml\"]\n",
    )
    .expect("suite file");
    let o = Command::new(XHARNESS)
        .args(["--suite", "suite"])
        .current_dir(b.path())
        .output()
        .expect("starts");
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("suite.toml:6"), "{}", err(&o));
    assert!(err(&o).contains("missing.toml"), "{}", err(&o));
}
