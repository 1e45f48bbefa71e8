//! Structured logs: one JSON object per line on standard output (where Lambda, Cloud Run and
//! Azure all collect them), each carrying the fields of the span it was written in, among them
//! the request id (`requestId` in Lambda, `request_id` for HTTP requests).
//!
//! The level comes from `RUST_LOG` (default `info`; the AWS SDK's own chatter is kept to
//! warnings).

use tracing_subscriber::EnvFilter;

/// Installs the JSON log subscriber; a second call does nothing.
pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,aws_config=warn,aws_smithy_runtime=warn,aws_sdk_s3=warn"));
    // Fails only when a subscriber is already installed, which is fine.
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .flatten_event(true)
        .with_writer(std::io::stdout)
        .try_init();
}
