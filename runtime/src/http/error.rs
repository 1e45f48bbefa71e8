//! Error responses: the contract's JSON body `{"error": "...", "detail": "..."}` with the
//! status the error calls for, and `Retry-After` where waiting helps.

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};

use crate::handler::JobError;
use crate::signing::SignatureError;

/// An error answered over HTTP.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The status.
    pub status: StatusCode,
    /// A short machine-readable name.
    pub error: &'static str,
    /// What happened, for a person.
    pub detail: String,
    /// Seconds to wait before trying again, where that helps.
    pub retry_after: Option<u32>,
}

impl ApiError {
    /// An error with no `Retry-After`.
    pub fn new(status: StatusCode, error: &'static str, detail: impl Into<String>) -> Self {
        ApiError { status, error, detail: detail.into(), retry_after: None }
    }

    /// 503 with `Retry-After`: every processing slot is taken.
    pub fn saturated(limit: usize) -> Self {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            error: "saturated",
            detail: format!("all {limit} processing slots are busy; retry shortly"),
            retry_after: Some(1),
        }
    }

    /// 400 for a request that does not match the route's shape.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", detail)
    }
}

impl From<JobError> for ApiError {
    fn from(e: JobError) -> Self {
        let retry_after = matches!(e, JobError::Deadline { .. }).then_some(1);
        ApiError { status: e.status(), error: e.name(), detail: e.to_string(), retry_after }
    }
}

impl From<SignatureError> for ApiError {
    fn from(e: SignatureError) -> Self {
        ApiError::new(StatusCode::FORBIDDEN, "signature", e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(status = self.status.as_u16(), error = self.error, detail = %self.detail, "request failed");
        } else {
            tracing::info!(status = self.status.as_u16(), error = self.error, detail = %self.detail, "request refused");
        }
        let body = axum::Json(serde_json::json!({"error": self.error, "detail": self.detail}));
        let mut response = (self.status, body).into_response();
        if let Some(secs) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}
