//! Function URL, API Gateway and ALB requests: converted by `lambda_http` into ordinary HTTP
//! requests and answered by the same router as `glint serve`, so routes, signatures and
//! statuses are the contract's everywhere.
//!
//! Two things differ inside Lambda, both added around the router here. A synchronous response
//! cannot carry more than 6 MB (base64 included): a larger result is written to `GLINT_OUTPUT`
//! (which must then be `s3://`) and answered `303 See Other` with a presigned URL to it. And
//! each invocation prints its EMF metrics line.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use glint_kernels::Format;
use http::{HeaderValue, StatusCode, header};
use http_body_util::BodyExt;
use lambda_http::request::LambdaRequest;
use lambda_http::tower::ServiceExt;
use lambda_runtime::{Context, LambdaEvent};
use serde_json::Value;

use super::{Function, InvocationError};
use crate::config::Settings;
use crate::events::Arrivals;
use crate::http::{ApiError, App, Timing};
use crate::location::as_prefix;
use crate::metrics::Invocation;
use crate::storage::{NewObject, S3Client, Storage, Store};

/// The most a synchronous Lambda response may hold, in bytes of JSON.
pub const RESPONSE_LIMIT: usize = 6 * 1024 * 1024;
/// Room left for the status, headers and JSON around the body.
const ENVELOPE: usize = 64 * 1024;
/// How long a redirect to a large result stays valid.
pub const REDIRECT_VALIDITY: Duration = Duration::from_secs(3600);

/// The router for Lambda HTTP requests: the shared one, wrapped.
pub fn router(settings: &Settings, s3: &S3Client, arrivals: &Arrivals) -> Router {
    let store = settings.store.as_ref().map(|l| {
        let (store, key) = Store::open(l, s3);
        (store, as_prefix(&key))
    });
    // One invocation at a time per execution environment; the deadline comes from Lambda.
    let app = App::new(settings.engine, store, settings.signer.clone(), arrivals.clone(), 1, Duration::from_secs(900));
    let output = settings.output.as_ref().map(|l| {
        let (store, key) = Store::open(l, s3);
        (store, as_prefix(&key))
    });
    let wrap = Arc::new(Wrap { output, backend: settings.engine.backend.name() });
    crate::http::router(app).layer(from_fn_with_state(wrap, fit_and_measure))
}

/// Answers one HTTP event.
pub async fn handle(function: &Function, payload: Value, context: Context) -> Result<Value, InvocationError> {
    let request: LambdaRequest = serde_json::from_value(payload)
        .map_err(|e| InvocationError::bad_event(format!("HTTP event does not parse: {e}")))?;
    let adapter = lambda_http::Adapter::from(function.router.clone());
    let response = match adapter.oneshot(LambdaEvent::new(request, context)).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    serde_json::to_value(&response).map_err(|e| InvocationError::new("internal", false, e.to_string()))
}

struct Wrap {
    /// `GLINT_OUTPUT`, where results too large to answer are written.
    output: Option<(Store, String)>,
    backend: &'static str,
}

/// Runs the request; hands a too-large result over by redirect; prints the metrics line.
async fn fit_and_measure(State(wrap): State<Arc<Wrap>>, request: Request, next: Next) -> Response {
    let request_id = request.extensions().get::<Context>().map(|c| c.request_id.clone()).unwrap_or_default();
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    let timing = response.extensions().get::<Timing>().cloned();
    let response = match fit(&wrap, response, &path).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    };
    let mut totals = Invocation::new(&request_id, "http", wrap.backend);
    if let Some(t) = &timing {
        totals.stages = t.stages;
        totals.bytes_in = t.bytes_in;
        totals.bytes_out = t.bytes_out;
    }
    if response.status().as_u16() >= 400 {
        totals.failed = 1;
    } else if timing.is_some() {
        totals.objects = 1;
    }
    totals.emit();
    response
}

/// The response as it is when it fits a synchronous Lambda response, else a redirect to a copy
/// in `GLINT_OUTPUT`.
async fn fit(wrap: &Wrap, response: Response, path: &str) -> Result<Response, ApiError> {
    let (parts, body) = response.into_parts();
    let bytes = body
        .collect()
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?
        .to_bytes();
    if bytes.len().div_ceil(3) * 4 + ENVELOPE <= RESPONSE_LIMIT {
        return Ok(Response::from_parts(parts, Body::from(bytes)));
    }
    let refuse = |why: &str| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "configuration",
            format!(
                "the result is {} bytes, more than a synchronous Lambda response can carry (6 MB with base64); {why}",
                bytes.len()
            ),
        )
    };
    let Some((Store::S3(store), prefix)) = &wrap.output else {
        return Err(refuse("set GLINT_OUTPUT=s3://BUCKET/PREFIX so that glint can hand it over by redirect"));
    };
    let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let format = [Format::Jpeg, Format::Png, Format::Webp, Format::Avif].into_iter().find(|f| f.mime() == content_type);
    let etag = parts.headers.get(header::ETAG).and_then(|v| v.to_str().ok()).map(|e| e.trim_matches('"').to_string());
    let (Some(format), Some(etag)) = (format, etag) else {
        return Err(refuse("and it is not an image result"));
    };
    let key = format!("{prefix}responses/{etag}.{}", format.extension());
    let pipeline = parts.extensions.get::<Timing>().map(|t| t.pipeline.clone()).unwrap_or_default();
    let new = NewObject { bytes, content_type: format.mime(), pipeline: &pipeline, source: path };
    store.put(&key, new).await.map_err(|e| ApiError::from(crate::handler::JobError::from(e)))?;
    let url = store
        .presigned_get(&key, REDIRECT_VALIDITY)
        .await
        .map_err(|e| ApiError::from(crate::handler::JobError::from(e)))?;
    tracing::info!(dest = %store.uri(&key), "result too large for a synchronous response: redirected");
    let mut redirect = StatusCode::SEE_OTHER.into_response();
    let headers = redirect.headers_mut();
    if let Ok(location) = HeaderValue::from_str(&url) {
        headers.insert(header::LOCATION, location);
    }
    // The signed URL expires: the redirect must not be cached longer than it lives.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=3000"));
    if let Some(etag) = parts.headers.get(header::ETAG) {
        headers.insert(header::ETAG, etag.clone());
    }
    Ok(redirect)
}
