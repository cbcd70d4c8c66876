//! The progress bar's drawing surface: any writer, shared with the console reporter.
//!
//! indicatif draws on a [`TermLike`]; this one forwards to the same writer the
//! [`crate::Console`] prints its failures and totals to, using plain ANSI cursor codes.

use std::fmt;
use std::io::{self, Write};
use std::sync::{Arc, Mutex, MutexGuard};

use indicatif::TermLike;

/// A writer that the console reporter and the progress bar both write to.
pub(crate) type SharedWriter = Arc<Mutex<Box<dyn Write + Send>>>;

/// Locks `w`, recovering from a panic in another holder (the bytes are still usable).
pub(crate) fn lock(w: &SharedWriter) -> MutexGuard<'_, Box<dyn Write + Send>> {
    w.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A [`TermLike`] over a [`SharedWriter`].
///
/// indicatif pads every line with spaces to the terminal's width, so the width must be
/// the real one: it is asked of whichever of stdout and stderr is a terminal (the
/// console reporter only draws a bar when the caller says its writer is one), then
/// the caller's fallback (the harness passes `COLUMNS`), then 80.
pub(crate) struct TermWriter {
    out: SharedWriter,
    fallback_columns: Option<u16>,
}

impl TermWriter {
    /// Draws on `out`.
    pub(crate) fn new(out: SharedWriter, fallback_columns: Option<u16>) -> Self {
        Self {
            out,
            fallback_columns,
        }
    }

    /// `(rows, columns)` of the terminal, if one can be asked.
    fn size(&self) -> (u16, u16) {
        let term = [console::Term::stdout(), console::Term::stderr()]
            .into_iter()
            .find_map(|t| t.size_checked());
        term.unwrap_or((24, self.fallback_columns.unwrap_or(80)))
    }

    fn write(&self, s: &str) -> io::Result<()> {
        lock(&self.out).write_all(s.as_bytes())
    }

    fn csi(&self, n: usize, code: char) -> io::Result<()> {
        if n == 0 {
            return Ok(());
        }
        self.write(&format!("\x1b[{n}{code}"))
    }
}

impl fmt::Debug for TermWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TermWriter").finish_non_exhaustive()
    }
}

impl TermLike for TermWriter {
    fn width(&self) -> u16 {
        self.size().1
    }

    fn height(&self) -> u16 {
        self.size().0
    }

    fn move_cursor_up(&self, n: usize) -> io::Result<()> {
        self.csi(n, 'A')
    }

    fn move_cursor_down(&self, n: usize) -> io::Result<()> {
        self.csi(n, 'B')
    }

    fn move_cursor_right(&self, n: usize) -> io::Result<()> {
        self.csi(n, 'C')
    }

    fn move_cursor_left(&self, n: usize) -> io::Result<()> {
        self.csi(n, 'D')
    }

    fn write_line(&self, s: &str) -> io::Result<()> {
        self.write(&format!("{s}\n"))
    }

    fn write_str(&self, s: &str) -> io::Result<()> {
        self.write(s)
    }

    fn clear_line(&self) -> io::Result<()> {
        self.write("\r\x1b[2K")
    }

    fn flush(&self) -> io::Result<()> {
        lock(&self.out).flush()
    }
}
