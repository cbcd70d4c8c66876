//! Capped output capture, shared by every backend and the worker pool.
//!
//! A backend runs a guest inside [`run_captured`], which hands it a
//! [`CaptureBuf`] for stdout and one for stderr, and writes each chunk
//! the guest prints into them ([`CaptureBuf::write`]); the rest (the cap,
//! the live tee to the worker's parent, timing, the [`crate::Outcome`])
//! is done here.
//!
//! The guest may write any amount. Up to the cap everything is kept; past
//! it, the first half of the cap and the last half are kept and the middle
//! is only counted ([`HeadTail`]), so a guest that floods its output cannot
//! grow host memory, never sees a write error, and still shows how it
//! ended: libtest's summary line, or the panic after 20 MB of logging.
//!
//! A marker line stands where bytes were dropped whenever the output is
//! shown ([`drop_marker`], [`Captured::shown`]).

use std::collections::VecDeque;
use std::ops::Range;
use std::sync::{Arc, Mutex, PoisonError};

use std::time::Instant;

use crate::{Captured, Invocation, Outcome, OutputStream, Status, Tee};

/// A stream capped at `cap` bytes: the first `cap - cap / 2` bytes and the
/// last `cap / 2` bytes are kept, everything is counted.
#[derive(Debug, Clone)]
pub struct HeadTail {
    head_cap: usize,
    tail_cap: usize,
    head: Vec<u8>,
    tail: VecDeque<u8>,
    total: u64,
}

impl HeadTail {
    /// An empty stream capped at `cap` bytes.
    pub fn new(cap: usize) -> Self {
        HeadTail {
            head_cap: cap - cap / 2,
            tail_cap: cap / 2,
            head: Vec::new(),
            tail: VecDeque::new(),
            total: 0,
        }
    }

    /// Add bytes the guest wrote.
    pub fn push(&mut self, data: &[u8]) {
        self.total += data.len() as u64;
        let into_head = data.len().min(self.head_cap - self.head.len());
        self.head.extend_from_slice(&data[..into_head]);
        let rest = &data[into_head..];
        if rest.len() >= self.tail_cap {
            self.tail.clear();
            self.tail.extend(&rest[rest.len() - self.tail_cap..]);
        } else {
            let excess = (self.tail.len() + rest.len()).saturating_sub(self.tail_cap);
            self.tail.drain(..excess);
            self.tail.extend(rest);
        }
    }

    /// Bytes pushed so far, kept or not.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// How many of the first bytes are kept as the head.
    pub fn head_cap(&self) -> usize {
        self.head_cap
    }

    /// The kept tail, for callers that stream the head as it comes.
    pub fn tail(&self) -> Vec<u8> {
        self.tail.iter().copied().collect()
    }

    /// The kept bytes and what was dropped.
    pub fn finish(self) -> Captured {
        let kept = (self.head.len() + self.tail.len()) as u64;
        let dropped = (self.total > kept)
            .then(|| self.head.len() as u64..self.total - self.tail.len() as u64);
        let mut bytes = self.head;
        bytes.extend(self.tail);
        Captured {
            bytes,
            total: self.total,
            dropped,
        }
    }
}

/// The line that stands where `dropped` bytes of a `total`-byte stream
/// were left out, newline-terminated.
pub fn drop_marker(dropped: &Range<u64>, total: u64) -> String {
    format!(
        "[xharness: {} bytes dropped here (bytes {}..{} of {}): the output passed max_output, so only its first and last parts are kept]\n",
        dropped.end - dropped.start,
        dropped.start,
        dropped.end,
        total
    )
}

/// `head`, then `marker` on a line of its own, then `tail`.
pub fn join_marked(head: &[u8], marker: &str, tail: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(head.len() + marker.len() + tail.len() + 1);
    out.extend_from_slice(head);
    if !head.is_empty() && !head.ends_with(b"\n") {
        out.push(b'\n');
    }
    out.extend_from_slice(marker.as_bytes());
    out.extend_from_slice(tail);
    out
}

/// A clonable handle on one capped buffer, teed as it fills.
///
/// The tee sees only kept bytes: the head as it is written, then nothing
/// until [`CaptureBuf::take`], which sends the kept tail. A reader that
/// caps what it receives with a [`HeadTail`] of the same size thus ends
/// with the same bytes; if the run is killed before it ends, it has the
/// head.
#[derive(Clone, Debug)]
pub struct CaptureBuf {
    inner: Arc<Mutex<HeadTail>>,
    cap: usize,
    tee: Option<(Tee, OutputStream)>,
}

