//! glint as an AWS Lambda function (`glint lambda`, or any `glint` started with
//! `AWS_LAMBDA_RUNTIME_API` set), on `lambda_runtime`. One function takes every kind of event,
//! told apart by shape:
//!
//! - S3 notifications (`Records[].eventSource == "aws:s3"`): [`s3`];
//! - SQS batches (`"aws:sqs"`), each message an S3 notification: [`sqs`];
//! - Function URL / API Gateway / ALB requests: [`web`], through the same router as
//!   `glint serve`;
//! - a direct invocation `{"source", "ops", "dest"}`: [`direct`];
//! - S3's `s3:TestEvent`, sent when a notification is configured: acknowledged, nothing done.
//!
//! Nothing slow happens before the first request for work: settings are read and checked, the
//! router is built, and the S3 client waits for the first event that needs it.

mod direct;
mod s3;
mod sqs;
mod web;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use lambda_runtime::{Context, Diagnostic, LambdaEvent, service_fn};
use serde_json::Value;

use crate::config::Settings;
use crate::events::Arrivals;
use crate::handler::{DEADLINE_MARGIN, JobError};
use crate::storage::S3Client;

/// Why an invocation failed, as Lambda records it (`errorType`, `errorMessage`).
#[derive(Debug)]
pub struct InvocationError {
    /// A short name: `glint.<error>`, with `.retryable` when a retry may succeed.
    pub error_type: String,
    /// What happened.
    pub message: String,
}

impl InvocationError {
    fn new(name: &str, retryable: bool, message: impl Into<String>) -> Self {
        let error_type = if retryable { format!("glint.{name}.retryable") } else { format!("glint.{name}") };
        InvocationError { error_type, message: message.into() }
    }

    fn bad_event(message: impl Into<String>) -> Self {
        Self::new("bad_event", false, message)
    }
}

impl From<JobError> for InvocationError {
    fn from(e: JobError) -> Self {
        InvocationError::new(e.name(), e.retryable(), e.to_string())
    }
}

impl From<InvocationError> for Diagnostic {
    fn from(e: InvocationError) -> Self {
        Diagnostic { error_type: e.error_type, error_message: e.message }
    }
}

/// Everything an invocation needs, built once at start-up.
pub struct Function {
    settings: Settings,
    s3: S3Client,
    arrivals: Arrivals,
    router: axum::Router,
}

impl Function {
    /// The function for these settings.
    pub fn new(settings: Settings, s3: S3Client) -> Self {
        let arrivals = Arrivals::new(&settings, &s3);
        let router = web::router(&settings, &s3, &arrivals);
        Function { settings, s3, arrivals, router }
    }

    /// Handles one event of any kind.
    pub async fn dispatch(&self, event: LambdaEvent<Value>) -> Result<Value, InvocationError> {
        let (payload, context) = event.into_parts();
        let deadline = deadline(&context);
        match classify(&payload) {
            Kind::S3 => s3::handle(self, payload, &context, deadline).await,
            Kind::Sqs => sqs::handle(self, payload, &context, deadline).await,
            Kind::Http => web::handle(self, payload, context).await,
            Kind::Direct => direct::handle(self, payload, &context, deadline).await,
            Kind::TestEvent => {
                tracing::info!("s3:TestEvent acknowledged");
                Ok(serde_json::json!({"skipped": "s3:TestEvent"}))
            }
            Kind::Unknown => Err(InvocationError::bad_event(
                "unrecognised event: expected an S3 notification, an SQS batch, an HTTP request (Function URL / API \
                 Gateway) or {\"source\": ..., \"ops\": ..., \"dest\": ...}",
            )),
        }
    }
}

/// The kinds of event a function receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    S3,
    Sqs,
    Http,
    Direct,
    TestEvent,
    Unknown,
}

fn classify(event: &Value) -> Kind {
    if let Some(records) = event.get("Records").and_then(Value::as_array) {
        let source = records.first().and_then(|r| r.get("eventSource").or_else(|| r.get("EventSource")));
        return match source.and_then(Value::as_str) {
            Some("aws:s3") => Kind::S3,
            Some("aws:sqs") => Kind::Sqs,
            _ => Kind::Unknown,
        };
    }
    if event.get("Event").and_then(Value::as_str) == Some("s3:TestEvent") {
        return Kind::TestEvent;
    }
    if event.get("requestContext").is_some() && (event.get("httpMethod").is_some() || event.get("rawPath").is_some()) {
        return Kind::Http;
    }
    if event.get("source").is_some() {
        return Kind::Direct;
    }
    Kind::Unknown
}

