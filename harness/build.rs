//! Release builds of the binary: the DWARF sections left in it (this
//! workspace's line tables and skeleton units; the rest is in
//! `xharness.dwp`) are zlib-compressed by the linker, a quarter of their
//! size. The standard library's symboliser reads compressed sections, so
//! backtraces keep file and line.
//!
//! Other profiles (`dev`, `release-debug`) link as they are.
//!
//! On Linux, every profile links the binary as a position-dependent
//! executable (`-no-pie`): a PIE of this size has about 95,000 relative
//! relocations that the dynamic loader applies at every start, half of
//! the start-up of the parent and of each worker (about 1.3 ms each,
//! profiled), and a run starts three processes or more.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // The profile by its folder (OUT_DIR is `target/PROFILE/build/PKG/out`):
    // PROFILE says "release" for `release-debug` too, which keeps all.
    let out_dir = std::env::var("OUT_DIR").unwrap_or_default();
    let profile = std::path::Path::new(&out_dir)
        .ancestors()
        .nth(3)
        .and_then(|p| p.file_name());
    let release = profile.is_some_and(|p| p == "release");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux");
    if linux {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    if release && linux {
        println!("cargo:rustc-link-arg-bins=-Wl,--compress-debug-sections=zlib");
    }
}
