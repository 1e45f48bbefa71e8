//! Azure Functions custom handler: the Functions host posts each invocation of a function to
//! `POST /{function}` as `{"Data": {...}, "Metadata": {...}}` and reads back
//! `{"Outputs": {...}, "Logs": [...], "ReturnValue": ...}`.
//!
//! For a blob trigger, `Metadata.BlobTrigger` is `container/path/name`; glint reads that key
//! from the configured store (the storage account mounted into the app, `--store file://...`)
//! rather than from `Data`, so no image bytes travel through the host, and writes the result to
//! `GLINT_OUTPUT`. A failure answers its error status, which the host counts as a failed
//! invocation: the blob trigger retries it and then moves it to its poison queue.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use bytes::Bytes;
use serde_json::Value;

use super::{ApiError, App, arrival_json};
use crate::events::Arrival;

/// `POST /{function}`.
pub async fn invoke(
    State(app): State<Arc<App>>,
    Path(function): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("custom handler request is not JSON: {e}")))?;
    let blob =
        body.pointer("/Metadata/BlobTrigger").and_then(Value::as_str).filter(|b| !b.is_empty()).ok_or_else(|| {
            ApiError::bad_request(format!(
                "function '{function}': expected an Azure Functions blob trigger invocation (Metadata.BlobTrigger)"
            ))
        })?;
    let arrival = app.arrive(blob).await?;
    let log = match &arrival {
        Arrival::Done(done) => format!("glint: {blob} -> {}", done.uri),
        Arrival::Skipped(why) => format!("glint: skipped {blob}: {why}"),
    };
    Ok(Json(serde_json::json!({"Outputs": {}, "Logs": [log], "ReturnValue": arrival_json(&arrival)})))
}
