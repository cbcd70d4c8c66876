//! The wire format between the parent and a worker: length-prefixed frames
//! on three pipes.
//!
//! A frame is one tag byte, a little-endian `u32` length and that many
//! bytes.
//! - Parent → worker, on the worker's stdin: `J` (a [`Job`] as JSON)
//!   followed by `I` (the guest's stdin, raw).
//! - Worker → parent, on its output stream (the descriptor the parent
//!   passes, see `sys::pass_output_fd`): any number of `O` / `E`
//!   (stdout / stderr bytes as the guest writes them, only what fits under
//!   the cap).
//! - Worker → parent, on its result stream (a private copy of its stdout):
//!   exactly one `D` ([`Done`] as JSON, which counts the job's output
//!   frames), `R` (the engine rejected the module: a message) or `N` (the
//!   engine could not be set up) per job, after all of the job's output.
//!
//! Output and results travel apart so that a short job wakes the parent
//! once: while it waits for the result alone, the guest's writes cost no
//! wake-up; once the result says how many output frames there were, the
//! parent reads exactly those. A job that runs longer is watched on both
//! streams, and after a kill or a crash the output stream is read to its
//! end, so output is never lost to either.

use std::io::{self, Read, Write};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use xharness_engines::Status;

/// Frame tags.
pub const JOB: u8 = b'J';
pub const STDIN: u8 = b'I';
pub const STDOUT: u8 = b'O';
pub const STDERR: u8 = b'E';
pub const DONE: u8 = b'D';
pub const REJECTED: u8 = b'R';
/// The job's engine could not be set up (its constructor failed or panicked).
pub const NO_ENGINE: u8 = b'N';

/// Frames larger than this are a protocol error, not an allocation.
const MAX_FRAME: u32 = 1 << 30;

/// One run of one module, as the worker needs it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Job {
    /// Engine name (`wasmtime`, `wasmer`).
    pub engine: String,
    /// The wasm module on disk (a toolchain artifact or the case's source).
    pub wasm: PathBuf,
    /// SHA-256 of the module's bytes (hex), the module cache's key.
    pub wasm_sha256: String,
    /// Root of the module cache.
    pub cache_dir: PathBuf,
    pub argv: Vec<String>,
    pub env: Vec<(String, String)>,
    /// (host dir, guest name, read-only)
    pub preopens: Vec<(PathBuf, String, bool)>,
    pub max_memory: u64,
    pub output_cap: usize,
    /// Native-import description files.
    #[serde(default)]
    pub native: Vec<PathBuf>,
    /// stderr captured into stdout, in write order.
    #[serde(default)]
    pub combine_output: bool,
    /// Run on the engine's counting variant ([`xharness_engines::Engine::counting`]),
    /// reporting the wasm instructions the guest executed.
    #[serde(default)]
    pub count_instructions: bool,
}

/// How a job ended inside the worker.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Done {
    pub status: Status,
    pub stdout_total: u64,
    /// The stream offsets the worker's capture dropped (head and tail kept).
    pub stdout_dropped: Option<std::ops::Range<u64>>,
    pub stderr_total: u64,
    pub stderr_dropped: Option<std::ops::Range<u64>>,
    pub duration_ns: u64,
    /// The wasm instructions the guest executed, on a counting engine.
    #[serde(default)]
    pub instructions: Option<u64>,
    /// How many `O` / `E` frames the job wrote to the output stream.
    pub output_frames: u64,
}

/// Write one frame with a single write (no flush: see [`write_job`]).
pub fn write_frame(out: &mut impl Write, tag: u8, payload: &[u8]) -> io::Result<()> {
    let len = u32::try_from(payload.len())
        .ok()
        .filter(|&n| n <= MAX_FRAME)
        .ok_or_else(|| io::Error::other("frame too large"))?;
    let mut frame = Vec::with_capacity(5 + payload.len());
    frame.push(tag);
    frame.extend_from_slice(&len.to_le_bytes());
    frame.extend_from_slice(payload);
    out.write_all(&frame)
}

/// Read one frame; `None` at a clean end of stream.
pub fn read_frame(input: &mut impl Read) -> io::Result<Option<(u8, Vec<u8>)>> {
    let mut header = [0u8; 5];
    match input.read_exact(&mut header[..1]) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    input.read_exact(&mut header[1..])?;
    let len = u32::from_le_bytes([header[1], header[2], header[3], header[4]]);
    if len > MAX_FRAME {
        return Err(io::Error::other(format!(
            "frame of {len} bytes is too large"
        )));
    }
    let mut payload = vec![0u8; len as usize];
    input.read_exact(&mut payload)?;
    Ok(Some((header[0], payload)))
}

/// Send a job and its stdin, then flush both at once.
pub fn write_job(out: &mut impl Write, job: &Job, stdin: &[u8]) -> io::Result<()> {
    let json = serde_json::to_vec(job).map_err(io::Error::other)?;
    write_frame(out, JOB, &json)?;
    write_frame(out, STDIN, stdin)?;
    out.flush()
}

/// Receive a job and its stdin; `None` when the parent closed the pipe.
pub fn read_job(input: &mut impl Read) -> io::Result<Option<(Job, Vec<u8>)>> {
    let Some((tag, json)) = read_frame(input)? else {
        return Ok(None);
    };
    if tag != JOB {
        return Err(io::Error::other(format!(
            "expected a job frame, got {tag:#x}"
        )));
    }
    let job: Job = serde_json::from_slice(&json).map_err(io::Error::other)?;
    match read_frame(input)? {
        Some((STDIN, stdin)) => Ok(Some((job, stdin))),
        _ => Err(io::Error::other(
            "a job frame must be followed by its stdin",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_round_trips_and_end_of_stream_is_none() {
        let job = Job {
            engine: "wasmer".into(),
            wasm: "/tmp/x.wasm".into(),
            wasm_sha256: "ab".into(),
            cache_dir: "/tmp/cache".into(),
            argv: vec!["x.wasm".into(), "a b".into()],
            env: vec![("K".into(), "V".into())],
            preopens: vec![("/tmp".into(), ".".into(), false)],
            max_memory: 1 << 20,
            output_cap: 10,
            native: Vec::new(),
            combine_output: false,
            count_instructions: true,
        };
        let mut wire = Vec::new();
        write_job(&mut wire, &job, b"in\0put").unwrap();
        let mut input = &wire[..];
        let (back, stdin) = read_job(&mut input).unwrap().unwrap();
        assert_eq!(back.argv, job.argv);
        assert!(back.count_instructions);
        assert_eq!(stdin, b"in\0put");
        assert!(read_job(&mut input).unwrap().is_none());
    }

    #[test]
    fn a_torn_frame_is_an_error_not_a_hang() {
        let mut wire = Vec::new();
        write_frame(&mut wire, STDOUT, b"hello").unwrap();
        wire.truncate(7);
        assert!(read_frame(&mut &wire[..]).is_err());
    }
}
