//! `glint serve`: the HTTP server (routes in `glint_runtime::http`). This file only turns the
//! command line into `glint_runtime::serve::Options`.

use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::process::ExitCode;

use glint_runtime::backend::BackendChoice;
use glint_runtime::location::Location;

use super::usage_error;

#[derive(clap::Args)]
pub struct Args {
    /// Address and port to listen on (port 0: any free port, shown in the "listening" log line).
    /// Default: 127.0.0.1:8080; under an Azure Functions custom handler 127.0.0.1 on
    /// `FUNCTIONS_CUSTOMHANDLER_PORT`; in a container that sets `PORT` (Cloud Run) 0.0.0.0 on it.
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// Where `GET /{signature}/{pipeline}/src/{key}` and storage events read from:
    /// `file://DIR` or `s3://BUCKET/PREFIX` (default: the working directory).
    #[arg(long, env = "GLINT_STORE", value_name = "file://DIR|s3://BUCKET/PREFIX")]
    store: Option<String>,
    /// Images processed at once; further requests are answered 503 with Retry-After
    /// (default: one per core).
    #[arg(long, env = "GLINT_CONCURRENCY", value_name = "N")]
    concurrency: Option<NonZeroUsize>,
    /// The longest a request may take, in seconds.
    #[arg(long, env = "GLINT_TIMEOUT", default_value_t = 30, value_name = "SECONDS")]
    timeout: u64,
    /// Where ops run: auto, cpu or gpu.
    #[arg(long, env = "GLINT_BACKEND", default_value = "auto", value_name = "auto|cpu|gpu")]
    backend: BackendChoice,
}

pub fn run(args: Args) -> ExitCode {
    let store = match args.store.as_deref().map(str::parse::<Location>).transpose() {
        Ok(store) => store,
        Err(e) => return usage_error(format_args!("--store {e}")),
    };
    if args.timeout == 0 {
        return usage_error("--timeout must be at least 1 second");
    }
    let listen = match args.listen.map_or_else(host_listen_address, Ok) {
        Ok(listen) => listen,
        Err(e) => return usage_error(e),
    };
    let options = glint_runtime::serve::Options {
        listen,
        store,
        concurrency: args.concurrency.map(NonZeroUsize::get),
        timeout: std::time::Duration::from_secs(args.timeout),
        backend: args.backend,
    };
    match glint_runtime::serve::run(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => usage_error(e),
    }
}

/// Where to listen when `--listen` is not given: the port a function host hands its custom
/// handler, or the one a container platform routes to, else 127.0.0.1:8080.
fn host_listen_address() -> Result<SocketAddr, String> {
    let port = |var: &str| -> Result<Option<u16>, String> {
        std::env::var(var)
            .ok()
            .map(|v| v.trim().parse::<u16>().map_err(|_| format!("{var}={v:?} is not a port")))
            .transpose()
    };
    if let Some(p) = port("FUNCTIONS_CUSTOMHANDLER_PORT")? {
        return Ok(SocketAddr::from(([127, 0, 0, 1], p)));
    }
    if let Some(p) = port("PORT")? {
        return Ok(SocketAddr::from(([0, 0, 0, 0], p)));
    }
    Ok(SocketAddr::from(([127, 0, 0, 1], 8080)))
}
