//! Any text parses to an end, and parsing twice gives the same syntax
//! errors (the parser keeps no state between files).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pyeval::{Limits, parse};

fuzz_target!(|data: &[u8]| {
    let src = String::from_utf8_lossy(data);
    let limits = Limits::default();
    let first: Vec<_> = parse(&src, &limits).syntax_errors().cloned().collect();
    let second: Vec<_> = parse(&src, &limits).syntax_errors().cloned().collect();
    assert_eq!(first, second);
});
