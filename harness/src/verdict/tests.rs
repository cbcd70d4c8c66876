//! Every verdict rule as a table: how the run ended, its output against
//! the goldens, and the case's expectation, in, the record's status and
//! reason out.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use xharness_engines::{Captured, Outcome, Status as RunStatus, TrapKind};
use xharness_golden::Normalizer;
use xharness_reports::{Reason, Status};
use xharness_suites::{Case, CaseExpect, CaseKind, CaseRun, CaseSource, Expectation, Mode};

use super::{JobRecord, Norms, judge};
use crate::worker::{JobEnd, KillReason};

/// A case whose stdout golden holds `hello\n`, expecting exit code 0.
fn case(dir: &Path, expect: Option<Expectation>) -> Case {
    std::fs::write(dir.join("t.stdout"), "hello\n").expect("write the golden");
    Case {
        name: "t".into(),
        source: CaseSource {
            src: dir.join("t.wat"),
            dir: dir.to_path_buf(),
            stem: "t".into(),
        },
        run: CaseRun {
            args: vec![],
            env: vec![],
            dirs: vec![],
            stdin: None,
            timeout: Duration::from_secs(3),
            max_memory: 1 << 20,
            max_output: 8,
            scratch: false,
            combine_output: false,
        },
        expect: CaseExpect {
            exit_code: 0,
            golden_stdout: dir.join("t.stdout"),
            golden_stderr: dir.join("t.stderr"),
            engines: expect
                .into_iter()
                .map(|e| ("wasmtime".to_string(), e))
                .collect::<BTreeMap<_, _>>(),
            mode: Mode::CompileAndRun,
            normalize: None,
            ignore_stdout: false,
            ignore_stderr: false,
        },
        info: vec![],
        kind: CaseKind::Generic { native: vec![] },
    }
}

fn norms() -> Norms {
    Norms::new(Normalizer::identity(), Normalizer::identity())
}

fn finished(status: RunStatus, stdout: Captured) -> JobEnd {
    JobEnd::Finished(Outcome::new(
        status,
        stdout,
        Captured::default(),
        Duration::from_millis(1),
    ))
}

fn hello() -> Captured {
    Captured::whole(b"hello\n".to_vec())
}

/// `hello\n` then 20 more bytes, capped at 8 as the capture would.
fn flooded() -> Captured {
    let mut h = xharness_engines::capture::HeadTail::new(8);
    h.push(b"hello\n");
    h.push(&[b'x'; 20]);
    h.finish()
}

fn killed(why: KillReason) -> JobEnd {
    JobEnd::Killed {
        why,
        stdout: hello(),
        stderr: Captured::default(),
        duration: Duration::from_secs(3),
    }
}

fn judged(end: JobEnd, expect: Option<Expectation>) -> JobRecord {
    let dir = tempfile::tempdir().expect("a temporary folder for the goldens");
    let c = case(dir.path(), expect);
    judge(&c, "wasmtime", end, &norms())
}

#[test]
fn each_ending_gives_its_status_and_reason() {
    let trap = RunStatus::Trapped {
        kind: TrapKind::Unreachable,
        message: "wasm trap: unreachable".into(),
    };
    let table: Vec<(&str, JobEnd, Status, Option<Reason>, &str)> = vec![
        (
            "pass",
            finished(RunStatus::Exited(0), hello()),
            Status::Pass,
            None,
            "",
        ),
        (
            "exit code",
            finished(RunStatus::Exited(3), hello()),
            Status::Fail,
            Some(Reason::ExitCode),
            "exited with code 3, expected 0",
        ),
        (
            "trap",
            finished(trap, hello()),
            Status::Fail,
            Some(Reason::Trap),
            "unreachable",
        ),
        (
            "timeout",
            killed(KillReason::Timeout),
            Status::Fail,
            Some(Reason::Timeout),
            "timed out after 3.0 s",
        ),
        (
            "memory",
            killed(KillReason::Memory),
            Status::Fail,
            Some(Reason::Memory),
            "memory limit of 1048576 bytes",
        ),
        (
            "memory in the engine",
            finished(RunStatus::MemoryLimit, hello()),
            Status::Fail,
            Some(Reason::Memory),
            "memory limit",
        ),
        (
            "instantiate",
            finished(RunStatus::InstantiateError("no import".into()), hello()),
            Status::Fail,
            Some(Reason::InstantiateError),
            "could not instantiate: no import",
        ),
        (
            "output mismatch",
            finished(RunStatus::Exited(0), Captured::whole(b"bye\n".to_vec())),
            Status::Fail,
            Some(Reason::OutputMismatch),
            "",
        ),
        (
            "truncated",
            finished(RunStatus::Exited(0), flooded()),
            Status::Fail,
            Some(Reason::OutputMismatch),
            "stdout: the guest wrote 26 bytes, over max_output",
        ),
        (
            "rejected",
            JobEnd::Rejected("bad magic".into()),
            Status::Fail,
            Some(Reason::CompileError),
            "rejected the module",
        ),
        (
            "interrupted",
            killed(KillReason::Interrupted),
            Status::NotRun,
            None,
            "interrupted",
        ),
        (
            "crashed",
            JobEnd::Crashed {
                message: "the worker process was killed by SIGSEGV".into(),
                stdout: Captured::default(),
                stderr: Captured::default(),
                duration: Duration::ZERO,
            },
            Status::Error,
            Some(Reason::WorkerCrash),
            "SIGSEGV",
        ),
    ];
    for (what, end, status, reason, detail) in table {
        let r = judged(end, None).result;
        assert_eq!(
            (r.status, r.reason),
            (status, reason),
            "{what}: {}",
            r.detail
        );
        assert!(r.detail.contains(detail), "{what}: {:?}", r.detail);
    }
}

