//! SQS batches whose messages are S3 notifications (sent by S3 directly, or wrapped by SNS),
//! answered with a partial batch response so that only the failed messages return to the
//! queue (the event source mapping needs `ReportBatchItemFailures`).
//!
//! A message fails when any of its records fails, retryable or not: a message that can never
//! succeed (a corrupt image) is retried up to the queue's `maxReceiveCount` and then lands in
//! the dead-letter queue, where it can be inspected, instead of disappearing. A message that is
//! not an S3 notification at all fails the same way. S3's `s3:TestEvent` succeeds.

use std::time::Instant;

use aws_lambda_events::s3::S3Event;
use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use lambda_runtime::Context;
use serde_json::Value;

use super::{Function, InvocationError, s3};
use crate::metrics::Invocation;

/// Handles an SQS batch.
pub async fn handle(
    function: &Function,
    payload: Value,
    context: &Context,
    deadline: Option<Instant>,
) -> Result<Value, InvocationError> {
    let event: SqsEvent = serde_json::from_value(payload)
        .map_err(|e| InvocationError::bad_event(format!("SQS batch does not parse: {e}")))?;
    let mut totals = Invocation::new(&context.request_id, "sqs", function.settings.engine.backend.name());
    let mut response = SqsBatchResponse::default();
    for message in &event.records {
        let id = message.message_id.clone().unwrap_or_default();
        let ok = match parse_body(message.body.as_deref().unwrap_or_default()) {
            Body::Test => {
                totals.skipped += 1;
                true
            }
            Body::Notification(event) => {
                s3::process_records(function, &event.records, deadline, &mut totals).await.is_empty()
            }
            Body::Bad(why) => {
                tracing::error!(message_id = %id, error = %why, retryable = false, "message failed");
                totals.failed += 1;
                false
            }
        };
        if !ok {
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = id;
            response.batch_item_failures.push(failure);
        }
    }
    totals.emit();
    serde_json::to_value(&response).map_err(|e| InvocationError::new("internal", false, e.to_string()))
}

/// What a message carries.
enum Body {
    Notification(S3Event),
    Test,
    Bad(String),
}

fn parse_body(body: &str) -> Body {
    let Ok(mut value) = serde_json::from_str::<Value>(body) else {
        return Body::Bad("message body is not JSON".into());
    };
    // S3 -> SNS -> SQS: the notification is a JSON string inside the SNS envelope.
    if value.get("Type").and_then(Value::as_str) == Some("Notification") {
        match value.get("Message").and_then(Value::as_str).map(serde_json::from_str::<Value>) {
            Some(Ok(inner)) => value = inner,
            _ => return Body::Bad("SNS envelope without a JSON Message".into()),
        }
    }
    if value.get("Event").and_then(Value::as_str) == Some("s3:TestEvent") {
        return Body::Test;
    }
    match serde_json::from_value::<S3Event>(value) {
        Ok(event) => Body::Notification(event),
        Err(e) => Body::Bad(format!("message body is not an S3 notification: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies() {
        assert!(matches!(parse_body("nope"), Body::Bad(_)));
        assert!(matches!(parse_body(r#"{"Service":"Amazon S3","Event":"s3:TestEvent"}"#), Body::Test));
        assert!(matches!(parse_body(r#"{"Records":[{"nope":1}]}"#), Body::Bad(_)));
        let sns = serde_json::json!({"Type": "Notification", "Message": r#"{"Event":"s3:TestEvent"}"#}).to_string();
        assert!(matches!(parse_body(&sns), Body::Test));
    }
}
