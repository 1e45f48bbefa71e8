//! Command-line parsing and the exit-status rules shared by the subcommands: 0 when everything
//! succeeded, 1 when any input failed, 2 for a usage or pipeline error (found before any input
//! is read).

mod bench;
mod info;
mod lambda;
mod process;
mod serve;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit status for a usage or pipeline error.
pub const EXIT_USAGE: u8 = 2;
/// Exit status when at least one input failed.
pub const EXIT_FAILED: u8 = 1;

#[derive(Parser)]
#[command(name = "glint", version, about = "Resize, filter and enhance images on the GPU or the CPU")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a pipeline on files, directories (recursively) or standard input (`-`).
    Process(process::Args),
    /// Show the backends found, the limits in force and the formats supported; with files,
    /// what their headers say.
    Info(info::Args),
    /// Measure kernel throughput per op and backend.
    Bench(bench::Args),
    /// Serve the HTTP API: images from a store or request bodies, storage events.
    Serve(serve::Args),
    /// Run as an AWS Lambda function (also chosen automatically when AWS_LAMBDA_RUNTIME_API
    /// is set).
    Lambda(lambda::Args),
}

pub fn main() -> ExitCode {
    // Lambda starts a custom runtime as a bare executable: whatever the arguments, the
    // function loop is what is wanted there.
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
        return lambda::run_loop();
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { 0 };
            // Printing help or a usage error can only fail if stderr/stdout is gone.
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Process(args) => process::run(args),
        Command::Info(args) => info::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Lambda(args) => lambda::run(args),
    }
}

/// Prints a usage error and returns the matching status.
pub fn usage_error(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::from(EXIT_USAGE)
}
