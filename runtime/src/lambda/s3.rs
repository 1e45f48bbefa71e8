//! S3 notifications: each `ObjectCreated:*` record is processed with `GLINT_OPS` into
//! `GLINT_OUTPUT`; other event kinds are skipped.
//!
//! Keys arrive URL-encoded the way HTML forms are (`+` for a space, `%XX` for the rest) and are
//! decoded before use. S3 invokes the function asynchronously, so the outcome decides retries:
//! if any record failed in a way a retry may fix (a storage fault, the deadline), the invocation
//! fails and Lambda runs it again (records already done are rewritten identically: their keys
//! and bytes are deterministic). A record that can never succeed (a bad image, a bad pipeline,
//! too large) is logged and counted in the metrics, and the invocation succeeds, so that it is
//! not retried for nothing.

use std::time::Instant;

use aws_lambda_events::s3::{S3Event, S3EventRecord};
use lambda_runtime::Context;
use percent_encoding::percent_decode_str;
use serde_json::Value;

use super::{Function, InvocationError};
use crate::events::Arrival;
use crate::handler::JobError;
use crate::metrics::Invocation;
use crate::storage::{S3Store, Store};

/// Handles an S3 notification.
pub async fn handle(
    function: &Function,
    payload: Value,
    context: &Context,
    deadline: Option<Instant>,
) -> Result<Value, InvocationError> {
    let event: S3Event = serde_json::from_value(payload)
        .map_err(|e| InvocationError::bad_event(format!("S3 notification does not parse: {e}")))?;
    let mut totals = Invocation::new(&context.request_id, "s3", function.settings.engine.backend.name());
    let failures = process_records(function, &event.records, deadline, &mut totals).await;
    totals.emit();
    if let Some(retryable) = failures.into_iter().find(JobError::retryable) {
        return Err(retryable.into());
    }
    Ok(serde_json::json!({"processed": totals.objects, "skipped": totals.skipped, "failed": totals.failed}))
}

/// Processes every record, adding to `totals`; returns the failures.
pub async fn process_records(
    function: &Function,
    records: &[S3EventRecord],
    deadline: Option<Instant>,
    totals: &mut Invocation,
) -> Vec<JobError> {
    let mut failures = Vec::new();
    for record in records {
        let (bucket, key) = match target(record) {
            Target::Object { bucket, key } => (bucket, key),
            Target::Skip(why) => {
                tracing::info!(reason = %why, "record skipped");
                totals.skipped += 1;
                continue;
            }
            Target::Bad(why) => {
                tracing::error!(error = %why, retryable = false, "record failed");
                totals.failed += 1;
                failures.push(JobError::Config(why));
                continue;
            }
        };
        let store = Store::S3(S3Store::new(function.s3.clone(), &bucket));
        match function.arrivals.on_object(&store, &key, deadline).await {
            Ok(Arrival::Done(done)) => {
                tracing::info!(source = %format!("s3://{bucket}/{key}"), dest = %done.uri, width = done.width,
                    height = done.height, bytes = done.bytes_out, "processed");
                totals.objects += 1;
                totals.stages.add(&done.stages);
                totals.bytes_in += done.bytes_in;
                totals.bytes_out += done.bytes_out;
            }
            Ok(Arrival::Skipped(why)) => {
                tracing::info!(source = %format!("s3://{bucket}/{key}"), reason = %why, "skipped");
                totals.skipped += 1;
            }
            Err(e) => {
                tracing::error!(source = %format!("s3://{bucket}/{key}"), error = %e, kind = e.name(),
                    retryable = e.retryable(), "record failed");
                totals.failed += 1;
                failures.push(e);
            }
        }
    }
    failures
}

/// What a record asks for.
enum Target {
    Object { bucket: String, key: String },
    Skip(String),
    Bad(String),
}

fn target(record: &S3EventRecord) -> Target {
    let name = record.event_name.as_deref().unwrap_or_default();
    if !name.starts_with("ObjectCreated:") {
        return Target::Skip(format!("event {name:?} is not ObjectCreated"));
    }
    let (Some(bucket), Some(raw_key)) = (&record.s3.bucket.name, &record.s3.object.key) else {
        return Target::Bad("S3 record without a bucket name or object key".into());
    };
    match decode_key(raw_key) {
        Some(key) => Target::Object { bucket: bucket.clone(), key },
        None => Target::Bad(format!("object key {raw_key:?} is not UTF-8 once decoded")),
    }
}

/// Decodes a key as S3 notifications encode it: `+` is a space, `%XX` a byte.
pub fn decode_key(raw: &str) -> Option<String> {
    percent_decode_str(&raw.replace('+', " ")).decode_utf8().ok().map(|k| k.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_form_decoded() {
        assert_eq!(decode_key("photos/summer+day+%2B+%C3%A9t%C3%A9.jpg").unwrap(), "photos/summer day + été.jpg");
        assert_eq!(decode_key("a%2Fb").unwrap(), "a/b");
        assert_eq!(decode_key("%FF"), None);
    }
}
