//! The command line: `xharness --suite …` runs a suite, `xharness run`
//! runs one module like a native program, `xharness exec` runs a program
//! with wasm files executable.

mod archive_cmd;
mod args;
mod report;
mod repro_cmd;
mod run_module;
mod run_suite;

use std::process::ExitCode;

use clap::Parser;

pub use args::{
    Cli, Command, CompareArgs, ExecArgs, HtmlArgs, MergeArgs, ReportCommand, ReproArgs, RunArgs,
    SuiteArgs,
};

/// Parse the command line and run on the default engines
/// ([`crate::default_registry`]); the `xharness` binary's whole `main`.
pub fn main() -> ExitCode {
    main_with(&crate::default_registry())
}

/// Parse the command line and run on the engines of `registry`: the
/// `main` of a binary with engines of its own. Started as a worker
/// (`XHARNESS_WORKER=1`), serve jobs instead, with the same registry.
pub fn main_with(registry: &xharness_engines::Registry) -> ExitCode {
    if let Some(code) = crate::worker::serve_if_worker(registry) {
        return code;
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                crate::exit::USAGE
            } else {
                crate::exit::SUCCESS
            });
        }
    };
    let env = crate::config::Env::from_process();
    match cli.command {
        Some(Command::Run(args)) => run_module::main(&args, registry, &env),
        Some(Command::Report(cmd)) => report::main(&cmd),
        Some(Command::Repro(args)) => repro_cmd::main(&args, registry, &env),
        Some(Command::Archive(args)) => archive_cmd::main(&args, registry, &env),
        Some(Command::Exec(args)) => {
            match crate::registry::one_engine(registry, args.engine.as_deref()) {
                Ok(engine) => crate::exec::main(&crate::exec::ExecOptions {
                    engine,
                    rules: args.rules,
                    rule_files: args.rule_files,
                    command: args.command,
                }),
                Err(e) => crate::error::report("xharness exec", &e),
            }
        }
        None => run_suite::main(&cli.suite, registry, &env),
    }
}
