//! The two image routes: `GET /{signature}/{pipeline}/src/{key}` (an object from the store)
//! and `POST /{signature}/process?ops={pipeline}` (the request body).
//!
//! Order of checks: signature (403) before anything else is looked at, then the pipeline
//! (400), then a processing permit (503), then the source (404/413), then the image (415).
//! The `ETag` is a hash of the source bytes and the canonical pipeline, known before any pixel
//! is decoded, so a matching `If-None-Match` is answered 304 without processing. GET results are
//! cacheable for a year (`immutable`: a changed source should get a new key); POST results are
//! not stored by caches.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use glint_kernels::Pipeline;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use sha2::{Digest, Sha256};
use tokio::sync::OwnedSemaphorePermit;

use super::route::{self, Source};
use super::{ApiError, App, Timing};
use crate::handler::{JobError, Processed, within};
use crate::storage::Storage;

/// `Cache-Control` for GET results.
pub const CACHE_GET: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` for POST results.
pub const CACHE_POST: &str = "no-store";

/// `GET /{signature}/{pipeline}/src/{key}`.
pub async fn get_image(State(app): State<Arc<App>>, request: Request) -> Result<Response, ApiError> {
    let route = route::parse_get(request.uri().path())?;
    app.signer.verify(route.signature, &route.signed)?;
    let Source { pipeline, key } = route.target?;
    let pipeline = Arc::new(pipeline);
    let Some((store, prefix)) = &app.store else {
        return Err(ApiError::from(JobError::Config(
            "no store configured for GET requests (glint serve --store, or GLINT_STORE)".into(),
        )));
    };
    let _permit = acquire(&app)?;
    let deadline = Some(super::deadline_for(&app, request.extensions()));
    let full_key = format!("{prefix}{key}");
    let t = Instant::now();
    let object =
        within(deadline, "fetch", async { Ok(store.get(&full_key, app.engine.limits.max_bytes).await?) }).await?;
    let fetch = t.elapsed();
    respond(&app, request.headers(), object.bytes, &pipeline, CACHE_GET, deadline, fetch).await
}

/// `POST /{signature}/process?ops={pipeline}`.
pub async fn post_image(State(app): State<Arc<App>>, request: Request) -> Result<Response, ApiError> {
    let route = route::parse_post(request.uri().path(), request.uri().query())?;
    app.signer.verify(route.signature, &route.signed)?;
    let pipeline = Arc::new(route.target?);
    let _permit = acquire(&app)?;

    let max = app.engine.limits.max_bytes;
    let too_large = |size: String| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("request body is {size} bytes, over the limit of {max} bytes (GLINT_MAX_BYTES)"),
        )
    };
    let declared = request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if let Some(n) = declared.filter(|&n| n > max) {
        return Err(too_large(n.to_string()));
    }
    let headers = request.headers().clone();
    let deadline = Some(super::deadline_for(&app, request.extensions()));
    let t = Instant::now();
    let limit = usize::try_from(max).unwrap_or(usize::MAX);
    let body = within(deadline, "fetch", async {
        Ok(Limited::new(request.into_body(), limit).collect().await.map(|c| c.to_bytes()))
    })
    .await?
    .map_err(|e| {
        if e.downcast_ref::<LengthLimitError>().is_some() {
            too_large("more than that".into())
        } else {
            ApiError::bad_request(format!("could not read the request body: {e}"))
        }
    })?;
    let fetch = t.elapsed();
    respond(&app, &headers, body, &pipeline, CACHE_POST, deadline, fetch).await
}

/// Answers 304 when the client has this result, else processes and answers the image.
async fn respond(
    app: &App,
    headers: &HeaderMap,
    source: Bytes,
    pipeline: &Arc<Pipeline>,
    cache_control: &'static str,
    deadline: Option<Instant>,
    fetch: std::time::Duration,
) -> Result<Response, ApiError> {
    let etag = etag(&source, pipeline);
    let etag_value = HeaderValue::from_str(&etag).ok();
    let cache_headers = |response: &mut Response| {
        if let Some(v) = &etag_value {
            response.headers_mut().insert(header::ETAG, v.clone());
        }
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control));
    };
    if if_none_match(headers, &etag) {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        cache_headers(&mut response);
        return Ok(response);
    }
    let bytes_in = source.len();
    let Processed { output, mut stages } = app.engine.process(source, pipeline, None, deadline).await?;
    stages.fetch = fetch;
    tracing::info!(
        status = 200,
        width = output.width,
        height = output.height,
        format = output.format.name(),
        bytes_in,
        bytes_out = output.bytes.len(),
        backend = app.engine.backend.name(),
        fetch_ms = stages.fetch.as_secs_f64() * 1e3,
        decode_ms = stages.decode.as_secs_f64() * 1e3,
        process_ms = stages.process.as_secs_f64() * 1e3,
        encode_ms = stages.encode.as_secs_f64() * 1e3,
        "processed"
    );
    let timing = Timing {
        stages,
        bytes_in: bytes_in as u64,
        bytes_out: output.bytes.len() as u64,
        pipeline: pipeline.to_string(),
    };
    let mut response = Response::new(Body::from(output.bytes));
    response.extensions_mut().insert(timing);
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(output.format.mime()));
    response.headers_mut().insert("x-glint-backend", HeaderValue::from_static(app.engine.backend.name()));
    cache_headers(&mut response);
    Ok(response)
}

/// Takes a processing permit, or answers 503 at once.
pub(super) fn acquire(app: &App) -> Result<OwnedSemaphorePermit, ApiError> {
    Arc::clone(&app.permits).try_acquire_owned().map_err(|_| ApiError::saturated(app.concurrency))
}

/// The strong `ETag` of the result: the same source bytes and pipeline always give the same
/// result, so they identify it (with glint's version, as a new version may encode differently).
pub fn etag(source: &[u8], pipeline: &Pipeline) -> String {
    let mut h = Sha256::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update([0]);
    h.update(pipeline.to_string().as_bytes());
    h.update([0]);
    h.update(source);
    let digest = hex::encode(h.finalize());
    format!("\"{}\"", &digest[..32])
}

/// Whether `If-None-Match` lists `etag` (weak comparison, as RFC 9110 asks for this header).
fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers.get_all(header::IF_NONE_MATCH).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(
        |candidate| {
            let c = candidate.trim();
            c == "*" || c.strip_prefix("W/").unwrap_or(c) == etag
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_match_weakly() {
        let p = Pipeline::parse("invert").unwrap();
        let tag = etag(b"abc", &p);
        assert_ne!(tag, etag(b"abd", &p));
        assert_ne!(tag, etag(b"abc", &Pipeline::parse("grayscale").unwrap()));
        let mut h = HeaderMap::new();
        assert!(!if_none_match(&h, &tag));
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_str(&format!("\"x\", W/{tag}")).unwrap());
        assert!(if_none_match(&h, &tag));
    }
}
