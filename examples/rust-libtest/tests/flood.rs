//! Tests that print far more than a suite's `max_output` (20 MB each): the
//! verdict must come from libtest's own lines at the end of the output.

/// Print 20 MB to stdout, in lines of 1,000 bytes.
fn flood() {
    use std::io::Write;
    let line = format!("{}\n", "x".repeat(999));
    let mut out = std::io::stdout().lock();
    for _ in 0..20_000 {
        out.write_all(line.as_bytes()).expect("stdout is writable");
    }
    out.flush().expect("stdout flushes");
}

#[test]
fn prints_20_mb_then_passes() {
    flood();
    assert_eq!(libtest_fixture::total(&[20, 0]), 20);
}

#[test]
fn prints_20_mb_then_panics() {
    flood();
    panic!("the flood is over and this test fails");
}
