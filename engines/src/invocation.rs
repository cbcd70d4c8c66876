//! The plain data that crosses the engine seam: what to run, how it ended.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Default cap on captured bytes per output stream (1 MiB).
pub const DEFAULT_OUTPUT_CAP: usize = 1 << 20;

/// Host bytes one table element is charged against the memory limit. A
/// table slot costs a pointer or two in either engine; 16 keeps a
/// `table.grow` loop within the limit on both.
pub const TABLE_ELEMENT_BYTES: u64 = 16;

/// Everything one run of a module needs, as data.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// The guest's argv; `argv[0]` is the program name.
    pub argv: Vec<String>,
    /// Exactly the guest's environment: nothing is inherited from the host.
    pub env: Vec<(String, String)>,
    /// Bytes on the guest's stdin (ignored with [`Stdio::Inherit`]).
    pub stdin: Vec<u8>,
    /// Host directories the guest may see.
    pub preopens: Vec<Preopen>,
    /// Wall-clock limit for instantiation plus execution. Engines do not
    /// enforce it themselves (their generated code has no interrupt
    /// checks): the process that runs them does, by ending the process
    /// (xharness's worker pool and `xharness run`'s watchdog).
    pub timeout: Duration,
    /// Limit on the size of the guest's linear memory, in bytes.
    pub max_memory: u64,
    /// Cap on captured bytes per output stream; the guest may write more,
    /// the excess is counted and dropped.
    pub output_cap: usize,
    /// Whether output is captured or goes to the host's own streams.
    pub stdio: Stdio,
    /// Called with each captured chunk as the guest writes it (only the
    /// bytes kept under `output_cap`), so a process that is killed at a
    /// deadline has already passed on what the guest printed.
    pub tee: Option<Tee>,
    /// Native-import description files (see [`crate::native`]): the
    /// module's imports of each one's module come from its library.
    pub native: Vec<PathBuf>,
    /// Capture stderr into stdout's buffer, the two interleaved in the
    /// order the guest wrote them (GHC's `combined_output`, a shell's
    /// `2>&1`); the outcome's stderr is then empty. Only with
    /// [`Stdio::Capture`].
    pub combine_output: bool,
}

/// Which captured stream a [`Tee`] chunk belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputStream {
    Stdout,
    Stderr,
}

/// The function behind a [`Tee`].
pub type TeeFn = dyn Fn(OutputStream, &[u8]) + Send + Sync;

/// A listener for captured output, called on the guest's thread.
#[derive(Clone)]
pub struct Tee(pub Arc<TeeFn>);

impl fmt::Debug for Tee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Tee(..)")
    }
}

impl Invocation {
    /// An invocation with no args, env, stdin or preopens, a 10 s time
    /// limit, a 1 GiB memory limit and captured output.
    pub fn new(program: impl Into<String>) -> Self {
        Invocation {
            argv: vec![program.into()],
            env: Vec::new(),
            stdin: Vec::new(),
            preopens: Vec::new(),
            timeout: Duration::from_secs(10),
            max_memory: 1 << 30,
            output_cap: DEFAULT_OUTPUT_CAP,
            stdio: Stdio::Capture,
            tee: None,
            native: Vec::new(),
            combine_output: false,
        }
    }

    /// The memory limit in 64 KiB wasm pages, rounded down.
    pub fn max_memory_pages(&self) -> u64 {
        self.max_memory / 65536
    }

    /// The most elements any one table may have under the memory limit.
    pub fn max_table_elements(&self) -> u64 {
        self.max_memory / TABLE_ELEMENT_BYTES
    }
}

/// Where the guest's stdin, stdout and stderr go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stdio {
    /// stdin from [`Invocation::stdin`], stdout and stderr captured (capped).
    Capture,
    /// The host process's own streams, unbuffered: `xharness run`.
    Inherit,
}

/// A host directory made visible to the guest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preopen {
    /// Directory on the host.
    pub host: PathBuf,
    /// The name the guest opens it by (`.`, `/data`, …).
    pub guest: String,
    /// When true the guest cannot create, write or delete anything in it.
    pub read_only: bool,
}

/// How a run ended, what it printed, and how long it took.
///
/// Built with [`Outcome::new`] (backends usually get one from
/// [`crate::capture::run_captured`]); fields may be added, so it is
/// `#[non_exhaustive]`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Outcome {
    pub status: Status,
    pub stdout: Captured,
    pub stderr: Captured,
    pub duration: Duration,
    /// The wasm instructions the guest executed, as the engine counts
    /// them, when it ran on a counting engine ([`crate::Engine::counting`]);
    /// a guest that trapped or exited counts what it executed until then,
    /// or has no count when the engine cannot tell (wasmtime after a fault).
    pub instructions: Option<u64>,
}

impl Outcome {
    /// An outcome with no instruction count.
    pub fn new(status: Status, stdout: Captured, stderr: Captured, duration: Duration) -> Self {
        Outcome {
            status,
            stdout,
            stderr,
            duration,
            instructions: None,
        }
    }

