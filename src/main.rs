//! The `glint` command: process images from the command line, inspect what the host offers,
//! and benchmark the kernels. See `glint --help`.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    glint_runtime::guard::install();
    cli::main()
}
