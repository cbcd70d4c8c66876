//! Release builds of the binary: a smaller file with the same backtraces.
//!
//! - The DWARF sections (this workspace's line tables, the rest being in
//!   `xharness.dwp`) are zlib-compressed by the linker; the standard
//!   library's symboliser reads compressed sections.
//! - Local symbols are left out of the symbol table (`--discard-all`):
//!   backtraces name this workspace's functions from the DWARF, not from
//!   the symbol table, which was a fifth of the file.
//!
//! Debug builds link as they are, which is faster.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let release = std::env::var("PROFILE").as_deref() == Ok("release");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux");
    if release && linux {
        println!("cargo:rustc-link-arg-bins=-Wl,--compress-debug-sections=zlib");
        println!("cargo:rustc-link-arg-bins=-Wl,--discard-all");
    }
}
