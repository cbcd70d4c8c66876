//! Retrying a failing job: `--retries N` runs it up to N more times, and a
//! pass after failures is flaky, with the earlier attempts kept.

use xharness_reports::{Attempt, Reason, Status};

use crate::verdict::JobRecord;

/// Run `attempt` until it passes, fails in a way a retry cannot change, or
/// `retries` more attempts have failed. A pass after failures is flaky, and
/// the earlier attempts are kept in the record.
pub fn with_retries(
    retries: u32,
    bless: bool,
    mut attempt: impl FnMut() -> JobRecord,
) -> JobRecord {
    let mut attempts: Vec<Attempt> = Vec::new();
    loop {
        let mut record = attempt();
        let r = &mut record.result;
        let retryable = matches!(r.status, Status::Fail | Status::Error)
            && r.reason != Some(Reason::CompileError)
            && !(bless && r.reason == Some(Reason::OutputMismatch));
        if !retryable || attempts.len() as u32 >= retries || crate::sys::interrupted() {
            if r.status == Status::Pass && !attempts.is_empty() {
                r.status = Status::Flaky;
            }
            r.attempts = attempts;
            return record;
        }
        attempts.push(Attempt {
            status: r.status,
            reason: r.reason,
            duration_ms: r.duration_ms,
            detail: std::mem::take(&mut r.detail),
            mismatches: std::mem::take(&mut r.mismatches),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xharness_reports::CaseResult;

    /// Attempts that end as `statuses` say, in order.
    fn scripted(statuses: &[(Status, Option<Reason>)]) -> impl FnMut() -> JobRecord + '_ {
        let mut next = statuses.iter();
        move || {
            let (status, reason) = next.next().expect("no more attempts were scripted");
            let mut r = CaseResult::new("c", "e", *status);
            r.reason = *reason;
            r.detail = format!("{status:?}");
            JobRecord::bare(r)
        }
    }

    #[test]
    fn a_pass_after_failures_is_flaky_and_keeps_the_attempts() {
        let fail = (Status::Fail, Some(Reason::ExitCode));
        let pass = (Status::Pass, None);
        let script = [fail, fail, pass];
        let r = with_retries(2, false, scripted(&script)).result;
        assert_eq!(r.status, Status::Flaky);
        assert_eq!(r.attempts.len(), 2);
        assert!(r.attempts.iter().all(|a| a.status == Status::Fail));
        // With fewer retries than failures it stays a failure.
        let r = with_retries(1, false, scripted(&script)).result;
        assert_eq!((r.status, r.attempts.len()), (Status::Fail, 1));
        // A first-time pass is a pass, with no attempts.
        let r = with_retries(3, false, scripted(&[pass])).result;
        assert_eq!((r.status, r.attempts.len()), (Status::Pass, 0));
    }

    #[test]
    fn compile_errors_and_mismatches_under_bless_are_not_retried() {
        let compile = (Status::Fail, Some(Reason::CompileError));
        let r = with_retries(3, false, scripted(&[compile])).result;
        assert_eq!((r.status, r.attempts.len()), (Status::Fail, 0));
        let mismatch = (Status::Fail, Some(Reason::OutputMismatch));
        let r = with_retries(3, true, scripted(&[mismatch])).result;
        assert_eq!((r.status, r.attempts.len()), (Status::Fail, 0));
        // Without bless a mismatch is retried.
        let r = with_retries(1, false, scripted(&[mismatch, (Status::Pass, None)])).result;
        assert_eq!(r.status, Status::Flaky);
    }
}
