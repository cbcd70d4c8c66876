//! Placeholder templates: `{src}`, `{dir}`, `{stem}`, `{name}`, `{root}`, `{flags}`, `{out}`.
//!
//! `{{` and `}}` stand for literal braces; any other `{...}` is an error naming the
//! placeholder. `{out}` is only known to the compile stage: when [`Vars::out`] is `None`
//! it is written back unexpanded, so case fields keep it for the harness.

use std::path::Path;

use crate::error::SuiteError;

/// Every placeholder a template may use, in the order they are documented.
pub const PLACEHOLDERS: [&str; 7] = ["src", "dir", "stem", "name", "root", "flags", "out"];

/// Values for the placeholders of one case.
#[derive(Debug, Clone, Copy)]
pub struct Vars<'a> {
    /// `{src}`: absolute path of the source file.
    pub src: &'a Path,
    /// `{dir}`: absolute directory of the source file.
    pub dir: &'a Path,
    /// `{stem}`: file name without extension.
    pub stem: &'a str,
    /// `{name}`: case name, '/'-separated path under root without extension.
    pub name: &'a str,
    /// `{root}`: absolute suite root.
    pub root: &'a Path,
    /// `{flags}`: the case's extra toolchain flags (empty for generic suites).
    pub flags: &'a str,
    /// `{out}`: where the compiled module goes; `None` leaves `{out}` as is.
    pub out: Option<&'a Path>,
}

impl<'a> Vars<'a> {
    /// The same values with `{out}` set, for expanding the toolchain command.
    pub fn with_out(self, out: &'a Path) -> Self {
        Vars {
            out: Some(out),
            ..self
        }
    }

    fn value(&self, placeholder: &str) -> Option<String> {
        let path = |p: &Path| p.to_string_lossy().into_owned();
        match placeholder {
            "src" => Some(path(self.src)),
            "dir" => Some(path(self.dir)),
            "stem" => Some(self.stem.to_owned()),
            "name" => Some(self.name.to_owned()),
            "root" => Some(path(self.root)),
            "flags" => Some(self.flags.to_owned()),
            "out" => Some(self.out.map_or_else(|| "{out}".to_owned(), path)),
            _ => None,
        }
    }
}

/// One piece of a parsed template.
enum Piece<'t> {
    Literal(&'t str),
    Brace(char),
    Var(&'static str),
}

fn template_error(template: &str, message: String) -> SuiteError {
    SuiteError::Template {
        template: template.to_owned(),
        message,
    }
}

fn known(name: &str) -> Option<&'static str> {
    PLACEHOLDERS.iter().copied().find(|p| *p == name)
}

fn known_list() -> String {
    let all: Vec<String> = PLACEHOLDERS.iter().map(|p| format!("{{{p}}}")).collect();
    all.join(" ")
}

/// Split a template into literals, escaped braces and known placeholders.
fn parse(template: &str) -> Result<Vec<Piece<'_>>, SuiteError> {
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(at) = rest.find(['{', '}']) {
        pieces.push(Piece::Literal(&rest[..at]));
        let tail = &rest[at..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            pieces.push(Piece::Brace(tail.as_bytes()[0] as char));
            rest = &tail[2..];
        } else if tail.starts_with('}') {
            let message = "unmatched `}`; write `}}` for a literal brace".to_owned();
            return Err(template_error(template, message));
        } else {
            let Some(close) = tail.find('}') else {
                let message = "unclosed `{`; write `{{` for a literal brace".to_owned();
                return Err(template_error(template, message));
            };
            let name = &tail[1..close];
            let Some(var) = known(name) else {
                let message = format!(
                    "unknown placeholder `{{{name}}}`; known placeholders are {}, \
                     and `{{{{`/`}}}}` are literal braces",
                    known_list()
                );
                return Err(template_error(template, message));
            };
            pieces.push(Piece::Var(var));
            rest = &tail[close + 1..];
        }
    }
    pieces.push(Piece::Literal(rest));
    Ok(pieces)
}

/// Expand every placeholder in `template`; `{out}` stays as is when `vars.out` is `None`.
pub fn expand(template: &str, vars: &Vars) -> Result<String, SuiteError> {
    let mut out = String::with_capacity(template.len());
    for piece in parse(template)? {
        match piece {
            Piece::Literal(text) => out.push_str(text),
            Piece::Brace(brace) => out.push(brace),
            Piece::Var(name) => out.push_str(&vars.value(name).unwrap_or_default()),
        }
    }
    Ok(out)
}

/// The placeholders `template` uses, in order of appearance, or why it is malformed.
pub fn placeholders(template: &str) -> Result<Vec<&'static str>, SuiteError> {
    let pieces = parse(template)?;
    let vars = pieces.into_iter().filter_map(|p| match p {
        Piece::Var(name) => Some(name),
        _ => None,
    });
    Ok(vars.collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vars<'static> {
        Vars {
            src: Path::new("/r/io/cat.c"),
            dir: Path::new("/r/io"),
            stem: "cat",
            name: "io/cat",
            root: Path::new("/r"),
            flags: "",
            out: None,
        }
    }

    #[test]
    fn expands_every_placeholder() {
        let got = expand("{src} {dir} {stem} {name} {root}", &vars());
        assert_eq!(got.ok().as_deref(), Some("/r/io/cat.c /r/io cat io/cat /r"));
    }

    #[test]
    fn out_is_kept_until_known() {
        assert_eq!(
            expand("cc -o {out}", &vars()).ok().as_deref(),
            Some("cc -o {out}")
        );
        let set = vars().with_out(Path::new("/t/cat.wasm"));
        assert_eq!(
            expand("cc -o {out}", &set).ok().as_deref(),
            Some("cc -o /t/cat.wasm")
        );
    }

    #[test]
    fn doubled_braces_are_literal() {
        let got = expand("{{stem}} {{}} }}{stem}{{", &vars());
        assert_eq!(got.ok().as_deref(), Some("{stem} {} }cat{"));
    }

    #[test]
    fn unknown_placeholder_is_named() {
        let err = expand("a {foo} b", &vars())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("unknown placeholder `{foo}`"), "{err}");
        assert!(
            err.contains("{src} {dir} {stem} {name} {root} {flags} {out}"),
            "{err}"
        );
    }

    #[test]
    fn stray_braces_are_errors() {
        assert!(expand("a { b", &vars()).is_err());
        assert!(expand("a } b", &vars()).is_err());
        assert!(expand("{}", &vars()).is_err());
    }

    #[test]
    fn lists_placeholders_used() {
        let used = placeholders("{src} -o {out} {{out}}").ok();
        assert_eq!(used, Some(vec!["src", "out"]));
    }
}
