//! Golden files: expected-output lookup, normalising, comparing, diff rendering and blessing.
//!
//! The seam this crate owns sits between an engine's raw output and a verdict: it never
//! runs anything. The key design decision is that *both* sides of a comparison go
//! through the same [`Normalizer`] and are then compared byte for byte, so a golden
//! file may be written with CRLF or trailing blanks and still match. A missing golden
//! file means "expected empty", so a case that prints nothing needs no file.
//!
//! Bless is a mode of the normal run (as in `ui_test`): on a [`Mismatch`] the harness
//! calls [`bless()`] with [`Mismatch::actual_raw`], which replaces the golden file
//! atomically.
//!
//! - [`normalize`]: the [`Normalizer`] (CRLF, trailing whitespace, regex rules).
//! - [`mod@compare`]: [`read_golden`], [`compare()`], [`Stream`], [`Mismatch`].
//! - [`diff`]: [`render_diff`], a unified diff for people (escaped, coloured, capped).
//! - [`mod@bless`]: [`bless()`], the atomic golden writer.
//! - [`color`]: [`color_choice`], the `--color` / `NO_COLOR` / `CLICOLOR_FORCE` decision.
//!
//! It reads no environment variable: `NO_COLOR` and friends arrive as a
//! [`ColorEnv`].

pub mod bless;
pub mod color;
pub mod compare;
pub mod diff;
mod error;
pub mod normalize;

pub use bless::bless;
pub use color::{ColorChoice, ColorEnv, ParseColorChoiceError, color_choice};
pub use compare::{Mismatch, Stream, compare, read_golden};
pub use diff::render_diff;
pub use error::GoldenError;
pub use normalize::Normalizer;