impl CaptureBuf {
    /// An empty buffer capped at `cap` bytes, with no tee.
    pub fn new(cap: usize) -> Self {
        CaptureBuf {
            inner: Arc::new(Mutex::new(HeadTail::new(cap))),
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

    /// Keep what the cap allows, count everything.
    pub fn write(&self, data: &[u8]) {
        let mut c = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let before = c.total();
        c.push(data);
        let live = (c.head_cap() as u64)
            .saturating_sub(before)
            .min(data.len() as u64) as usize;
        if let (Some((tee, stream)), true) = (&self.tee, live > 0) {
            // Called under the lock so chunks keep their order.
            (tee.0)(*stream, &data[..live]);
        }
    }

    /// Take the captured bytes out, leaving the buffer empty; the tee gets
    /// the kept tail if the stream passed the cap.
    pub fn take(&self) -> Captured {
        let mut c = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let c = std::mem::replace(&mut *c, HeadTail::new(self.cap));
        if let (Some((tee, stream)), true) = (&self.tee, c.total() > c.head_cap() as u64) {
            let tail = c.tail();
            if !tail.is_empty() {
                (tee.0)(*stream, &tail);
            }
        }
        c.finish()
    }
}

/// Run `f` with fresh capture buffers for the invocation (stdout, stderr,
/// the start time) and assemble the outcome, timing everything from the
/// first instruction. With [`crate::Stdio::Inherit`] the buffers stay
/// empty: the backend connects the host's streams instead.
pub fn run_captured(
    inv: &Invocation,
    f: impl FnOnce(&CaptureBuf, &CaptureBuf, Instant) -> Status,
) -> Outcome {
    let start = Instant::now();
    let stdout = CaptureBuf::teed(inv.output_cap, inv.tee.as_ref(), OutputStream::Stdout);
    // Combined output: both streams write into one buffer, so their
    // bytes stay in write order; stderr's own buffer stays empty.
    let stderr = if inv.combine_output {
        stdout.clone()
    } else {
        CaptureBuf::teed(inv.output_cap, inv.tee.as_ref(), OutputStream::Stderr)
    };
    let status = f(&stdout, &stderr, start);
    let stderr = if inv.combine_output {
        Captured::default()
    } else {
        stderr.take()
    };
    Outcome::new(status, stdout.take(), stderr, start.elapsed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_first_and_last_halves_and_counts_the_rest() {
        let buf = CaptureBuf::new(4);
        buf.write(b"ab");
        buf.write(b"cdef");
        buf.write(b"gh");
        let c = buf.take();
        assert_eq!(c.bytes, b"abgh");
        assert_eq!(c.dropped, Some(2..6));
        assert_eq!(c.total, 8);
        assert_eq!(
            String::from_utf8_lossy(&c.shown()),
            "ab\n[xharness: 4 bytes dropped here (bytes 2..6 of 8): the output passed max_output, so only its first and last parts are kept]\ngh"
        );
    }

    #[test]
    fn exact_fit_is_not_truncated() {
        let buf = CaptureBuf::new(3);
        buf.write(b"a");
        buf.write(b"bc");
        let c = buf.take();
        assert!(!c.truncated());
        assert_eq!(c.bytes, b"abc");
        assert_eq!(&*c.shown(), b"abc");
    }

    #[test]
    fn one_big_write_keeps_its_own_ends() {
        let mut h = HeadTail::new(6);
        h.push(b"0123456789");
        let c = h.finish();
        assert_eq!(c.bytes, b"012789");
        assert_eq!(c.dropped, Some(3..7));
    }

    #[test]
    fn a_reader_capping_the_tee_ends_with_the_same_bytes() {
        for sizes in [&[3usize, 9, 1, 40][..], &[5], &[1; 13], &[12, 2]] {
            let seen = Arc::new(Mutex::new(Vec::new()));
            let sink = seen.clone();
            let tee = Tee(Arc::new(move |_, b: &[u8]| {
                sink.lock().unwrap().extend_from_slice(b)
            }));
            let buf = CaptureBuf::teed(10, Some(&tee), OutputStream::Stdout);
            let mut all = Vec::new();
            for (i, n) in sizes.iter().enumerate() {
                let chunk: Vec<u8> = (0..*n).map(|k| b'a' + ((i * 7 + k) % 26) as u8).collect();
                buf.write(&chunk);
                all.extend(chunk);
            }
            let c = buf.take();
            // Only kept bytes cross: never more than the cap.
            assert!(seen.lock().unwrap().len() <= 10, "{sizes:?}");
            let mut reader = HeadTail::new(10);
            reader.push(&seen.lock().unwrap());
            assert_eq!(reader.finish().bytes, c.bytes, "{sizes:?}");
            let mut direct = HeadTail::new(10);
            direct.push(&all);
            assert_eq!(direct.finish(), c, "{sizes:?}");
        }
    }

    #[test]
    fn keeping_fewer_ends_widens_the_dropped_range() {
        let mut h = HeadTail::new(8);
        h.push(b"abcdefghijklmnopqrst");
        let c = h.finish();
        assert_eq!(
            (c.bytes.as_slice(), c.dropped.clone()),
            (&b"abcdqrst"[..], Some(4..16))
        );
        let small = c.keep_ends(4);
        assert_eq!(
            (small.bytes.as_slice(), small.dropped),
            (&b"abst"[..], Some(2..18))
        );
        let whole = Captured::whole(b"0123456789".to_vec()).keep_ends(4);
        assert_eq!(
            (whole.bytes.as_slice(), whole.dropped),
            (&b"0189"[..], Some(2..8))
        );
    }
}
