//! Tests that drive a shell, as GHC's driver runs them: `makefile_test`
//! and `run_command` (the command is the test), `pre_cmd` (a command run
//! before the test) and `cmd_prefix` / `cmd_wrapper` (the program's run
//! command put inside another). This module only describes them as
//! [`ShellSteps`]; the harness runs them.
//!
//! As in the driver, a command's `{field}`s are filled from `config`
//! (`{compiler}`, `{top}`, …), a `makefile_test` runs `$MAKE -s
//! --no-print-directory TARGET`, and `run_command` and `makefile_test`
//! ignore the way: no way flags, no `+RTS` flags, no `extra_run_opts`.
//! GHC's make variables (`TEST_HC`, `TEST_HC_OPTS`, `GHC_PKG`, …) come
//! from `config` ([`make_env`]).

use std::path::Path;

use super::config::{Config, ConfigValue};
use super::host::Declared;
use crate::{Mode, ShellSteps};

/// The flags `TEST_HC_OPTS_INTERACTIVE` adds to `TEST_HC_OPTS`, as GHC's
/// `mk/test.mk` defines it.
const INTERACTIVE_FLAGS: &str = "--interactive -v0 -ignore-dot-ghci -fno-ghci-history";

/// `(variable, config key)`: GHC's make variables naming a program, each
/// read from the config value the driver's `--config` gives it.
const PROGRAMS: [(&str, &str); 6] = [
    ("TEST_HC", "compiler"),
    ("GHC_PKG", "ghc_pkg"),
    ("HSC2HS", "hsc2hs"),
    ("HPC", "hpc"),
    ("HP2PS_ABS", "hp2ps"),
    ("RUNGHC", "runghc"),
];

/// The variables every shell step sees, and the names among them given to
/// `make` as command-line variables. `top` is GHC's `testsuite` folder.
pub fn make_env(config: &Config, top: &Path) -> (Vec<(String, String)>, Vec<String>) {
    let mut env = Vec::new();
    let mut make_vars = Vec::new();
    for (var, key) in PROGRAMS {
        if let Some(ConfigValue::Str(v)) = config.get(key)
            && !v.is_empty()
        {
            env.push((var.to_owned(), v.clone()));
            make_vars.push(var.to_owned());
        }
    }
    let opts = config.strings("compiler_always_flags").join(" ");
    env.push((
        "TEST_HC_OPTS_INTERACTIVE".to_owned(),
        format!("{opts} {INTERACTIVE_FLAGS}").trim().to_owned(),
    ));
    env.push(("TEST_HC_OPTS".to_owned(), opts));
    let top = match config.get("top") {
        Some(ConfigValue::Str(t)) if !t.is_empty() => t.clone(),
        _ => top.display().to_string(),
    };
    env.push(("TOP".to_owned(), top));
    make_vars.push("TOP".to_owned());
    let make = match config.get("make") {
        Some(ConfigValue::Str(m)) if !m.is_empty() => m.clone(),
        _ => "make".to_owned(),
    };
    env.push(("MAKE".to_owned(), make));
    env.sort();
    (env, make_vars)
}

/// Config values naming programs that are paths relative to the suite
/// file (they contain a `/`) made absolute against `dir`, so commands
/// that run in a test's private directory find them.
pub fn resolve_programs(config: &mut Config, dir: &Path) {
    for (_, key) in PROGRAMS {
        if let Some(ConfigValue::Str(v)) = config.get(key)
            && v.contains('/')
            && Path::new(v).is_relative()
        {
            let abs = dir.join(v).display().to_string();
            config.set(key, ConfigValue::Str(abs));
        }
    }
}

