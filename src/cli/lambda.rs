//! `glint lambda`: the AWS Lambda function loop (in `glint_runtime::lambda`). `main` also
//! starts it, whatever the arguments, when `AWS_LAMBDA_RUNTIME_API` is set: a Lambda custom
//! runtime is started as a bare `bootstrap` executable.

use std::process::ExitCode;

use super::usage_error;

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> ExitCode {
    run_loop()
}

/// Runs the loop; returns only when it cannot start or the runtime API goes away.
pub fn run_loop() -> ExitCode {
    match glint_runtime::lambda::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => usage_error(e),
    }
}
