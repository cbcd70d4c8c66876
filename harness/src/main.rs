//! The `xharness` binary: see `xharness --help`.

/// mimalloc instead of glibc's allocator: a small job allocates and frees
/// a few hundred objects in the engine's WASI environment, store and
/// module loading, and glibc's allocator was a third of a wasmer worker's
/// instructions (README "Benchmarks").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    xharness::cli::main()
}
