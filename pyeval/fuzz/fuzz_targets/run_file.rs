//! Any bytes, read as UTF-8 text, parse and run to an end: no panic, no
//! hang, no stack overflow, and every warning names a line of the text.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../host.rs"]
mod host;

fuzz_target!(|data: &[u8]| {
    if let Ok(src) = std::str::from_utf8(data) {
        host::run(src);
    }
});
