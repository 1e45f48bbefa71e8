//! Cloud Run with Eventarc: a `google.cloud.storage.object.v1.finalized` CloudEvent, delivered
//! as `POST /` in binary mode (`ce-type` header, the object as the JSON body) or structured mode
//! (`application/cloudevents+json`, the object under `data`).
//!
//! The object's `name` is read from the configured store (`--store`): a Cloud Storage bucket
//! mounted into the container (`file://`), or the bucket through Cloud Storage's S3-compatible
//! API (`s3://BUCKET`, with `AWS_ENDPOINT_URL_S3=https://storage.googleapis.com`). Other event
//! types are acknowledged and ignored. Errors keep their status: Eventarc redelivers anything
//! but 2xx, so give its subscription a dead-letter topic for images that can never succeed.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use bytes::Bytes;
use http::{HeaderMap, header};
use serde_json::Value;

use super::{ApiError, App, arrival_json};
use crate::storage::Store;

/// The event type handled.
pub const FINALIZED: &str = "google.cloud.storage.object.v1.finalized";

/// `POST /`.
pub async fn cloudevent(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Result<Json<Value>, ApiError> {
    let body: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("CloudEvent body is not JSON: {e}")))?;
    let structured = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/cloudevents+json"));
    let (kind, data) = if structured {
        (body.get("type").and_then(Value::as_str).map(str::to_string), body.get("data").cloned().unwrap_or_default())
    } else {
        (headers.get("ce-type").and_then(|v| v.to_str().ok()).map(str::to_string), body)
    };
    let Some(kind) = kind else {
        return Err(ApiError::bad_request(
            "not a CloudEvent: no ce-type header (binary mode) or type field (structured)",
        ));
    };
    if kind != FINALIZED {
        return Ok(Json(
            serde_json::json!({"skipped": format!("event type {kind} is not handled (only {FINALIZED})")}),
        ));
    }
    let name = data
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ApiError::bad_request("storage event without an object name (data.name)"))?;
    if let (Some(Store::S3(store)), Some(bucket)) =
        (app.store.as_ref().map(|(s, _)| s), data.get("bucket").and_then(Value::as_str))
        && store.bucket() != bucket
    {
        return Err(ApiError::bad_request(format!(
            "event for bucket '{bucket}', but this service's store is bucket '{}'",
            store.bucket()
        )));
    }
    let arrival = app.arrive(name).await?;
    Ok(Json(arrival_json(&arrival)))
}
