//! How an archived case's compile ended: the record `xharness archive`
//! writes (`built/N.json`) for a case without a module, and reads back as
//! the compile stage's result when running from the archive.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::CompileRun;

/// How a case's compile ended, for a case without a module.
#[derive(Debug, Serialize, Deserialize)]
pub enum Built {
    /// A compile-only case's compile: its exit code and output.
    Compiled {
        exit_code: Option<i32>,
        ok: bool,
        output: String,
    },
    /// The case did not compile.
    Failed { summary: String, output: String },
}

/// The compile record at `path`: `Ok` how a compile ended, or
/// `Err((summary, output))` of a failed one.
pub fn read_built(path: &Path) -> Result<Result<CompileRun, (String, String)>, String> {
    let bytes = std::fs::read(path).map_err(|e| {
        format!(
            "cannot read the archive's compile record {}: {e}",
            path.display()
        )
    })?;
    let built: Built = serde_json::from_slice(&bytes).map_err(|e| {
        format!(
            "the archive's compile record {} is damaged ({e}); build the archive again",
            path.display()
        )
    })?;
    Ok(match built {
        Built::Compiled {
            exit_code,
            ok,
            output,
        } => Ok(CompileRun {
            exit_code,
            ok,
            output: output.into_bytes(),
        }),
        Built::Failed { summary, output } => Err((summary, output)),
    })
}
