//! The parent's side of the protocol against a worker whose every step is
//! fixed: a shell script that writes prepared frames to the output and
//! result streams around the job, then exits or stays. (Real workers are
//! exercised end to end in `tests/run_model.rs`; there, when a worker dies
//! or answers depends on the machine's speed.)

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use super::*;
use crate::worker::protocol::{self, Done};
use xharness_engines::Status;

/// A worker, started ahead, that writes `output` to its output stream at
/// once, then waits for a job and answers with `results` on its result
/// stream (a shell builtin: no process start between the job and the
/// answer), then does `then`.
fn scripted(dir: &Path, output: &[(u8, &[u8])], results: &[(u8, Vec<u8>)], then: &str) -> Pool {
    let mut bytes = Vec::new();
    for (tag, payload) in output {
        protocol::write_frame(&mut bytes, *tag, payload).unwrap();
    }
    std::fs::write(dir.join("output"), bytes).unwrap();
    let mut answer = String::new();
    for (tag, payload) in results {
        let mut bytes = Vec::new();
        protocol::write_frame(&mut bytes, *tag, payload).unwrap();
        answer.extend(bytes.iter().map(|b| format!("\\{b:03o}")));
    }
    let script = dir.join("worker.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\ncat '{}' >&3\nhead -c 1 >/dev/null\nprintf '{answer}'\n{then}\n",
            dir.join("output").display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let pool = Pool::new(WorkerCommand::program(script), &[]);
    // The job comes once the worker has surely written its output and
    // waits, so that its answer comes while the parent is still watching
    // the result stream alone (had it not yet, the parent reads the output
    // as it comes; the outcome must be the same).
    pool.prestart(1);
    std::thread::sleep(Duration::from_millis(300));
    pool
}

fn done(output_frames: u64) -> (u8, Vec<u8>) {
    let done = Done {
        status: Status::Exited(0),
        stdout_total: 6,
        stdout_dropped: None,
        stderr_total: 4,
        stderr_dropped: None,
        duration_ns: 1,
        instructions: None,
        output_frames,
    };
    (protocol::DONE, serde_json::to_vec(&done).unwrap())
}

fn job() -> Job {
    Job {
        engine: "none".into(),
        wasm: "/nonexistent.wasm".into(),
        wasm_sha256: String::new(),
        cache_dir: "/nonexistent".into(),
        argv: vec!["m.wasm".into()],
        env: Vec::new(),
        preopens: Vec::new(),
        max_memory: 1 << 20,
        output_cap: 1 << 10,
        native: Vec::new(),
        combine_output: false,
        count_instructions: false,
    }
}

fn run(pool: &Pool) -> JobEnd {
    let watch = Watch {
        timeout: Duration::from_secs(20),
        max_rss: u64::MAX,
    };
    pool.run(&job(), b"", watch)
}

const OUTPUT: [(u8, &[u8]); 3] = [
    (protocol::STDOUT, b"one\n"),
    (protocol::STDERR, b"err\n"),
    (protocol::STDOUT, b"two\n"),
];

/// The output a crashed job kept: (message, stdout, stderr).
fn crashed(end: JobEnd) -> (String, Vec<u8>, Vec<u8>) {
    match end {
        JobEnd::Crashed {
            message,
            stdout,
            stderr,
            ..
        } => (message, stdout.shown().into(), stderr.shown().into()),
        other => panic!("expected a crash, got {other:?}"),
    }
}

fn finished(end: JobEnd) -> xharness_engines::Outcome {
    match end {
        JobEnd::Finished(outcome) => outcome,
        other => panic!("expected a finished job, got {other:?}"),
    }
}

#[test]
fn a_result_is_followed_by_reading_every_output_frame_it_counts() {
    let dir = tempfile::tempdir().unwrap();
    let pool = scripted(dir.path(), &OUTPUT, &[done(3)], "exec sleep 20");
    let outcome = finished(run(&pool));
    assert_eq!(outcome.stdout.shown().as_ref(), b"one\ntwo\n");
    assert_eq!(outcome.stderr.shown().as_ref(), b"err\n");
}

#[test]
fn a_worker_that_dies_before_its_result_still_hands_over_its_output() {
    let dir = tempfile::tempdir().unwrap();
    let pool = scripted(dir.path(), &OUTPUT, &[], "exit 7");
    let (message, stdout, stderr) = crashed(run(&pool));
    assert!(message.contains("exit"), "{message}");
    assert_eq!(stdout, b"one\ntwo\n");
    assert_eq!(stderr, b"err\n");
}

#[test]
fn a_result_that_counts_more_output_than_was_sent_is_a_crash_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let pool = scripted(dir.path(), &OUTPUT, &[done(4)], "exit 0");
    let (message, stdout, _) = crashed(run(&pool));
    let counted = "did not send all the output it counted";
    assert!(message.contains(counted), "{message}");
    assert_eq!(stdout, b"one\ntwo\n");
}

#[test]
fn workers_stopped_after_a_run_are_not_handed_later_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let pool = scripted(dir.path(), &OUTPUT, &[done(3)], "exec sleep 20");
    finished(run(&pool));
    pool.stop_idle();
    // The idle worker is dead now; the next job gets a new one.
    let outcome = finished(run(&pool));
    assert_eq!(outcome.stdout.shown().as_ref(), b"one\ntwo\n");
}