/// The shell steps of test `t` (none for a test that drives no shell).
/// `target` is the test function's first argument (a `makefile_test`'s
/// target, a `run_command`'s command), `run` the program's command line
/// (`./STEM.wasm ARGS`, for a wrapper to wrap).
pub fn steps(
    t: &Declared,
    config: &Config,
    env: &(Vec<(String, String)>, Vec<String>),
    mode: Mode,
    target: &str,
    run: &str,
) -> Option<ShellSteps> {
    let o = &t.opts;
    let wrap = |cmd: String| match &o.cmd_wrapper {
        Some((before, after)) => format!("{before}{cmd}{after}"),
        None => cmd,
    };
    let command = match (mode, t.func.as_str()) {
        (Mode::Shell, "makefile_test") => {
            let target = if target.trim().is_empty() {
                t.name.as_str()
            } else {
                target.trim()
            };
            Some(wrap(format!("$MAKE -s --no-print-directory {target}")))
        }
        (Mode::Shell, _) => Some(wrap(format_config(target, config))),
        (Mode::CompileAndRun, _) if o.cmd_wrapper.is_some() => Some(wrap(run.to_owned())),
        _ => None,
    };
    let pre_cmd = o.pre_cmd.as_deref().map(|c| format_config(c, config));
    if command.is_none() && pre_cmd.is_none() {
        return None;
    }
    Some(ShellSteps {
        pre_cmd,
        command: command.map(|c| format_config(&c, config)),
        env: env.0.clone(),
        make_vars: env.1.clone(),
    })
}

/// Python's `cmd.format(**config)`, as the driver applies it to every
/// command: `{field}` becomes the config value (a string as it is, a list
/// as its words), `{{` and `}}` a brace. A field the config lacks stays.
pub fn format_config(cmd: &str, config: &Config) -> String {
    let mut out = String::with_capacity(cmd.len());
    let mut rest = cmd;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        let field = tail[1..]
            .find('}')
            .filter(|_| tail.starts_with('{'))
            .map(|end| &tail[1..1 + end]);
        match field.and_then(|f| config.get(f).map(|v| (f, v))) {
            Some((f, v)) => {
                out.push_str(&config_text(v));
                rest = &tail[f.len() + 2..];
            }
            None => {
                out.push_str(&tail[..1]);
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn config_text(v: &ConfigValue) -> String {
    match v {
        ConfigValue::Str(s) => s.clone(),
        ConfigValue::Int(n) => n.to_string(),
        ConfigValue::Bool(b) => if *b { "True" } else { "False" }.to_owned(),
        ConfigValue::List(items) => items.iter().map(config_text).collect::<Vec<_>>().join(" "),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_come_from_config_and_double_braces_stay_braces() {
        let mut config = Config::default();
        config.set("compiler", ConfigValue::Str("/opt/ghc".into()));
        assert_eq!(
            format_config("{compiler} -e '{{x}}' {nope} }", &config),
            "/opt/ghc -e '{x}' {nope} }"
        );
    }

    #[test]
    fn make_variables_name_the_configured_programs() {
        let mut config = Config::default();
        config.set("compiler", ConfigValue::Str("/s/ghc-shim".into()));
        config.set(
            "compiler_always_flags",
            ConfigValue::List(vec![ConfigValue::Str("-O1".into())]),
        );
        let (env, vars) = make_env(&config, Path::new("/s/testsuite"));
        let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("TEST_HC"), Some("/s/ghc-shim"));
        assert_eq!(get("TEST_HC_OPTS"), Some("-O1"));
        assert_eq!(
            get("TEST_HC_OPTS_INTERACTIVE"),
            Some("-O1 --interactive -v0 -ignore-dot-ghci -fno-ghci-history")
        );
        assert_eq!(get("TOP"), Some("/s/testsuite"));
        assert_eq!(get("MAKE"), Some("make"));
        assert!(vars.contains(&"TEST_HC".to_owned()) && vars.contains(&"TOP".to_owned()));
        assert!(!vars.contains(&"TEST_HC_OPTS".to_owned()));
    }

    #[test]
    fn relative_program_paths_are_taken_from_the_suite_folder() {
        let mut config = Config::default();
        config.set("compiler", ConfigValue::Str("bin/ghc".into()));
        config.set("hpc", ConfigValue::Str("hpc".into()));
        resolve_programs(&mut config, Path::new("/suite"));
        assert_eq!(config.text("compiler"), "/suite/bin/ghc");
        assert_eq!(config.text("hpc"), "hpc");
    }
}
