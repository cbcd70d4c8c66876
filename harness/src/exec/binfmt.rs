//! binfmt_misc rules: the kernel's registration syntax, parsed and matched
//! in user space.
//!
//! A rule is `:name:type:offset:magic:mask:interpreter:flags`, the first
//! character being the separator (as in `/proc/sys/fs/binfmt_misc/register`):
//! - type `M` matches `magic` at byte `offset` of the file, each byte
//!   compared under `mask` when there is one; type `E` matches the file
//!   name's extension (`magic` is the extension, without the dot);
//! - `magic` and `mask` take `\xHH` escapes (so a `:` in them is `\x3a`);
//! - flags: `P` keeps the original `argv[0]` (the interpreter gets
//!   `INTERPRETER FILE ARGV0 ARGV1…` instead of `INTERPRETER FILE ARGV1…`);
//!   `F` is accepted (interpreters are resolved when the rule is read
//!   anyway); `O` and `C` need the kernel and are refused.

use std::path::{Path, PathBuf};

/// How many leading bytes of a file the kernel looks at (BINPRM_BUF_SIZE).
pub const HEAD: usize = 256;

/// What a rule matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matcher {
    /// `magic` at `offset`, compared under `mask` (same length) if given.
    Magic {
        offset: usize,
        magic: Vec<u8>,
        mask: Option<Vec<u8>>,
    },
    /// The file name's extension.
    Extension(String),
}

/// One rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The rule's name, for messages.
    pub name: String,
    /// What it matches.
    pub matcher: Matcher,
    /// The interpreter, an absolute path.
    pub interpreter: PathBuf,
    /// Arguments placed after the interpreter, before the file (only the
    /// built-in rule has any: a rule's syntax cannot say them).
    pub extra_args: Vec<String>,
    /// Flag `P`.
    pub preserve_argv0: bool,
}

impl Rule {
    /// Parse one rule. A relative interpreter is taken from `cwd`; it
    /// must exist.
    pub fn parse(text: &str, cwd: &Path) -> crate::Result<Rule> {
        let bad = |why: String| crate::Error::config(format!("binfmt rule {text:?}: {why}"));
        let mut chars = text.chars();
        let sep = chars.next().ok_or_else(|| bad("empty".into()))?;
        let fields: Vec<&str> = chars.as_str().split(sep).collect();
        if fields.len() != 7 {
            return Err(bad(format!(
                "expected 7 fields `{sep}name{sep}type{sep}offset{sep}magic{sep}mask{sep}interpreter{sep}flags`, found {}",
                fields.len()
            )));
        }
        let [name, kind, offset, magic, mask, interpreter, flags] = fields[..] else {
            unreachable!("checked length")
        };
        if name.is_empty() || name.contains('/') || name == "." || name == ".." {
            return Err(bad("the name must be non-empty, without `/`".into()));
        }
        let matcher = match kind {
            "M" => magic_matcher(offset, magic, mask).map_err(|e| bad(e.to_string()))?,
            "E" => {
                if !offset.is_empty() || !mask.is_empty() {
                    return Err(bad("type E takes no offset or mask".into()));
                }
                if magic.is_empty() || magic.contains('/') {
                    return Err(bad("type E needs an extension (without the dot)".into()));
                }
                Matcher::Extension(String::from_utf8_lossy(&unescape(magic)).into_owned())
            }
            other => {
                return Err(bad(format!(
                    "type must be M (magic) or E (extension), not {other:?}"
                )));
            }
        };
        let mut preserve_argv0 = false;
        for f in flags.trim_end().chars() {
            match f {
                'P' => preserve_argv0 = true,
                'F' => {}
                'O' | 'C' => {
                    return Err(bad(format!(
                        "flag {f} needs the kernel (the binary opened for the interpreter); drop it"
                    )));
                }
                other => return Err(bad(format!("unknown flag {other:?}; flags are P, F, O, C"))),
            }
        }
        if interpreter.is_empty() {
            return Err(bad("no interpreter".into()));
        }
        let path = cwd.join(interpreter);
        let metadata = std::fs::metadata(&path)
            .map_err(|e| bad(format!("interpreter {}: {e}", path.display())))?;
        if !metadata.is_file() {
            return Err(bad(format!("interpreter {} is not a file", path.display())));
        }
        Ok(Rule {
            name: name.to_owned(),
            matcher,
            interpreter: path,
            extra_args: Vec::new(),
            preserve_argv0,
        })
    }

