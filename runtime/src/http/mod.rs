//! The HTTP application, built once and shared by `glint serve` and by Lambda Function URL /
//! API Gateway requests (fed through the same router), so routes, statuses and headers are
//! identical wherever glint answers HTTP.
//!
//! ```text
//! GET  /healthz                              200 when ready
//! GET  /{signature}/{pipeline}/src/{key}     process an object from the store
//! POST /{signature}/process?ops={pipeline}   process the request body
//! POST /                                     Cloud Run / Eventarc CloudEvent (storage object finalized)
//! POST /{function}                           Azure Functions custom handler (blob trigger)
//! ```
//!
//! Every image request takes a permit from a fixed pool before reading anything: when none is
//! left the answer is 503 with `Retry-After`, so a burst costs refusals, not memory. Each
//! request carries a request id (`x-request-id`, taken from the client or made up) in its log
//! lines and response.

mod azure;
mod cloudevents;
mod error;
mod images;
pub mod route;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};
use http::HeaderValue;
use tokio::sync::Semaphore;
use tracing::Instrument;

use crate::events::{Arrival, Arrivals};
use crate::handler::{Engine, JobError};
use crate::signing::Signer;
use crate::storage::{Storage, Store};

pub use error::ApiError;

/// What processing one request cost, attached to its response (as an extension) for the
/// Lambda metrics line.
#[derive(Debug, Clone, Default)]
pub struct Timing {
    /// Time per stage.
    pub stages: crate::metrics::Stages,
    /// Source bytes.
    pub bytes_in: u64,
    /// Result bytes.
    pub bytes_out: u64,
    /// The canonical pipeline.
    pub pipeline: String,
}

/// When a request must be answered: the app's timeout, or sooner when the request came
/// through Lambda and the invocation's deadline is nearer.
fn deadline_for(app: &App, extensions: &http::Extensions) -> std::time::Instant {
    let own = std::time::Instant::now() + app.timeout;
    let lambda = extensions.get::<lambda_http::Context>().and_then(crate::lambda::deadline);
    lambda.map_or(own, |l| l.min(own))
}

/// Everything the routes need, shared by all requests.
#[derive(Debug)]
pub struct App {
    /// Limits, backend, memory budget.
    pub engine: Engine,
    /// Where `GET .../src/{key}` and storage events read from; `None` when not configured.
    pub store: Option<(Store, String)>,
    /// Signature checks.
    pub signer: Signer,
    /// The event-driven job (CloudEvents, Azure).
    pub arrivals: Arrivals,
    /// The longest any request may take.
    pub timeout: Duration,
    /// How many images are processed at once.
    concurrency: usize,
    permits: Arc<Semaphore>,
}

impl App {
    /// The application; at most `concurrency` images are processed at once.
    pub fn new(
        engine: Engine,
        store: Option<(Store, String)>,
        signer: Signer,
        arrivals: Arrivals,
        concurrency: usize,
        timeout: Duration,
    ) -> Self {
        let concurrency = concurrency.max(1);
        App { engine, store, signer, arrivals, timeout, concurrency, permits: Arc::new(Semaphore::new(concurrency)) }
    }
}

/// The router for `app`.
pub fn router(app: App) -> Router {
    let app = Arc::new(app);
    Router::new()
        .route("/healthz", get(healthz))
        .route("/{signature}/process", post(images::post_image))
        .route("/{signature}/{*rest}", get(images::get_image))
        .route("/", post(cloudevents::cloudevent))
        .route("/{function}", post(azure::invoke))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(app)
        .layer(axum::middleware::from_fn(request_id))
}

async fn healthz() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({"status": "ok"}))
}

async fn not_found() -> ApiError {
    ApiError::new(
        http::StatusCode::NOT_FOUND,
        "no_route",
        "routes: GET /healthz, GET /{signature}/{pipeline}/src/{key}, POST /{signature}/process?ops={pipeline}",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        http::StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "images are read with GET, processed from a body with POST; events arrive by POST",
    )
}

/// The header carrying the request id.
pub const REQUEST_ID: &str = "x-request-id";

/// Gives each request an id (the client's `x-request-id`, or Lambda's request id when it came
/// through a Function URL, else a new one), logs under it, and returns it.
async fn request_id(mut request: Request, next: Next) -> Response {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128)
        .map(str::to_string)
        .or_else(|| request.extensions().get::<lambda_http::Context>().map(|c| c.request_id.clone()))
        .unwrap_or_else(|| format!("{:x}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed)));
    let span =
        tracing::info_span!("request", request_id = %id, method = %request.method(), path = %request.uri().path());
    if let Ok(value) = HeaderValue::from_str(&id) {
        request.headers_mut().insert(REQUEST_ID, value.clone());
        let mut response = next.run(request).instrument(span).await;
        response.headers_mut().insert(REQUEST_ID, value);
        response
    } else {
        next.run(request).instrument(span).await
    }
}

impl App {
    /// A storage event for `name` in the store: takes a permit and runs the event job
    /// (`GLINT_OPS` into `GLINT_OUTPUT`).
    async fn arrive(&self, name: &str) -> Result<Arrival, ApiError> {
        let Some((store, prefix)) = &self.store else {
            return Err(JobError::Config("no store configured for storage events (glint serve --store)".into()).into());
        };
        let _permit = images::acquire(self)?;
        let deadline = Some(std::time::Instant::now() + self.timeout);
        let key = format!("{prefix}{name}");
        let arrival = self.arrivals.on_object(store, &key, deadline).await?;
        match &arrival {
            Arrival::Done(done) => tracing::info!(source = %store.uri(&key), dest = %done.uri, "processed"),
            Arrival::Skipped(why) => tracing::info!(source = %store.uri(&key), reason = %why, "skipped"),
        }
        Ok(arrival)
    }
}

/// The JSON summary of an event's outcome: the direct-invocation response's fields, or why
/// nothing was done.
pub fn arrival_json(arrival: &Arrival) -> serde_json::Value {
    match arrival {
        Arrival::Done(done) => serde_json::json!({
            "dest": done.uri,
            "width": done.width,
            "height": done.height,
            "bytes": done.bytes_out,
            "backend": done.backend.name(),
        }),
        Arrival::Skipped(why) => serde_json::json!({"skipped": why}),
    }
}
