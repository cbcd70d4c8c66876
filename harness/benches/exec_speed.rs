//! The cost of `xharness exec` on a program that execs a lot: a shell loop
//! that runs `/bin/true` 300 times, natively, under `xharness exec`, and
//! under `proot -q` (Debian package `proot`; skipped with a note when it
//! is not installed). Prints medians of `REPS` interleaved runs and the
//! ratio to native.
//!
//! `cargo bench --profile dev -p xharness --bench exec_speed`

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const EXE: &str = env!("CARGO_BIN_EXE_xharness");
const REPS: usize = 11;
const LOOP: &str = "i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i+1)); done";

fn time(argv: &[&str]) -> Duration {
    let start = Instant::now();
    let status = Command::new(argv[0])
        .args(&argv[1..])
        .stdin(Stdio::null())
        .status()
        .expect("starts");
    let elapsed = start.elapsed();
    assert!(status.success(), "{argv:?}: {status}");
    elapsed
}

fn main() {
    let proot = Command::new("proot")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let mut sides: Vec<(&str, Vec<&str>)> = vec![
        ("native", vec!["sh", "-c", LOOP]),
        ("xharness exec", vec![EXE, "exec", "--", "sh", "-c", LOOP]),
    ];
    if proot {
        sides.push((
            "proot -q",
            vec!["proot", "-q", "/bin/true", "sh", "-c", LOOP],
        ));
    } else {
        println!("proot not installed (apt-get install -y proot): its row is skipped");
    }
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); sides.len()];
    for _ in 0..REPS {
        for (i, (_, argv)) in sides.iter().enumerate() {
            times[i].push(time(argv));
        }
    }
    let medians: Vec<Duration> = times
        .iter_mut()
        .map(|t| {
            t.sort();
            t[t.len() / 2]
        })
        .collect();
    println!("300 execs of /bin/true from a shell loop; medians of {REPS} runs");
    for ((name, _), m) in sides.iter().zip(&medians) {
        println!(
            "{name:<14} {:>8.1} ms  {:>5.2}x native",
            m.as_secs_f64() * 1000.0,
            m.as_secs_f64() / medians[0].as_secs_f64()
        );
    }
}
