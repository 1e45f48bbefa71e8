//! `glint serve`: the HTTP application on a plain server, for GPU hosts, containers (Cloud Run,
//! Azure Functions custom handlers) and anywhere else.
//!
//! The listener is bound before anything is announced, so the "listening" log line (which
//! carries the real address, also when port 0 was asked for) means requests will be served.
//! SIGTERM or Ctrl-C stops accepting and lets requests in flight finish.

use std::net::SocketAddr;
use std::time::Duration;

use crate::backend::BackendChoice;
use crate::config::Settings;
use crate::events::Arrivals;
use crate::http::{App, router};
use crate::location::{Location, as_prefix};
use crate::storage::{S3Client, Store};

/// What `glint serve` was asked for.
#[derive(Debug, Clone)]
pub struct Options {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Where GET requests and storage events read from (default: `GLINT_STORE`, else the working
    /// directory).
    pub store: Option<Location>,
    /// Images processed at once (default: one per core).
    pub concurrency: Option<usize>,
    /// The longest a request may take.
    pub timeout: Duration,
    /// `--backend`.
    pub backend: BackendChoice,
}

/// Serves until stopped. Errors are start-up errors (settings, address in use).
pub fn run(options: Options) -> Result<(), String> {
    crate::logging::init();
    let mut settings = Settings::from_env(Some(options.backend)).map_err(|e| e.to_string())?;
    if options.store.is_some() {
        settings.store = options.store;
    }
    if settings.engine.backend == glint_kernels::Backend::Gpu {
        warm_up_gpu();
    }
    let store = settings.store.clone().unwrap_or(Location::File { path: ".".into() });
    let s3 = S3Client::from_env();
    let (store, key) = Store::open(&store, &s3);
    let concurrency =
        options.concurrency.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get));
    let app = App::new(
        settings.engine,
        Some((store, as_prefix(&key))),
        settings.signer.clone(),
        Arrivals::new(&settings, &s3),
        concurrency,
        options.timeout,
    );
    let router = router(app);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(options.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        tracing::info!(addr = %addr, concurrency, signed = settings.signer.is_signing(), "listening");
        axum::serve(listener, router)
            .with_graceful_shutdown(shutdown())
            .await
            .map_err(|e| format!("server stopped: {e}"))
    })
}

/// Compiles every shader before the first request, so no request pays for it. A failure here
/// is only logged: requests would fall back to the CPU anyway.
fn warm_up_gpu() {
    let started = std::time::Instant::now();
    match glint_kernels::gpu::shared(glint_kernels::gpu::AdapterPolicy::Any).and_then(|c| c.warm_up()) {
        Ok(()) => tracing::info!(ms = started.elapsed().as_millis() as u64, "GPU pipelines compiled"),
        Err(e) => tracing::warn!(error = %e, "GPU warm-up failed; requests will fall back to the CPU"),
    }
}

/// Resolves on SIGTERM (how containers are stopped) or Ctrl-C.
async fn shutdown() {
    let ctrl_c = async {
        // Without a handler there is nothing to wait for but SIGTERM.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
