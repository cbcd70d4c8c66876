//! A capped output buffer shared by both backends' stdout/stderr plumbing.
//!
//! The guest may write any amount; the first `cap` bytes are kept and the
//! rest only counted, so a guest that floods its output cannot grow host
//! memory and never sees a write error.

use std::sync::{Arc, Mutex, PoisonError};

use std::time::Instant;

use crate::{Captured, Invocation, Outcome, OutputStream, Status, Tee};

/// A clonable handle on one capped buffer.
#[derive(Clone, Debug)]
pub(crate) struct CaptureBuf {
    inner: Arc<Mutex<Captured>>,
    cap: usize,
    tee: Option<(Tee, OutputStream)>,
}

impl CaptureBuf {
    pub(crate) fn new(cap: usize) -> Self {
        CaptureBuf {
            inner: Arc::new(Mutex::new(Captured::default())),
            cap,
            tee: None,
        }
    }

    fn teed(cap: usize, tee: Option<&Tee>, stream: OutputStream) -> Self {
        CaptureBuf {
            tee: tee.map(|t| (t.clone(), stream)),
            ..CaptureBuf::new(cap)
        }
    }

    /// Keep what fits under the cap, count everything.
    pub(crate) fn write(&self, data: &[u8]) {
        let mut c = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        c.total += data.len() as u64;
        let room = self.cap.saturating_sub(c.bytes.len());
        if data.len() > room {
            c.truncated = true;
        }
        let keep = data.len().min(room);
        c.bytes.extend_from_slice(&data[..keep]);
        if let (Some((tee, stream)), true) = (&self.tee, keep > 0) {
            // Called under the lock so chunks keep their order.
            (tee.0)(*stream, &data[..keep]);
        }
    }

    /// Take the captured bytes out, leaving the buffer empty.
    pub(crate) fn take(&self) -> Captured {
        let mut c = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        std::mem::take(&mut *c)
    }
}

/// Run `f` with fresh capture buffers for the invocation and assemble the
/// outcome, timing everything from the first instruction.
pub(crate) fn run_captured(
    inv: &Invocation,
    f: impl FnOnce(&CaptureBuf, &CaptureBuf, Instant) -> Status,
) -> Outcome {
    let start = Instant::now();
    let stdout = CaptureBuf::teed(inv.output_cap, inv.tee.as_ref(), OutputStream::Stdout);
    let stderr = CaptureBuf::teed(inv.output_cap, inv.tee.as_ref(), OutputStream::Stderr);
    let status = f(&stdout, &stderr, start);
    Outcome {
        status,
        stdout: stdout.take(),
        stderr: stderr.take(),
        duration: start.elapsed(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_first_bytes_and_counts_the_rest() {
        let buf = CaptureBuf::new(4);
        buf.write(b"ab");
        buf.write(b"cdef");
        buf.write(b"gh");
        let c = buf.take();
        assert_eq!(c.bytes, b"abcd");
        assert!(c.truncated);
        assert_eq!(c.total, 8);
    }

    #[test]
    fn exact_fit_is_not_truncated() {
        let buf = CaptureBuf::new(3);
        buf.write(b"abc");
        let c = buf.take();
        assert!(!c.truncated);
        assert_eq!(c.bytes, b"abc");
    }
}