    /// This outcome with `instructions` as its count.
    pub fn with_instructions(mut self, instructions: Option<u64>) -> Self {
        self.instructions = instructions;
        self
    }
}

/// Captured bytes of one output stream.
///
/// Under the cap everything is kept. Over it, the first half of the cap and
/// the last half are kept, and [`Captured::dropped`] names the stream
/// offsets in between: the start of a run and its end (where a test
/// harness prints its summary) both survive a flood.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Captured {
    /// The kept bytes: the whole stream, or its head then its tail.
    pub bytes: Vec<u8>,
    /// Everything the guest wrote, including what was dropped.
    pub total: u64,
    /// The stream offsets that were dropped, when the guest wrote more
    /// than the cap: `bytes` holds offsets `0..start`, then `end..total`.
    pub dropped: Option<std::ops::Range<u64>>,
}

impl Captured {
    /// All of `bytes`, nothing dropped.
    pub fn whole(bytes: Vec<u8>) -> Self {
        Captured {
            total: bytes.len() as u64,
            bytes,
            dropped: None,
        }
    }

    /// True when the guest wrote more than the cap.
    pub fn truncated(&self) -> bool {
        self.dropped.is_some()
    }

    /// At most `limit` of the kept bytes, the first and last halves, with
    /// the dropped range widened to match (what a record keeps as text).
    pub fn keep_ends(&self, limit: usize) -> Captured {
        if self.bytes.len() <= limit {
            return self.clone();
        }
        let len = self.bytes.len();
        let cut = match &self.dropped {
            Some(d) => usize::try_from(d.start).unwrap_or(len).min(len),
            None => len - limit / 2,
        };
        let (head, tail) = self.bytes.split_at(cut);
        let h = head.len().min(limit - limit / 2);
        let t = tail.len().min(limit - h);
        let mut bytes = head[..h].to_vec();
        bytes.extend_from_slice(&tail[tail.len() - t..]);
        Captured {
            bytes,
            total: self.total,
            dropped: Some(h as u64..self.total - t as u64),
        }
    }

    /// The kept bytes as shown to a user: the head, a marker line saying
    /// what was dropped, then the tail (just the bytes when nothing was).
    pub fn shown(&self) -> std::borrow::Cow<'_, [u8]> {
        match &self.dropped {
            None => std::borrow::Cow::Borrowed(&self.bytes),
            Some(range) => {
                let cut = usize::try_from(range.start)
                    .unwrap_or(usize::MAX)
                    .min(self.bytes.len());
                let (head, tail) = self.bytes.split_at(cut);
                std::borrow::Cow::Owned(crate::capture::join_marked(
                    head,
                    &crate::capture::drop_marker(range, self.total),
                    tail,
                ))
            }
        }
    }
}

/// The ways a run can end.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Status {
    /// `_start` returned (code 0) or the guest called `proc_exit`.
    Exited(i32),
    /// The guest trapped.
    Trapped { kind: TrapKind, message: String },
    /// The wall-clock limit passed (reported by whoever enforces it).
    TimedOut,
    /// The memory limit was hit and the guest could not go on (it trapped,
    /// or its initial memory is already over the limit).
    MemoryLimit,
    /// The module could not be instantiated (missing import, bad WASI setup).
    InstantiateError(String),
}

impl Status {
    /// The process exit status `xharness run` uses for this outcome.
    pub fn exit_status(&self) -> i32 {
        match self {
            Status::Exited(code) => *code,
            Status::Trapped { .. } | Status::MemoryLimit => 134,
            Status::TimedOut => 124,
            Status::InstantiateError(_) => 2,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Exited(code) => write!(f, "exited with code {code}"),
            Status::Trapped { kind, message } => write!(f, "trapped ({kind}): {message}"),
            Status::TimedOut => f.write_str("timed out"),
            Status::MemoryLimit => f.write_str("memory limit reached"),
            Status::InstantiateError(reason) => write!(f, "could not instantiate: {reason}"),
        }
    }
}

/// Engine-independent trap categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum TrapKind {
    Unreachable,
    IntegerDivideByZero,
    IntegerOverflow,
    BadConversionToInteger,
    MemoryOutOfBounds,
    TableOutOfBounds,
    IndirectCallToNull,
    BadSignature,
    StackOverflow,
    Other,
}

impl fmt::Display for TrapKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TrapKind::Unreachable => "unreachable",
            TrapKind::IntegerDivideByZero => "integer divide by zero",
            TrapKind::IntegerOverflow => "integer overflow",
            TrapKind::BadConversionToInteger => "invalid conversion to integer",
            TrapKind::MemoryOutOfBounds => "out of bounds memory access",
            TrapKind::TableOutOfBounds => "out of bounds table access",
            TrapKind::IndirectCallToNull => "indirect call to null",
            TrapKind::BadSignature => "indirect call signature mismatch",
            TrapKind::StackOverflow => "call stack exhausted",
            TrapKind::Other => "other",
        })
    }
}
