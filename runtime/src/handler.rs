//! The handler core every front end shares: `(source object, pipeline, destination) ->
//! outcome`, generic over the [`Storage`] trait.
//!
//! Each stage is timed for the metrics; the image work runs on a blocking thread with panics
//! caught; every stage honours the invocation's deadline, and the result is only written once
//! it is complete, so stopping early leaves nothing behind. Errors say whether a retry may help
//! ([`JobError::retryable`]) and which HTTP status they are ([`JobError::status`]).

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use glint_kernels::{Backend, DecodeError, Error as EngineError, Format, Limits, OpError, Output, Pipeline};
use http::StatusCode;

use crate::guard;
use crate::memory::{MemoryBudget, TooMuchMemory};
use crate::metrics::Stages;
use crate::naming;
use crate::storage::{NewObject, Storage, StorageError};

/// What every job shares: limits, backend, and the memory budget inside Lambda.
#[derive(Debug, Clone, Copy)]
pub struct Engine {
    /// Input limits (`GLINT_MAX_PIXELS`, `GLINT_MAX_BYTES`).
    pub limits: Limits,
    /// Where ops run.
    pub backend: Backend,
    /// The function's memory, when running in Lambda.
    pub memory: Option<MemoryBudget>,
}

/// Why a job failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Reading or writing the store.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The pipeline, the image, or the encoder.
    #[error(transparent)]
    Image(#[from] EngineError),
    /// The image would not fit in the function's memory.
    #[error(transparent)]
    Memory(#[from] TooMuchMemory),
    /// The invocation's deadline came first; nothing was written.
    #[error("stopped during {stage}: the deadline of this invocation was close; nothing was written")]
    Deadline {
        /// The stage that was running.
        stage: &'static str,
    },
    /// A panic inside the engine, caught.
    #[error("internal error (please report): {0}")]
    Panic(String),
    /// glint is not configured for this request (e.g. `GLINT_OPS` unset).
    #[error("configuration: {0}")]
    Config(String),
}

impl JobError {
    /// Whether the same job may succeed later: storage faults and deadlines, never a bad
    /// image or pipeline.
    pub fn retryable(&self) -> bool {
        match self {
            JobError::Storage(e) => e.retryable(),
            JobError::Deadline { .. } => true,
            JobError::Image(_) | JobError::Memory(_) | JobError::Panic(_) | JobError::Config(_) => false,
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            JobError::Storage(StorageError::NotFound(_)) => StatusCode::NOT_FOUND,
            JobError::Storage(StorageError::TooLarge { .. }) | JobError::Memory(_) => StatusCode::PAYLOAD_TOO_LARGE,
            JobError::Storage(StorageError::InvalidKey { .. }) => StatusCode::BAD_REQUEST,
            JobError::Storage(StorageError::Denied { .. } | StorageError::Unavailable { .. }) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            JobError::Image(EngineError::Spec(_)) => StatusCode::BAD_REQUEST,
            JobError::Image(EngineError::Decode(
                DecodeError::TooManyBytes { .. } | DecodeError::TooManyPixels { .. },
            )) => StatusCode::PAYLOAD_TOO_LARGE,
            JobError::Image(EngineError::Decode(_)) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            JobError::Image(EngineError::Op(OpError::CropOutside { .. })) => StatusCode::BAD_REQUEST,
            JobError::Image(EngineError::Op(OpError::TooLarge { .. })) => StatusCode::PAYLOAD_TOO_LARGE,
            JobError::Image(EngineError::Op(_) | EngineError::Encode(_)) => StatusCode::INTERNAL_SERVER_ERROR,
            JobError::Deadline { .. } => StatusCode::SERVICE_UNAVAILABLE,
            JobError::Panic(_) | JobError::Config(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A short machine-readable name: the `error` field of JSON error bodies, and the Lambda
    /// error type.
    pub fn name(&self) -> &'static str {
        match self {
            JobError::Storage(StorageError::NotFound(_)) => "not_found",
            JobError::Storage(StorageError::InvalidKey { .. }) => "invalid_key",
            JobError::Storage(StorageError::Denied { .. } | StorageError::Unavailable { .. }) => "storage",
            JobError::Image(EngineError::Spec(_) | EngineError::Op(OpError::CropOutside { .. })) => "bad_pipeline",
            JobError::Image(EngineError::Decode(_)) if self.status() == StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                "unsupported_image"
            }
            JobError::Deadline { .. } => "timeout",
            JobError::Config(_) => "configuration",
            _ if self.status() == StatusCode::PAYLOAD_TOO_LARGE => "too_large",
            _ => "internal",
        }
    }
}

/// An image processed in memory.
#[derive(Debug)]
pub struct Processed {
    /// The encoded result and its size.
    pub output: Output,
    /// Decode, process and encode times (fetch and store are the caller's).
    pub stages: Stages,
}

/// A job finished: where the result went and what it cost.
#[derive(Debug, Clone)]
pub struct Done {
    /// The result's key in the destination store.
    pub key: String,
    /// The result as a URI.
    pub uri: String,
    /// Result width.
    pub width: u32,
    /// Result height.
    pub height: u32,
    /// Result format.
    pub format: Format,
    /// Source size.
    pub bytes_in: u64,
    /// Result size.
    pub bytes_out: u64,
    /// Backend used.
    pub backend: Backend,
    /// Time per stage.
    pub stages: Stages,
}

/// Where a result goes.
#[derive(Debug, Clone, Copy)]
pub enum Dest<'a> {
    /// Exactly this key.
    Key(&'a str),
    /// A key derived from the source key and the pipeline (see [`naming::output_key`]) below
    /// this prefix.
    Derived {
        /// Key prefix (empty, or ending in `/`).
        prefix: &'a str,
    },
}

/// Runs `fut`, unless `deadline` comes first.
pub async fn within<T>(
    deadline: Option<Instant>,
    stage: &'static str,
    fut: impl Future<Output = Result<T, JobError>>,
) -> Result<T, JobError> {
    match deadline {
        None => fut.await,
        Some(at) => {
            tokio::time::timeout_at(at.into(), fut).await.map_err(|_| JobError::Deadline { stage }).and_then(|r| r)
        }
    }
}

impl Engine {
    /// Decodes, runs and encodes `input` on a blocking thread, checking the memory budget
    /// first. The output format is the pipeline's, else `dest_format`, else the input's where
    /// glint writes it, else PNG.
    pub async fn process(
        &self,
        input: Bytes,
        pipeline: &Arc<Pipeline>,
        dest_format: Option<Format>,
        deadline: Option<Instant>,
    ) -> Result<Processed, JobError> {
        let engine = *self;
        let pipeline = Arc::clone(pipeline);
        let task = tokio::task::spawn_blocking(move || {
            guard::catch(|| engine.process_blocking(&input, &pipeline, dest_format))
                .map_err(JobError::Panic)
                .and_then(|r| r)
        });
        // On a deadline the blocking thread cannot be stopped; its result is dropped unwritten.
        within(deadline, "processing", async {
            task.await.map_err(|e| JobError::Panic(format!("processing task: {e}"))).and_then(|r| r)
        })
        .await
    }

    /// Checks the memory budget, then runs [`glint_kernels::process`] (which times its stages).
    fn process_blocking(
        &self,
        input: &[u8],
        pipeline: &Pipeline,
        dest_format: Option<Format>,
    ) -> Result<Processed, JobError> {
        if let Some(budget) = &self.memory {
            budget.check(input, pipeline, &self.limits)?;
        }
        let output = glint_kernels::process(input, pipeline, self.backend, &self.limits, dest_format)?;
        let stages = Stages {
            decode: output.timings.decode,
            process: output.timings.process,
            encode: output.timings.encode,
            ..Stages::default()
        };
        Ok(Processed { output, stages })
    }

    /// Reads `src_key` from `src`, processes it, and writes the result to `dst`.
    pub async fn process_object<S: Storage, D: Storage>(
        &self,
        src: &S,
        src_key: &str,
        pipeline: &Arc<Pipeline>,
        dst: &D,
        dest: Dest<'_>,
        deadline: Option<Instant>,
    ) -> Result<Done, JobError> {
        let t = Instant::now();
        let object = within(deadline, "fetch", async { Ok(src.get(src_key, self.limits.max_bytes).await?) }).await?;
        let fetch = t.elapsed();
        let bytes_in = object.bytes.len() as u64;
        let dest_format = match dest {
            Dest::Key(key) => format_of_key(key),
            Dest::Derived { .. } => None,
        };
        let Processed { output, mut stages } = self.process(object.bytes, pipeline, dest_format, deadline).await?;
        stages.fetch = fetch;

        let canonical = pipeline.to_string();
        let key = match dest {
            Dest::Key(key) => key.to_string(),
            Dest::Derived { prefix } => format!("{prefix}{}", naming::output_key(src_key, &canonical, output.format)),
        };
        let source = src.uri(src_key);
        let new = NewObject {
            bytes: Bytes::from(output.bytes),
            content_type: output.format.mime(),
            pipeline: &canonical,
            source: &source,
        };
        let bytes_out = new.bytes.len() as u64;
        let t = Instant::now();
        within(deadline, "store", async { Ok(dst.put(&key, new).await?) }).await?;
        stages.store = t.elapsed();
        Ok(Done {
            uri: dst.uri(&key),
            key,
            width: output.width,
            height: output.height,
            format: output.format,
            bytes_in,
            bytes_out,
            backend: output.backend,
            stages,
        })
    }
}

/// The format a destination key's extension names, if glint writes it.
pub fn format_of_key(key: &str) -> Option<Format> {
    let name = key.rsplit('/').next()?;
    let (_, ext) = name.rsplit_once('.')?;
    Format::from_extension(ext).filter(|f| f.is_writable())
}

/// How long before the deadline work stops: time to answer and flush the logs.
pub const DEADLINE_MARGIN: Duration = Duration::from_millis(500);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::MemoryStore;

    fn engine() -> Engine {
        Engine { limits: Limits::default(), backend: Backend::Cpu, memory: None }
    }

    fn hopper() -> Vec<u8> {
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/decode/hopper.jpg")).unwrap()
    }

    fn pipeline(spec: &str) -> Arc<Pipeline> {
        Arc::new(Pipeline::parse(spec).unwrap())
    }

    #[tokio::test]
    async fn processes_into_a_derived_key() {
        let store = MemoryStore::new();
        store.insert("in/hopper.jpg", hopper());
        let p = pipeline("resize:64x/format:webp");
        let done = engine()
            .process_object(&store, "in/hopper.jpg", &p, &store, Dest::Derived { prefix: "out/" }, None)
            .await
            .unwrap();
        assert_eq!((done.width, done.height, done.format), (64, 64, Format::Webp));
        assert!(done.key.starts_with("out/in/hopper-") && done.key.ends_with(".webp"), "{}", done.key);
        let written = store.object(&done.key).unwrap();
        assert!(written.info.glint_output);
        assert_eq!(written.bytes.len() as u64, done.bytes_out);
        // The same source and pipeline give the same key and the same bytes.
        let again = engine()
            .process_object(&store, "in/hopper.jpg", &p, &store, Dest::Derived { prefix: "out/" }, None)
            .await
            .unwrap();
        assert_eq!(again.key, done.key);
        assert_eq!(store.object(&again.key).unwrap().bytes, written.bytes);
    }

    #[tokio::test]
    async fn explicit_key_sets_the_format() {
        let store = MemoryStore::new();
        store.insert("a.jpg", hopper());
        let done = engine()
            .process_object(&store, "a.jpg", &pipeline("invert"), &store, Dest::Key("b.png"), None)
            .await
            .unwrap();
        assert_eq!(done.format, Format::Png);
        assert_eq!(done.uri, "memory://b.png");
    }

    #[tokio::test]
    async fn errors_are_classified() {
        let store = MemoryStore::new();
        store.insert("bad.jpg", b"\xFF\xD8\xFF\xE0 not really".to_vec());
        let p = pipeline("invert");
        let e = engine().process_object(&store, "bad.jpg", &p, &store, Dest::Key("o.jpg"), None).await.unwrap_err();
        assert_eq!(
            (e.status(), e.name(), e.retryable()),
            (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_image", false)
        );
        assert!(store.object("o.jpg").is_none());

        let e = engine().process_object(&store, "missing.jpg", &p, &store, Dest::Key("o.jpg"), None).await.unwrap_err();
        assert_eq!((e.status(), e.name(), e.retryable()), (StatusCode::NOT_FOUND, "not_found", false));

        store.set_unavailable(true);
        let e = engine().process_object(&store, "bad.jpg", &p, &store, Dest::Key("o.jpg"), None).await.unwrap_err();
        assert_eq!((e.status(), e.name(), e.retryable()), (StatusCode::INTERNAL_SERVER_ERROR, "storage", true));
    }

    #[tokio::test]
    async fn memory_budget_refuses_before_decoding() {
        let store = MemoryStore::new();
        store.insert("a.jpg", hopper());
        let small = Engine { memory: Some(MemoryBudget { total_mib: 50 }), ..engine() };
        let p = pipeline("resize:8000x8000:enlarge=true");
        let e = small.process_object(&store, "a.jpg", &p, &store, Dest::Key("o.jpg"), None).await.unwrap_err();
        assert_eq!((e.status(), e.name(), e.retryable()), (StatusCode::PAYLOAD_TOO_LARGE, "too_large", false));
        assert!(e.to_string().contains("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), "{e}");
    }

    #[tokio::test]
    async fn deadline_stops_before_writing() {
        let store = MemoryStore::new();
        store.insert("a.jpg", hopper());
        let p = pipeline("resize:1000x1000:enlarge=true/median:3");
        let soon = Some(Instant::now() + Duration::from_millis(20));
        let e = engine().process_object(&store, "a.jpg", &p, &store, Dest::Key("o.jpg"), soon).await.unwrap_err();
        assert!(matches!(e, JobError::Deadline { stage: "processing" }), "{e}");
        assert!(e.retryable());
        assert!(store.object("o.jpg").is_none());
    }

    #[test]
    fn key_formats() {
        assert_eq!(format_of_key("a/b.webp"), Some(Format::Webp));
        assert_eq!(format_of_key("a.b/c"), None);
        assert_eq!(format_of_key("x.gif"), None);
    }
}
