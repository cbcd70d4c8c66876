//! Release builds of the binary: a smaller file with the same backtraces.
//!
//! - The DWARF sections (this workspace's line tables, the rest being in
//!   `xharness.dwp`) are zlib-compressed by the linker; the standard
//!   library's symboliser reads compressed sections.
//! - Local symbols are left out of the symbol table (`--discard-all`):
//!   backtraces name this workspace's functions from the DWARF, not from
//!   the symbol table, which was a fifth of the file.
//!
//! Other profiles (`dev`, `release-debug`) link as they are.

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
    if release && linux {
        println!("cargo:rustc-link-arg-bins=-Wl,--compress-debug-sections=zlib");
        println!("cargo:rustc-link-arg-bins=-Wl,--discard-all");
    }
}
