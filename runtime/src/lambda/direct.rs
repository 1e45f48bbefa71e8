//! Direct invocation: `{"source": "s3://BUCKET/KEY", "ops": "PIPELINE", "dest": "s3://BUCKET/KEY"}`
//! answered with `{"dest", "width", "height", "bytes", "backend"}`. `file://` paths work the
//! same where the function has a file system to use. The caller is trusted (it holds
//! `lambda:InvokeFunction`), but a `dest` equal to the `source` is still refused: glint never
//! overwrites its input.

use std::sync::Arc;
use std::time::Instant;

use glint_kernels::Pipeline;
use lambda_runtime::Context;
use serde::Deserialize;
use serde_json::Value;

use super::{Function, InvocationError};
use crate::handler::{Dest, Done, JobError};
use crate::location::Location;
use crate::metrics::Invocation;
use crate::storage::{Storage, Store};

/// The request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    source: String,
    ops: String,
    dest: String,
}

/// Handles a direct invocation.
pub async fn handle(
    function: &Function,
    payload: Value,
    context: &Context,
    deadline: Option<Instant>,
) -> Result<Value, InvocationError> {
    let mut totals = Invocation::new(&context.request_id, "direct", function.settings.engine.backend.name());
    let result = run(function, payload, deadline).await;
    match &result {
        Ok(done) => {
            totals.objects = 1;
            totals.stages = done.stages;
            totals.bytes_in = done.bytes_in;
            totals.bytes_out = done.bytes_out;
        }
        Err(e) => {
            tracing::error!(error = %e.message, kind = %e.error_type, "direct invocation failed");
            totals.failed = 1;
        }
    }
    totals.emit();
    let done = result?;
    Ok(serde_json::json!({
        "dest": done.uri,
        "width": done.width,
        "height": done.height,
        "bytes": done.bytes_out,
        "backend": done.backend.name(),
    }))
}

async fn run(function: &Function, payload: Value, deadline: Option<Instant>) -> Result<Done, InvocationError> {
    let request: Request = serde_json::from_value(payload).map_err(|e| {
        InvocationError::bad_event(format!("direct invocation: {e}; expected {{\"source\", \"ops\", \"dest\"}}"))
    })?;
    let pipeline = Pipeline::parse(&request.ops)
        .map(Arc::new)
        .map_err(|e| InvocationError::new("bad_pipeline", false, format!("invalid pipeline: {e}")))?;
    let source: Location = request.source.parse().map_err(|e| InvocationError::bad_event(format!("source: {e}")))?;
    let (src, src_key) = Store::open_object(&source, &function.s3).map_err(JobError::from)?;
    let engine = &function.settings.engine;
    let dest: Location = request.dest.parse().map_err(|e| InvocationError::bad_event(format!("dest: {e}")))?;
    let (dst, dst_key) = Store::open_object(&dest, &function.s3).map_err(JobError::from)?;
    if src.uri(&src_key) == dst.uri(&dst_key) {
        return Err(InvocationError::bad_event("dest is the source: glint never overwrites its input"));
    }
    Ok(engine.process_object(&src, &src_key, &pipeline, &dst, Dest::Key(&dst_key), deadline).await?)
}
