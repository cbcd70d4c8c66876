//! The repository's example suites as `cargo test` trials, through the
//! same public entry point users call: `xharness::libtest::main`.

fn main() -> std::process::ExitCode {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples");
    xharness::libtest::main(&[
        format!("{root}/wat-demo"),
        format!("{root}/c-basic"),
        format!("{root}/ghc-layout"),
        format!("{root}/wasi-layout"),
        format!("{root}/rust-libtest"),
    ])
}
