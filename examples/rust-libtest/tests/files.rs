//! Tests that read files: the runner preopens the package directory as `.`.

#[test]
fn reads_input_from_package_dir() {
    let text = std::fs::read_to_string("data/input.txt").expect("data/input.txt is readable");
    let numbers: Vec<u32> = text.split_whitespace().map(|w| w.parse().unwrap()).collect();
    assert_eq!(libtest_fixture::total(&numbers), 15);
}

#[test]
fn missing_file_is_an_error() {
    assert!(std::fs::read("data/does-not-exist").is_err());
}