    /// Whether a file whose first bytes are `head` and whose path is
    /// `path` (as given to `execve`) matches.
    pub fn matches(&self, head: &[u8], path: &str) -> bool {
        match &self.matcher {
            Matcher::Magic {
                offset,
                magic,
                mask,
            } => {
                let Some(bytes) = head.get(*offset..offset + magic.len()) else {
                    return false;
                };
                bytes.iter().zip(magic).enumerate().all(|(i, (b, m))| {
                    let k = mask.as_ref().map_or(0xff, |mask| mask[i]);
                    (b ^ m) & k == 0
                })
            }
            Matcher::Extension(ext) => {
                let name = path.rsplit('/').next().unwrap_or(path);
                name.rsplit_once('.').is_some_and(|(_, e)| e == ext)
            }
        }
    }
}

fn magic_matcher(offset: &str, magic: &str, mask: &str) -> crate::Result<Matcher> {
    let offset: usize = if offset.is_empty() {
        0
    } else {
        offset
            .parse()
            .map_err(|_| format!("offset {offset:?} is not a number"))?
    };
    let magic = unescape(magic);
    if magic.is_empty() {
        return Err("type M needs magic bytes".into());
    }
    if offset + magic.len() > HEAD {
        return Err(format!("offset + magic length must be at most {HEAD} bytes").into());
    }
    let mask = if mask.is_empty() {
        None
    } else {
        let mask = unescape(mask);
        if mask.len() != magic.len() {
            return Err(format!(
                "the mask is {} bytes and the magic {}; they must be as long",
                mask.len(),
                magic.len()
            )
            .into());
        }
        Some(mask)
    };
    Ok(Matcher::Magic {
        offset,
        magic,
        mask,
    })
}

/// `\xHH` escapes, as the kernel unescapes magic and mask; anything else
/// is kept as written.
fn unescape(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\'
            && bytes.get(i + 1) == Some(&b'x')
            && let Some(v) = bytes
                .get(i + 2..i + 4)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 4;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// The rules of a `--binfmt-file`: one per line; blank lines and lines
/// starting with `#` are skipped. Errors name the file and line.
pub fn parse_file(path: &Path, cwd: &Path) -> crate::Result<Vec<Rule>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read --binfmt-file {}: {e}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|(n, l)| {
            Rule::parse(l.trim(), cwd).map_err(|e| {
                crate::Error::config_at(
                    path,
                    Some(n + 1),
                    format!("{}:{}: {e}", path.display(), n + 1),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> crate::Result<Rule> {
        Rule::parse(text, Path::new("/"))
    }

    #[test]
    fn magic_rules_with_escapes_offset_and_mask() {
        let r = parse(r":wasm:M::\x00asm::/bin/sh:").expect("valid");
        assert_eq!(r.interpreter, PathBuf::from("/bin/sh"));
        assert!(r.matches(b"\0asm\x01\0\0\0", "x"));
        assert!(!r.matches(b"\x7fELF", "x"));
        assert!(!r.matches(b"\0as", "x"));
        let masked = parse(r":m:M:2:\x41\x42:\xff\xdf:/bin/sh:").expect("valid");
        assert!(masked.matches(b"..AB", "x"));
        assert!(
            masked.matches(b"..Ab", "x"),
            "bit 5 of the second byte is masked out"
        );
        assert!(!masked.matches(b"..Xb", "x"));
    }

    #[test]
    fn extension_rules_look_at_the_file_name_only() {
        let r = parse(":txt:E::txt::/bin/sh:P").expect("valid");
        assert!(r.preserve_argv0);
        assert!(r.matches(b"", "./dir.d/notes.txt"));
        assert!(!r.matches(b"", "./dir.txt/notes"));
        assert!(!r.matches(b"", "txt"));
    }

    #[test]
    fn any_separator_works() {
        let r = parse(r"|wasm|M||\x00asm||/bin/sh|").expect("valid");
        assert!(r.matches(b"\0asm", "x"));
    }

    #[test]
    fn bad_rules_say_what_is_wrong() {
        let cases = [
            (":x:M::abc:/bin/sh:", "7 fields"),
            (":x:Q::abc::/bin/sh:", "type must be M"),
            (":x:M:z:abc::/bin/sh:", "not a number"),
            (":x:M::abc:\\xff:/bin/sh:", "they must be as long"),
            (":x:M:300:abc::/bin/sh:", "at most 256"),
            (":x:M::abc::/no/such/interp:", "/no/such/interp"),
            (":x:M::abc::/bin/sh:O", "flag O needs the kernel"),
            (":x:E::txt:ff:/bin/sh:", "no offset or mask"),
            ("::M::abc::/bin/sh:", "name must be non-empty"),
        ];
        for (text, want) in cases {
            let err = parse(text).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(err.contains(want), "{text}: {err}");
        }
    }
}
