//! The lines that re-run one (case, engine) alone, put on every record
//! that did not pass: one with xharness, from the directory the run was
//! started in, and one with the engine's own command-line tool, which
//! needs neither xharness nor the suite (to report a bug upstream).
//!
//! The CLI line names the compiled module in the cache, the guest's argv
//! and its whole environment (the CLI's own flags, so nothing of the
//! caller's leaks in), every preopen with its guest name, stdin, and the
//! time limit where the CLI has one. Directories xharness copies per run,
//! and the scratch directory, are made fresh by the line itself in a
//! temporary directory, so running it changes no source tree.

use std::path::{Path, PathBuf};

use xharness_reports::Repro;
use xharness_suites::Case;

/// How the run was started: the program and the arguments that select the
/// suite (everything but filters, engines and report flags).
#[derive(Debug, Clone)]
pub struct Origin {
    /// The xharness binary, absolute.
    pub program: PathBuf,
    /// `--suite S`, `--root R`, `--binaries G`, `--cache-dir D`, as given.
    pub suite_args: Vec<String>,
    /// `--cargo ARGS…`, which takes the rest of the line, so it comes last.
    pub trailing: Vec<String>,
}

impl Origin {
    /// This process's own binary with `suite_args` and `trailing`.
    pub fn current(suite_args: Vec<String>, trailing: Vec<String>) -> Self {
        let program = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("xharness"));
        Origin {
            program,
            suite_args,
            trailing,
        }
    }
}

/// Both lines for `case` on `engine`; `module` is the compiled module, when
/// the case compiled.
pub fn repro(origin: &Origin, case: &Case, engine: &str, module: Option<&Path>) -> Repro {
    let (cli, cli_missing) = match module {
        None => (
            None,
            Some("the case did not compile, so there is no module to run".into()),
        ),
        Some(m) => match cli_line(engine, case, m) {
            Ok(line) => (Some(line), None),
            Err(why) => (None, Some(why.to_string())),
        },
    };
    Repro {
        xharness: xharness_line(origin, &case.name, engine),
        cli,
        cli_missing,
    }
}

/// `xharness SUITE-ARGS --engine E --exact NAME`.
pub fn xharness_line(origin: &Origin, case: &str, engine: &str) -> String {
    let mut words = vec![origin.program.display().to_string()];
    words.extend(origin.suite_args.iter().cloned());
    words.extend([
        "--engine".into(),
        engine.into(),
        "--exact".into(),
        case.into(),
    ]);
    words.extend(origin.trailing.iter().cloned());
    shell_words::join(words)
}

/// A preopen as the CLI line makes it: the host side is a shell word, a
/// source directory used in place or a variable holding a fresh copy.
pub struct Dir {
    /// The host directory, as a (quoted) shell word.
    pub host: String,
    /// The name the guest opens it by.
    pub guest: String,
}

/// The engine's CLI line, or why there is none.
pub fn cli_line(engine: &str, case: &Case, module: &Path) -> crate::Result<String> {
    let module = std::path::absolute(module).unwrap_or_else(|_| module.to_path_buf());
    let (prelude, dirs) = preopens(case);
    let q = |s: &str| shell_words::quote(s).into_owned();
    let stdin = match &case.run.stdin {
        Some(p) if p.is_file() => q(&std::path::absolute(p)
            .unwrap_or_else(|_| p.clone())
            .display()
            .to_string()),
        _ => "/dev/null".into(),
    };
    let run = cli_command(
        engine,
        case,
        &q(&module.display().to_string()),
        &dirs,
        &stdin,
    )?;
    Ok(if prelude.is_empty() {
        run
    } else {
        format!("{} && {run}", prelude.join(" && "))
    })
}

/// The engine CLI's command for `case` with `module`, `dirs` and `stdin`
/// given as shell words: argv, the whole environment, every preopen and
/// the limits the CLI has. The one place that knows each CLI's flags.
pub fn cli_command(
    engine: &str,
    case: &Case,
    module: &str,
    dirs: &[Dir],
    stdin: &str,
) -> crate::Result<String> {
    if !case.native().is_empty() {
        return Err(format!(
            "the case imports functions from a native library ({}), which {engine}'s command-line tool cannot provide",
            case.native()
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ).into());
    }
    let q = |s: &str| shell_words::quote(s).into_owned();
    let env = case
        .run
        .env
        .iter()
        .map(|(k, v)| format!("--env {}", q(&format!("{k}={v}"))));
    let mut words: Vec<String> = Vec::new();
    match engine {
        "wasmtime" => {
            words.push("wasmtime run".into());
            words.push(format!("-W timeout={}ms", case.run.timeout.as_millis()));
            words.push(format!("-W max-memory-size={}", case.run.max_memory));
            words.extend(env);
            for d in dirs {
                words.push(format!("--dir {}::{}", d.host, q(&d.guest)));
            }
            words.push(format!(
                "--argv0 {}",
                q(&format!("{}.wasm", case.source.stem))
            ));
            words.push(module.to_string());
        }
        "wasmer" => {
            // `--cwd /`: without it the wasmer CLI refuses a preopen named `.`.
            words.push("wasmer run --cwd /".into());
            words.extend(env);
            for d in dirs {
                words.push(format!("--volume {}:{}", d.host, q(&d.guest)));
            }
            words.push(module.to_string());
            words.push("--".into());
        }
        other => {
            return Err(format!(
                "no command-line tool is known for engine {other}; use the xharness line"
            )
            .into());
        }
    }
    words.extend(case.run.args.iter().map(|a| q(a)));
    words.push(format!("< {stdin}"));
    if case.run.combine_output {
        words.push("2>&1".into());
    }
    Ok(words.join(" "))
}

/// The preopens in xharness's order (scratch first), and the shell steps
/// that make the fresh ones.
fn preopens(case: &Case) -> (Vec<String>, Vec<Dir>) {
    let q = |s: &str| shell_words::quote(s).into_owned();
    let mut prelude = Vec::new();
    let mut dirs = Vec::new();
    let fresh = case.run.scratch || case.run.dirs.iter().any(|d| d.copy);
    if fresh {
        prelude.push("t=$(mktemp -d)".to_string());
    }
    if case.run.scratch {
        prelude.push("mkdir \"$t/scratch\"".into());
        for input in case.inputs() {
            let dest = if input.dest.is_empty() {
                "\"$t/scratch\"".to_string()
            } else {
                format!("\"$t/scratch\"/{}", q(&input.dest))
            };
            prelude.push(copy_step(&input.host, &dest));
        }
        dirs.push(Dir {
            host: "\"$t/scratch\"".into(),
            guest: ".".into(),
        });
    }
    for (i, d) in case.run.dirs.iter().enumerate() {
        let src = std::path::absolute(&d.host).unwrap_or_else(|_| d.host.clone());
        let host = if d.copy {
            let copy = format!("\"$t/dir{i}\"");
            prelude.push(copy_step(&src, &copy));
            copy
        } else {
            q(&src.display().to_string())
        };
        dirs.push(Dir {
            host,
            guest: d.guest.clone(),
        });
    }
    (prelude, dirs)
}

/// The shell step that copies `src` (a file or a directory's contents) to
/// `dest`, a quoted shell word, as the scratch setup does.
fn copy_step(src: &Path, dest: &str) -> String {
    let from = shell_words::quote(&src.display().to_string()).into_owned();
    if src.is_dir() {
        format!("mkdir -p {dest} && cp -R {from}/. {dest}")
    } else {
        format!("mkdir -p \"$(dirname {dest})\" && cp {from} {dest}")
    }
}