#[test]
fn expectations_turn_failures_and_passes_around() {
    let xfail = || Some(Expectation::XFail("known".into()));
    let fragile = || Some(Expectation::Fragile("fragile(#7)".into()));
    let table: Vec<(&str, JobEnd, Option<Expectation>, Status)> = vec![
        (
            "xfail that fails",
            finished(RunStatus::Exited(1), hello()),
            xfail(),
            Status::XFail,
        ),
        (
            "xfail that passes",
            finished(RunStatus::Exited(0), hello()),
            xfail(),
            Status::XPass,
        ),
        (
            "fragile that fails",
            finished(RunStatus::Exited(1), hello()),
            fragile(),
            Status::XFail,
        ),
        (
            "fragile that passes",
            finished(RunStatus::Exited(0), hello()),
            fragile(),
            Status::Pass,
        ),
        (
            "xfail that floods",
            finished(RunStatus::Exited(0), flooded()),
            xfail(),
            Status::XFail,
        ),
    ];
    for (what, end, expect, status) in table {
        let r = judged(end, expect).result;
        assert_eq!(r.status, status, "{what}: {}", r.detail);
    }
    let r = judged(finished(RunStatus::Exited(0), hello()), xfail()).result;
    assert!(
        r.detail.contains("remove the [expect.wasmtime] entry"),
        "{}",
        r.detail
    );
    let r = judged(finished(RunStatus::Exited(1), hello()), fragile()).result;
    assert!(
        r.detail.contains("marked fragile (fragile(#7))"),
        "{}",
        r.detail
    );
}

#[test]
fn a_skip_is_recorded_without_running() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let c = case(dir.path(), Some(Expectation::Skip("needs sockets".into())));
    let r = super::skipped(&c, "wasmtime", "needs sockets");
    assert_eq!(r.status, Status::Skip);
    assert_eq!(r.expectation.as_deref(), Some("needs sockets"));
}

#[test]
fn a_truncated_stream_never_matches_even_where_its_kept_bytes_do() {
    // The golden equals the kept bytes with the marker: still a failure.
    let dir = tempfile::tempdir().expect("a temporary folder");
    let c = case(dir.path(), None);
    let out = flooded();
    std::fs::write(&c.expect.golden_stdout, out.shown()).expect("write the golden");
    let r = judge(
        &c,
        "wasmtime",
        finished(RunStatus::Exited(0), out),
        &norms(),
    )
    .result;
    assert_eq!(
        (r.status, r.reason),
        (Status::Fail, Some(Reason::OutputMismatch))
    );
    assert!(r.detail.contains("raise max_output"), "{}", r.detail);
    let [m] = r.mismatches.as_slice() else {
        panic!("one mismatch record: {:?}", r.mismatches)
    };
    assert!(m.truncated);
    let stdout = r.stdout.expect("stdout record");
    assert_eq!(stdout.bytes, 26);
    let dropped = stdout.dropped.expect("the dropped range");
    assert_eq!((dropped.start, dropped.end), (4, 22));
    let text = stdout.text.unwrap_or_default();
    assert!(
        text.starts_with("hell\n[xharness: 18 bytes dropped here"),
        "{text}"
    );
    assert!(text.ends_with("]\nxxxx"), "{text}");
}

#[test]
fn record_text_keeps_head_and_tail() {
    let long: Vec<u8> = (0..super::KEEP_TEXT + 100)
        .map(|i| b'a' + (i % 26) as u8)
        .collect();
    let text = super::capped_text(&long);
    assert!(text.len() < super::KEEP_TEXT + 200);
    let head = String::from_utf8_lossy(&long[..100]).into_owned();
    let tail = String::from_utf8_lossy(&long[long.len() - 100..]).into_owned();
    assert!(text.starts_with(&head));
    assert!(text.ends_with(&tail));
    assert!(text.contains("[xharness: 100 more bytes of this text not kept in the record]"));
}
