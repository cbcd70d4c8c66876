//! The command line: `xharness --suite …` runs a suite, `xharness run`
//! runs one module like a native program, `xharness exec` runs a program
//! with wasm files executable.

mod args;
mod report;
mod repro_cmd;
mod run_module;
mod run_suite;

use std::process::ExitCode;

use clap::Parser;

pub use args::{
    Cli, Command, ExecArgs, HtmlArgs, MergeArgs, ReportCommand, ReproArgs, RunArgs, SuiteArgs,
};

/// Exit status for usage and configuration errors.
pub const USAGE_ERROR: u8 = 2;

/// Parse the command line and run; the binary's whole `main`. Started as
/// a worker (`XHARNESS_WORKER=1`), serve jobs instead.
pub fn main() -> ExitCode {
    if let Some(code) = crate::worker::serve_if_worker() {
        return code;
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { USAGE_ERROR } else { 0 });
        }
    };
    match cli.command {
        Some(Command::Run(args)) => run_module::main(&args),
        Some(Command::Report(cmd)) => report::main(&cmd),
        Some(Command::Repro(args)) => repro_cmd::main(&args),
        Some(Command::Exec(args)) => crate::exec::main(&crate::exec::ExecOptions {
            engine: args.engine.unwrap_or_else(|| {
                xharness_engines::available()
                    .first()
                    .map_or_else(String::new, |e| e.to_string())
            }),
            rules: args.rules,
            rule_files: args.rule_files,
            command: args.command,
        }),
        None => run_suite::main(&cli.suite),
    }
}
