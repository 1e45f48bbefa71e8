//! "An object arrived": what every event trigger (S3 notifications, SQS, Cloud Run
//! CloudEvents, Azure blob triggers) comes down to. The object is processed with `GLINT_OPS`
//! into `GLINT_OUTPUT` under a derived key, unless it is one of glint's own results.
//!
//! Two guards keep an output from ever triggering glint again, whatever the trigger's
//! configuration: an object inside `GLINT_OUTPUT` is skipped, and so is any object whose
//! metadata carries the [`OUTPUT_MARKER`](crate::storage::OUTPUT_MARKER). The source is only
//! ever read, never modified or deleted.

use std::sync::Arc;
use std::time::Instant;

use glint_kernels::Pipeline;

use crate::config::{Settings, paths_overlap};
use crate::handler::{Dest, Done, Engine, JobError};
use crate::location::{Location, as_prefix};
use crate::storage::{S3Client, Storage, StorageError, Store};

/// What became of an arrived object.
#[derive(Debug, Clone)]
pub enum Arrival {
    /// Processed.
    Done(Done),
    /// Deliberately left alone, and why.
    Skipped(String),
}

/// The event-driven job: `GLINT_OPS` into `GLINT_OUTPUT`.
#[derive(Debug, Clone)]
pub struct Arrivals {
    engine: Engine,
    ops: Option<Arc<Pipeline>>,
    output: Option<Output>,
}

#[derive(Debug, Clone)]
struct Output {
    location: Location,
    store: Store,
    prefix: String,
}

impl Arrivals {
    /// From the start-up settings; S3 outputs use the shared client.
    pub fn new(settings: &Settings, s3: &S3Client) -> Self {
        let output = settings.output.as_ref().map(|location| {
            let (store, key) = Store::open(location, s3);
            Output { location: location.clone(), store, prefix: as_prefix(&key) }
        });
        Arrivals { engine: settings.engine, ops: settings.ops.clone(), output }
    }

    /// The engine settings.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Processes `key` from `source`, or says why it was skipped.
    pub async fn on_object(&self, source: &Store, key: &str, deadline: Option<Instant>) -> Result<Arrival, JobError> {
        let ops = self.ops.as_ref().ok_or_else(|| {
            JobError::Config("GLINT_OPS is not set: it names the pipeline for objects arriving by events".into())
        })?;
        let output = self.output.as_ref().ok_or_else(|| {
            JobError::Config(
                "GLINT_OUTPUT is not set: it says where event results go (s3://BUCKET/PREFIX or file://DIR)".into(),
            )
        })?;
        if inside(source, key, &output.location)? {
            return Ok(Arrival::Skipped(format!(
                "{} lies inside GLINT_OUTPUT: a result, not an upload",
                source.uri(key)
            )));
        }
        let info = crate::handler::within(deadline, "fetch", async { Ok(source.head(key).await?) }).await?;
        if info.glint_output {
            return Ok(Arrival::Skipped(format!("{} was written by glint (metadata glint-output)", source.uri(key))));
        }
        let max = self.engine.limits.max_bytes;
        if info.size > max {
            return Err(StorageError::TooLarge { key: key.to_string(), size: info.size, max }.into());
        }
        let done = self
            .engine
            .process_object(source, key, ops, &output.store, Dest::Derived { prefix: &output.prefix }, deadline)
            .await?;
        Ok(Arrival::Done(done))
    }
}

/// Whether `key` in `source` lies inside the output location.
fn inside(source: &Store, key: &str, output: &Location) -> Result<bool, JobError> {
    Ok(match (source, output) {
        (Store::S3(s3), Location::S3 { bucket, key: prefix }) => {
            s3.bucket() == bucket && key.starts_with(&as_prefix(prefix))
        }
        (Store::Local(local), Location::File { path }) => paths_overlap(&local.path(key)?, path),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{MemoryStore, S3Store};

    fn arrivals(output: &str) -> Arrivals {
        let settings = Settings::from_lookup(
            |k| match k {
                "GLINT_OPS" => Some("resize:32x/format:png".into()),
                "GLINT_OUTPUT" => Some(output.into()),
                _ => None,
            },
            None,
        )
        .unwrap();
        Arrivals::new(&settings, &S3Client::from_env())
    }

    #[test]
    fn recognises_outputs_by_location() {
        let a = arrivals("s3://photos/out");
        let out = a.output.as_ref().unwrap();
        let photos = Store::S3(S3Store::new(S3Client::from_env(), "photos"));
        let other = Store::S3(S3Store::new(S3Client::from_env(), "other"));
        assert!(inside(&photos, "out/x.png", &out.location).unwrap());
        assert!(!inside(&photos, "outside/x.png", &out.location).unwrap());
        assert!(!inside(&other, "out/x.png", &out.location).unwrap());
    }

    #[tokio::test]
    async fn skips_marked_objects_and_processes_uploads() {
        let dir = tempfile::tempdir().unwrap();
        let a = arrivals(&format!("file://{}", dir.path().join("out").display()));
        let store = MemoryStore::new();
        store.insert(
            "up/hopper.jpg",
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/decode/hopper.jpg")).unwrap(),
        );
        let source = Store::Memory(store.clone());
        let Arrival::Done(done) = a.on_object(&source, "up/hopper.jpg", None).await.unwrap() else {
            panic!("not processed")
        };
        assert_eq!((done.width, done.height), (32, 32));
        assert!(dir.path().join("out").join(&done.key).is_file());

        // An object glint wrote (marked) is left alone.
        let new = crate::storage::NewObject {
            bytes: bytes::Bytes::from_static(b"x"),
            content_type: "image/png",
            pipeline: "invert",
            source: "s",
        };
        store.put("up/result.png", new).await.unwrap();
        assert!(matches!(a.on_object(&source, "up/result.png", None).await.unwrap(), Arrival::Skipped(_)));
    }

    #[tokio::test]
    async fn local_output_inside_the_source_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let a = arrivals(&format!("file://{}", dir.path().join("out").display()));
        let source = Store::Local(crate::storage::LocalStore::new(dir.path()));
        let r = a.on_object(&source, "out/a-123.png", None).await.unwrap();
        assert!(matches!(r, Arrival::Skipped(ref why) if why.contains("inside GLINT_OUTPUT")), "{r:?}");
    }

    #[tokio::test]
    async fn unconfigured() {
        let a = Arrivals { ops: None, ..arrivals("s3://x/y") };
        let e = a.on_object(&Store::Memory(MemoryStore::new()), "k", None).await.unwrap_err();
        assert!(e.to_string().contains("GLINT_OPS is not set") && !e.retryable(), "{e}");
    }
}
