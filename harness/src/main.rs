//! The `xharness` binary: see `xharness --help`.

fn main() -> std::process::ExitCode {
    xharness::cli::main()
}
