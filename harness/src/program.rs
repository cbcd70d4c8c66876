//! Finding the programs xharness starts (toolchain commands, the command
//! of `xharness exec`, the `xharness` binary for repro lines): one lookup,
//! as a shell's `command -v` does it, on the `which` crate.

use std::path::PathBuf;

/// Where `program` is: itself if it names a path (it contains `/`) to an
/// executable file, else the first executable `program` on `PATH`.
pub fn find(program: &str) -> Option<PathBuf> {
    which::which(program).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_program_on_path_and_a_path_given_as_is() {
        let sh = find("sh").expect("sh is on PATH");
        assert!(sh.is_absolute(), "{}", sh.display());
        assert_eq!(find(&sh.display().to_string()), Some(sh));
        assert_eq!(find("xharness-no-such-program"), None);
        assert_eq!(find("/no/such/dir/prog"), None);
    }

    #[test]
    fn a_file_that_is_not_executable_is_not_a_program() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("data");
        std::fs::write(&file, "not a program").expect("write");
        assert_eq!(find(&file.display().to_string()), None);
    }
}
