//! Unit tests of the partition kinds and the longest-first deal.

use super::*;

fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("dir{}/case{i}", i % 7)).collect()
}

fn refs(names: &[String]) -> Vec<&str> {
    names.iter().map(String::as_str).collect()
}

fn part(s: &str) -> Partition {
    s.parse().expect("valid")
}

/// Timings of the i-th name: `ms(i)`, on two engines (half each).
fn timed(names: &[String], ms: impl Fn(usize) -> f64) -> Timings {
    names
        .iter()
        .enumerate()
        .flat_map(|(i, n)| [(n.clone(), ms(i) / 2.0), (n.clone(), ms(i) / 2.0)])
        .collect()
}

/// Each shard's total cost under `kind` (positions from `plan`).
fn loads(kind: &str, total: u64, names: &[&str], costs: &[f64], t: &Timings) -> Vec<f64> {
    (1..=total)
        .map(|k| {
            let plan = part(&format!("{kind}:{k}/{total}")).plan(names, Some(t));
            plan.positions.iter().map(|&i| costs[i]).sum()
        })
        .collect()
}

fn balance(loads: &[f64]) -> f64 {
    let mean = loads.iter().sum::<f64>() / loads.len() as f64;
    loads.iter().copied().fold(0.0, f64::max) / mean
}

#[test]
fn parses_and_rejects() {
    let p = part("hash:2/4");
    assert_eq!((p.kind, p.shard, p.total), (Kind::Hash, 2, 4));
    assert_eq!(p.to_string(), "hash:2/4");
    let p = part("duration:3/5");
    assert_eq!((p.kind, p.shard, p.total), (Kind::Duration, 3, 5));
    assert_eq!(p.to_string(), "duration:3/5");
    for bad in [
        "hash:0/4",
        "count:5/4",
        "hash:1/0",
        "slice:1/2",
        "hash:1",
        "count:a/b",
        "duration:0/2",
    ] {
        let err = bad.parse::<Partition>().expect_err(bad);
        assert!(err.contains("hash:K/N or count:K/N"), "{err}");
        assert!(err.contains("duration:K/N with --timings"), "{err}");
    }
}

