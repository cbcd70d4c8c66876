//! Helpers shared by the bench binaries.

use std::path::Path;

/// Write a suite of `n` trivial WAT cases into `dir`: case `tN` prints
/// `ok tN` and has the matching golden, 500 cases per folder.
pub fn write_wat_suite(dir: &Path, n: usize) {
    std::fs::write(
        dir.join("suite.toml"),
        "name = \"gen\"\ninclude = [\"**/*.wat\"]\n[toolchain]\nbuiltin = \"wat\"\n",
    )
    .expect("write suite");
    for i in 0..n {
        let sub = dir.join(format!("d{}", i / 500));
        std::fs::create_dir_all(&sub).expect("mkdir");
        let text = format!("ok t{i}\n");
        let wat = format!(
            "(module (import \"wasi_snapshot_preview1\" \"fd_write\" (func $w (param i32 i32 i32 i32) (result i32)))\n(memory (export \"memory\") 1) (data (i32.const 64) \"{}\")\n(func (export \"_start\") (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const {})) (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))\n",
            text.escape_default(),
            text.len()
        );
        std::fs::write(sub.join(format!("t{i}.wat")), wat).expect("write case");
        std::fs::write(sub.join(format!("t{i}.stdout")), text).expect("write golden");
    }
}

/// Write the 200-case C suite (clang for wasm32-wasi) into `dir`: case
/// `caseNNN` prints `case N: N*N` and has the matching golden.
#[allow(dead_code)] // each bench compiles this module; not all use it
pub fn write_c_suite(dir: &Path) {
    std::fs::write(
        dir.join("suite.toml"),
        "name = \"c200\"\ninclude = [\"*.c\"]\n[toolchain]\ncommand = \"clang --target=wasm32-wasi -O1 {src} -o {out}\"\n",
    )
    .expect("write suite");
    for i in 0..200 {
        let src = format!(
            "#include <stdio.h>\nint main(void) {{ printf(\"case %d: %d\\n\", {i}, {i} * {i}); return 0; }}\n"
        );
        std::fs::write(dir.join(format!("case{i:03}.c")), src).expect("write case");
        std::fs::write(
            dir.join(format!("case{i:03}.stdout")),
            format!("case {i}: {}\n", i * i),
        )
        .expect("write golden");
    }
}
