//! Shards of a suite, the way CI matrices split big suites across machines.
//!
//! Two kinds, as `--partition KIND:K/N` (shard K of N, counting from 1):
//! - `count:K/N`: the selected cases in name order are dealt out in turn;
//!   shard K gets cases K, K+N, K+2N, … Shards differ by at most one case,
//!   but adding a case moves the cases after it to other shards.
//! - `hash:K/N`: a case goes to the shard its name's hash picks. Shards are
//!   less even, but a case stays in its shard when others come and go.
//!
//! Either way every case is in exactly one shard, decided from the names
//! alone, so N machines running shards 1..N of the same checkout run every
//! case once. The hash is FNV-1a (64-bit), fixed here so it never changes
//! between builds or platforms.

use std::fmt;
use std::str::FromStr;

/// One shard of a suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    /// Which way cases are dealt.
    pub kind: Kind,
    /// This shard, 1-based.
    pub shard: u64,
    /// How many shards there are.
    pub total: u64,
}

/// How cases are dealt to shards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// In turn, by position in name order.
    Count,
    /// By a hash of the case name.
    Hash,
}

impl FromStr for Partition {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let usage = || {
            format!(
                "invalid partition {s:?}: use hash:K/N or count:K/N with 1 <= K <= N, e.g. hash:2/4"
            )
        };
        let (kind, rest) = s.split_once(':').ok_or_else(usage)?;
        let kind = match kind {
            "hash" => Kind::Hash,
            "count" => Kind::Count,
            _ => return Err(usage()),
        };
        let (k, n) = rest.split_once('/').ok_or_else(usage)?;
        let shard: u64 = k.trim().parse().map_err(|_| usage())?;
        let total: u64 = n.trim().parse().map_err(|_| usage())?;
        if shard == 0 || total == 0 || shard > total {
            return Err(usage());
        }
        Ok(Partition { kind, shard, total })
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            Kind::Count => "count",
            Kind::Hash => "hash",
        };
        write!(f, "{kind}:{}/{}", self.shard, self.total)
    }
}

impl Partition {
    /// Whether the case `name`, at `position` among the selected cases in
    /// name order, belongs to this shard.
    pub fn contains(&self, position: usize, name: &str) -> bool {
        let slot = match self.kind {
            Kind::Count => position as u64 % self.total,
            Kind::Hash => fnv1a(name.as_bytes()) % self.total,
        };
        slot + 1 == self.shard
    }
}

/// 64-bit FNV-1a.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("dir{}/case{i}", i % 7)).collect()
    }

    #[test]
    fn parses_and_rejects() {
        let p: Partition = "hash:2/4".parse().expect("valid");
        assert_eq!((p.kind, p.shard, p.total), (Kind::Hash, 2, 4));
        assert_eq!(p.to_string(), "hash:2/4");
        for bad in [
            "hash:0/4",
            "count:5/4",
            "hash:1/0",
            "slice:1/2",
            "hash:1",
            "count:a/b",
        ] {
            let err = bad.parse::<Partition>().expect_err(bad);
            assert!(err.contains("hash:K/N or count:K/N"), "{err}");
        }
    }

    #[test]
    fn every_case_is_in_exactly_one_shard() {
        let names = names(1000);
        for kind in ["hash", "count"] {
            for total in [1u64, 2, 3, 7] {
                let shards: Vec<Partition> = (1..=total)
                    .map(|k| format!("{kind}:{k}/{total}").parse().expect("valid"))
                    .collect();
                for (i, name) in names.iter().enumerate() {
                    let n = shards.iter().filter(|p| p.contains(i, name)).count();
                    assert_eq!(n, 1, "{name} in {n} shards of {kind}/{total}");
                }
            }
        }
    }

    #[test]
    fn count_shards_are_even_and_hash_shards_roughly_so() {
        let names = names(1000);
        let size = |p: &str| {
            let p: Partition = p.parse().expect("valid");
            names
                .iter()
                .enumerate()
                .filter(|(i, n)| p.contains(*i, n))
                .count()
        };
        assert_eq!(size("count:1/3"), 334);
        assert_eq!(size("count:3/3"), 333);
        for k in 1..=4 {
            let n = size(&format!("hash:{k}/4"));
            assert!((200..300).contains(&n), "hash:{k}/4 has {n}");
        }
    }

    #[test]
    fn a_hash_shard_does_not_move_when_cases_are_added() {
        let p: Partition = "hash:1/3".parse().expect("valid");
        let before: Vec<bool> = names(50).iter().map(|n| p.contains(0, n)).collect();
        let after: Vec<bool> = names(50).iter().map(|n| p.contains(999, n)).collect();
        assert_eq!(before, after);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