#[test]
fn every_case_is_in_exactly_one_shard() {
    let names = names(1000);
    let t = timed(&names[..700], |i| (i % 13) as f64 * 10.0);
    for kind in ["hash", "count", "duration"] {
        for total in [1u64, 2, 3, 7] {
            let mut seen = vec![0; names.len()];
            for k in 1..=total {
                let p = part(&format!("{kind}:{k}/{total}"));
                for i in p.plan(&refs(&names), Some(&t)).positions {
                    seen[i] += 1;
                }
            }
            assert!(seen.iter().all(|&n| n == 1), "{kind}/{total}: {seen:?}");
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
    let p = part("hash:1/3");
    let before: Vec<bool> = names(50).iter().map(|n| p.contains(0, n)).collect();
    let after: Vec<bool> = names(50).iter().map(|n| p.contains(999, n)).collect();
    assert_eq!(before, after);
    assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
}

#[test]
fn the_longest_first_deal_is_the_textbook_one_and_deterministic() {
    // Costs 7 5 4 3 3 2 on two shards: 7→1, 5→2, 4→2 (5<7), 3 "d"→1
    // (7<9), 3 "e"→2 (9<10), 2→1 (10<12).
    let names = ["a", "b", "c", "d", "e", "f"];
    let costs = [7.0, 5.0, 4.0, 3.0, 3.0, 2.0];
    let slots = deal_longest_first(&names, &costs, 2);
    assert_eq!(slots, vec![0, 1, 1, 0, 1, 0]);
    // Equal costs go by name, whatever the order they come in.
    let slots = deal_longest_first(&["x", "y", "z"], &[1.0, 1.0, 1.0], 2);
    assert_eq!(slots, vec![0, 1, 0]);
    let names = names.map(str::to_owned);
    let t = timed(&names, |i| costs[i]);
    let p = part("duration:2/2");
    assert_eq!(
        p.plan(&refs(&names), Some(&t)),
        p.plan(&refs(&names), Some(&t))
    );
    let pred = p.plan(&refs(&names), Some(&t)).prediction.expect("timed");
    assert_eq!(pred.shards_ms, vec![12.0, 12.0]);
}

#[test]
fn duration_balances_a_skewed_suite_that_count_and_hash_do_not() {
    // A few cases take seconds, most take milliseconds.
    let names = names(200);
    let cost = |i: usize| match i % 50 {
        0 => 4000.0,
        1..=4 => 900.0,
        _ => 5.0 + (i % 9) as f64,
    };
    let costs: Vec<f64> = (0..names.len()).map(cost).collect();
    let t = timed(&names, cost);
    let names = refs(&names);
    let duration = balance(&loads("duration", 4, &names, &costs, &t));
    let count = balance(&loads("count", 4, &names, &costs, &t));
    let hash = balance(&loads("hash", 4, &names, &costs, &t));
    assert!(duration < 1.02, "duration {duration}");
    assert!(
        duration < count && duration < hash,
        "{duration} {count} {hash}"
    );
    // The prediction is the same sums.
    let pred = part("duration:1/4").plan(&names, Some(&t)).prediction;
    let pred = pred.expect("timed");
    assert_eq!(pred.shards_ms, loads("duration", 4, &names, &costs, &t));
    assert!((pred.total_ms() - costs.iter().sum::<f64>()).abs() < 1e-6);
}

#[test]
fn cases_without_a_timing_count_as_the_median() {
    let names: Vec<String> = ["a", "b", "c", "d", "e"].map(String::from).into();
    // a, b, c known (1, 9, 5 s); d and e not.
    let t: Timings = [("a", 1000.0), ("b", 9000.0), ("c", 5000.0)]
        .map(|(n, ms)| (n.to_owned(), ms))
        .into_iter()
        .collect();
    let plan = part("duration:1/2").plan(&refs(&names), Some(&t));
    let pred = plan.prediction.expect("timed");
    assert_eq!((pred.untimed, pred.median_ms, pred.unused), (2, 5000.0, 0));
    assert_eq!(pred.total_ms(), 25_000.0);
    // b (9) → 1; c, d, e (5 each, by name) → 2, 2, 1; a (1) → 2.
    assert_eq!(pred.shards_ms, vec![14_000.0, 11_000.0]);
    assert_eq!(plan.positions, vec![1, 4]);
    assert_eq!(median(vec![]), 0.0);
    assert_eq!(median(vec![4.0, 1.0]), 2.5);
}

#[test]
fn timings_of_unknown_cases_are_counted_and_otherwise_ignored() {
    let names: Vec<String> = ["a", "b"].map(String::from).into();
    let t: Timings = [("a", 10.0), ("b", 20.0), ("gone", 500.0), ("old/x", 1.0)]
        .map(|(n, ms)| (n.to_owned(), ms))
        .into_iter()
        .collect();
    let plan = part("duration:1/2").plan(&refs(&names), Some(&t));
    let pred = plan.prediction.expect("timed");
    assert_eq!((pred.untimed, pred.unused), (0, 2));
    assert_eq!(pred.shards_ms, vec![20.0, 10.0]);
    assert_eq!(plan.positions, vec![1]);
}

#[test]
fn without_timings_duration_deals_as_count() {
    let mut names = names(23);
    names.sort();
    let none = Timings::default();
    for k in 1..=4 {
        let count = part(&format!("count:{k}/4")).plan(&refs(&names), None);
        let duration = part(&format!("duration:{k}/4"));
        assert_eq!(duration.plan(&refs(&names), None), count);
        // A file that times none of the cases: every case costs 0, and
        // zeros are dealt in turn, as count does.
        let plan = duration.plan(&refs(&names), Some(&none));
        assert_eq!(plan.positions, count.positions);
        assert_eq!(plan.prediction.map(|p| p.untimed), Some(23));
    }
    // hash and count ignore timings.
    let t = timed(&names, |i| i as f64);
    let p = part("hash:1/3");
    assert_eq!(p.plan(&refs(&names), Some(&t)), p.plan(&refs(&names), None));
}

#[test]
fn timings_sum_the_engines_and_skip_jobs_that_never_ran() {
    let mut rs = Vec::new();
    for (case, engine, status, ms) in [
        ("a", "wasmtime", Status::Pass, 10.0),
        ("a", "wasmer", Status::Fail, 30.0),
        ("b", "wasmtime", Status::NotRun, 0.0),
        ("c", "wasmi", Status::Skip, 0.0),
    ] {
        let mut r = CaseResult::new(case, engine, status);
        r.duration_ms = ms;
        rs.push(r);
    }
    let t = Timings::from_results(Path::new("run.json"), "s", &rs);
    assert_eq!(t.file, Path::new("run.json"));
    let ms = |t: &Timings| -> Vec<(String, f64)> {
        t.ms.iter().map(|(n, ms)| (n.clone(), *ms)).collect()
    };
    assert_eq!(ms(&t), vec![("a".into(), 40.0), ("c".into(), 0.0)]);
    // In a merge of several suites, records name theirs: only suite s counts.
    for (r, suite) in rs.iter_mut().zip(["s", "s", "other", "other"]) {
        r.suite = suite.into();
    }
    let t = Timings::from_results(Path::new("all.json"), "s", &rs);
    assert_eq!(ms(&t), vec![("a".into(), 40.0)]);
}

#[test]
fn a_missing_or_malformed_timings_file_is_a_usage_error_naming_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("missing.json");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"results\": [ oops").expect("write");
    for path in [missing, bad] {
        let e = Timings::load(&path, "t").expect_err("not a run");
        assert_eq!(e.exit_code(), crate::exit::USAGE, "{e}");
        assert!(e.to_string().contains(&path.display().to_string()), "{e}");
        assert!(e.to_string().contains("--timings"), "{e}");
    }
}
