//! Value types with units as written in suite files: [`Seconds`] and [`ByteSize`].
//!
//! Both deserialize straight from TOML, so a bad value is reported by the parser with
//! the file and line of the key.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

/// A positive duration written as seconds, integer or float (`10`, `0.5`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seconds(pub Duration);

/// A byte count written as an integer or a string with a unit (`"1GiB"`, `"512 KB"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSize(pub u64);

/// Units accepted by [`parse_size`], longest first so `KiB` wins over `B`.
const UNITS: [(&str, u64); 7] = [
    ("KiB", 1 << 10),
    ("MiB", 1 << 20),
    ("GiB", 1 << 30),
    ("KB", 1_000),
    ("MB", 1_000_000),
    ("GB", 1_000_000_000),
    ("B", 1),
];

/// Parse `"1GiB"`, `"512 KB"`, `"100B"` or `"4096"` into bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (digits, multiplier) = UNITS
        .iter()
        .find_map(|(unit, mult)| text.strip_suffix(unit).map(|d| (d.trim_end(), *mult)))
        .unwrap_or((text, 1));
    let bad = || {
        format!(
            "invalid size {text:?}: write an integer number of bytes or an integer \
             followed by B, KiB, MiB, GiB, KB, MB or GB (e.g. \"1GiB\")"
        )
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let number: u64 = digits.parse().map_err(|_| bad())?;
    number
        .checked_mul(multiplier)
        .ok_or_else(|| format!("size {text:?} is too large"))
}

struct SecondsVisitor;

impl Visitor<'_> for SecondsVisitor {
    type Value = Seconds;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a positive number of seconds (integer or float), e.g. 10 or 0.5")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Seconds, E> {
        self.visit_f64(v as f64)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Seconds, E> {
        self.visit_f64(v as f64)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Seconds, E> {
        if v.is_nan() || v <= 0.0 {
            return Err(E::custom(format!(
                "timeout must be more than 0 seconds, got {v}"
            )));
        }
        Duration::try_from_secs_f64(v)
            .map(Seconds)
            .map_err(|_| E::custom(format!("timeout {v} is too large")))
    }
}

impl<'de> Deserialize<'de> for Seconds {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(SecondsVisitor)
    }
}

struct ByteSizeVisitor;

impl Visitor<'_> for ByteSizeVisitor {
    type Value = ByteSize;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a byte count: an integer, or a string like \"1GiB\" or \"512KB\"")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<ByteSize, E> {
        u64::try_from(v)
            .map(ByteSize)
            .map_err(|_| E::custom(format!("size must not be negative, got {v}")))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<ByteSize, E> {
        Ok(ByteSize(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<ByteSize, E> {
        parse_size(v).map(ByteSize).map_err(E::custom)
    }
}

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ByteSizeVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_with_units() {
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("1MiB"), Ok(1 << 20));
        assert_eq!(parse_size("3KiB"), Ok(3 << 10));
        assert_eq!(parse_size("512 KB"), Ok(512_000));
        assert_eq!(parse_size("2MB"), Ok(2_000_000));
        assert_eq!(parse_size("1GB"), Ok(1_000_000_000));
        assert_eq!(parse_size("100B"), Ok(100));
        assert_eq!(parse_size("4096"), Ok(4096));
    }

    #[test]
    fn bad_sizes_say_what_is_accepted() {
        for bad in ["", "GiB", "1.5GiB", "-1", "1 TB", "ten", "1gib"] {
            let err = parse_size(bad).err().unwrap_or_default();
            assert!(err.contains("KiB, MiB, GiB"), "{bad}: {err}");
        }
        assert!(parse_size("99999999999999GiB").is_err());
    }

    #[derive(Deserialize)]
    struct Doc {
        t: Seconds,
        s: ByteSize,
    }

    fn doc(text: &str) -> Result<Doc, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    #[test]
    fn seconds_accept_int_and_float() {
        assert_eq!(
            doc("t = 10\ns = 1").ok().map(|d| d.t.0),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            doc("t = 0.5\ns = 1").ok().map(|d| d.t.0),
            Some(Duration::from_millis(500))
        );
        assert!(doc("t = 0\ns = 1").is_err());
        assert!(doc("t = -3\ns = 1").is_err());
        assert!(doc("t = \"10\"\ns = 1").is_err());
    }

    #[test]
    fn sizes_accept_int_and_string() {
        assert_eq!(doc("t = 1\ns = 7").ok().map(|d| d.s.0), Some(7));
        assert_eq!(doc("t = 1\ns = \"1KiB\"").ok().map(|d| d.s.0), Some(1024));
        assert!(doc("t = 1\ns = -7").is_err());
        let err = doc("t = 1\ns = \"lots\"").err().unwrap_or_default();
        assert!(err.contains("invalid size"), "{err}");
    }
}
