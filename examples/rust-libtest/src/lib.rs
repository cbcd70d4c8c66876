//! Arithmetic with tests that exercise every way a libtest test can end.

/// Sum of the numbers.
pub fn total(values: &[u32]) -> u32 {
    values.iter().sum()
}

/// Integer mean; panics on an empty slice.
pub fn mean(values: &[u32]) -> u32 {
    assert!(!values.is_empty(), "mean of an empty slice");
    total(values) / values.len() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds() {
        assert_eq!(total(&[1, 2, 3]), 6);
    }

    #[test]
    fn mean_of_three() {
        assert_eq!(mean(&[2, 4, 6]), 4);
    }

    #[test]
    fn wrong_sum() {
        // Fails on purpose: the suite marks it xfail.
        assert_eq!(total(&[2, 2]), 5, "two and two");
    }

    #[test]
    fn explicit_panic() {
        // Fails on purpose with a panic message of its own.
        panic!("the fixture panics here");
    }

    #[test]
    #[should_panic(expected = "empty slice")]
    fn empty_mean_panics() {
        mean(&[]);
    }

    #[test]
    #[ignore = "slow: run with --include-ignored"]
    fn slow_sum() {
        let n: u64 = (0..1_000u64).sum();
        assert_eq!(n, 499_500);
    }

    #[test]
    fn prints() {
        println!("to stdout from a test");
        eprintln!("to stderr from a test");
        assert_eq!(total(&[]), 0);
    }
}