/// When work must stop: the invocation's deadline less a margin to answer and log. Lambda
/// sends the deadline in milliseconds since the epoch; a value too small to be one (before
/// 2001) is read as a time budget from now, which is what some local emulators send.
pub(crate) fn deadline(context: &Context) -> Option<Instant> {
    const EPOCH_2001_MS: u64 = 1_000_000_000_000;
    if context.deadline == 0 {
        return None;
    }
    let remaining = if context.deadline < EPOCH_2001_MS {
        Duration::from_millis(context.deadline)
    } else {
        context.deadline().duration_since(SystemTime::now()).unwrap_or(Duration::ZERO)
    };
    Some(Instant::now() + remaining.saturating_sub(DEADLINE_MARGIN))
}

/// The variables the Lambda runtime client needs; it panics without them, so they are
/// checked first and reported as a plain error.
fn check_environment() -> Result<(), String> {
    for name in ["AWS_LAMBDA_RUNTIME_API", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION"] {
        if std::env::var_os(name).is_none() {
            return Err(format!(
                "{name} is not set: glint lambda runs inside AWS Lambda or a Lambda runtime emulator \
                 (e.g. cargo lambda watch --only-lambda-apis)"
            ));
        }
    }
    let memory = std::env::var("AWS_LAMBDA_FUNCTION_MEMORY_SIZE").unwrap_or_default();
    if memory.parse::<i32>().map_or(true, |m| m <= 0) {
        return Err(format!("AWS_LAMBDA_FUNCTION_MEMORY_SIZE={memory:?}: expected the function's memory in MiB"));
    }
    let api = std::env::var("AWS_LAMBDA_RUNTIME_API").unwrap_or_default();
    if api.parse::<http::Uri>().is_err() {
        return Err(format!("AWS_LAMBDA_RUNTIME_API={api:?} is not host:port or a URL"));
    }
    Ok(())
}

/// Runs the Lambda loop until the runtime API goes away. Errors are start-up errors.
pub fn run() -> Result<(), String> {
    crate::logging::init();
    check_environment()?;
    let settings = Settings::from_env(None).map_err(|e| e.to_string())?;
    let function = Arc::new(Function::new(settings, S3Client::from_env()));
    // One thread drives the loop; images are processed on the blocking pool, in parallel
    // inside the engine.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(async move {
        let handler = service_fn(move |event: LambdaEvent<Value>| {
            let function = Arc::clone(&function);
            async move { function.dispatch(event).await }
        });
        lambda_runtime::run(handler).await.map_err(|e| format!("Lambda runtime: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_events() {
        let v = |s: &str| serde_json::from_str::<Value>(s).unwrap();
        assert_eq!(classify(&v(r#"{"Records":[{"eventSource":"aws:s3"}]}"#)), Kind::S3);
        assert_eq!(classify(&v(r#"{"Records":[{"eventSource":"aws:sqs"}]}"#)), Kind::Sqs);
        assert_eq!(classify(&v(r#"{"Records":[{"eventSource":"aws:sns"}]}"#)), Kind::Unknown);
        assert_eq!(classify(&v(r#"{"Service":"Amazon S3","Event":"s3:TestEvent"}"#)), Kind::TestEvent);
        assert_eq!(classify(&v(r#"{"version":"2.0","rawPath":"/healthz","requestContext":{}}"#)), Kind::Http);
        assert_eq!(classify(&v(r#"{"httpMethod":"GET","path":"/","requestContext":{}}"#)), Kind::Http);
        assert_eq!(classify(&v(r#"{"source":"s3://a/b","ops":"invert","dest":"s3://a/c"}"#)), Kind::Direct);
        assert_eq!(classify(&v(r#"{"hello":1}"#)), Kind::Unknown);
    }

    #[test]
    fn deadlines() {
        let mut ctx = Context::default();
        assert_eq!(deadline(&ctx), None);
        ctx.deadline = 600_000; // a relative budget, as local emulators send
        let d = deadline(&ctx).unwrap().duration_since(Instant::now());
        assert!(d > Duration::from_secs(598) && d < Duration::from_secs(600), "{d:?}");
        let in_3s = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap() + Duration::from_secs(3);
        ctx.deadline = in_3s.as_millis() as u64;
        let d = deadline(&ctx).unwrap().duration_since(Instant::now());
        assert!(d > Duration::from_millis(2300) && d <= Duration::from_millis(2500), "{d:?}");
    }
}
