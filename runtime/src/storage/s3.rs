//! The S3 store, on the AWS SDK.
//!
//! The client is configured entirely by the SDK's own environment (`AWS_REGION`,
//! `AWS_ENDPOINT_URL_S3`, credentials, retries ...), plus `GLINT_S3_FORCE_PATH_STYLE` for
//! servers that only understand path-style addressing (MinIO, moto, Ceph). It is built once per
//! process, lazily on first use, so that a Lambda cold start is not spent loading credentials
//! and TLS roots before the first event has even arrived.
//!
//! Errors are sorted by what the caller can do: missing objects, refusals (403, unknown
//! bucket), and faults worth retrying (network, timeouts, throttling, 5xx).
//!
//! Faults are retried before they are reported: the SDK retries each request with exponential
//! backoff and jitter (its standard mode, `AWS_MAX_ATTEMPTS` attempts, 3 by default), and every
//! attempt is bounded in time ([`attempt_timeout`]), so a stalled server costs seconds, not the
//! whole invocation. The SDK cannot retry a response body that breaks off after the headers,
//! so [`S3Store::get`] retries those reads itself, with the same number of attempts. A write is
//! one `PutObject`, which S3 applies whole or not at all: an output is complete or absent.

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_s3::Client;
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::config::timeout::TimeoutConfig;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use bytes::Bytes;
use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};
use tokio::sync::OnceCell;

use super::{NewObject, OUTPUT_MARKER, Object, ObjectInfo, SOURCE_MARKER, Storage, StorageError};

/// Characters escaped in metadata values: S3 user metadata travels in HTTP headers, which
/// must stay printable ASCII.
const METADATA_VALUE: &AsciiSet = &CONTROLS.add(b'%').add(b' ').add(b'"').add(b'\\');

/// The S3 client, built on first use and shared by every bucket and request.
#[derive(Clone, Default)]
pub struct S3Client {
    cell: Arc<OnceCell<Client>>,
}

impl std::fmt::Debug for S3Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.cell.initialized() { "S3Client(ready)" } else { "S3Client(not built yet)" })
    }
}

impl S3Client {
    /// A client that will be configured from the environment when first needed.
    pub fn from_env() -> Self {
        Self::default()
    }

    /// The SDK client, built from the environment on the first call.
    pub async fn get(&self) -> &Client {
        self.cell
            .get_or_init(|| async {
                let shared = aws_config::load_from_env().await;
                let mut config = aws_sdk_s3::config::Builder::from(&shared).timeout_config(
                    TimeoutConfig::builder()
                        .connect_timeout(CONNECT_TIMEOUT)
                        .operation_attempt_timeout(attempt_timeout())
                        .build(),
                );
                if force_path_style() {
                    config = config.force_path_style(true);
                }
                Client::from_conf(config.build())
            })
            .await
    }
}

/// Time to open a connection: a healthy S3 endpoint answers in milliseconds.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// Time allowed for one attempt of a request, and for an object's body to arrive once its
/// headers have: `GLINT_S3_TIMEOUT` seconds, 10 by default (a 64 MiB object, the largest input
/// accepted by default, takes about a second inside AWS).
fn attempt_timeout() -> Duration {
    std::env::var("GLINT_S3_TIMEOUT")
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| *s > 0.0)
        // `try_`: an absurd value (1e30, inf) falls back to the default instead of panicking.
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .unwrap_or(Duration::from_secs(10))
}

/// Attempts at reading an object's body: `AWS_MAX_ATTEMPTS` as the SDK reads it, else its
/// default of 3.
fn body_attempts() -> u32 {
    std::env::var("AWS_MAX_ATTEMPTS").ok().and_then(|v| v.trim().parse().ok()).filter(|n| *n > 0).unwrap_or(3)
}

/// The pause before retry number `attempt`: exponential (200 ms, 400 ms, ...) with up to as
/// much again of jitter, so that many functions failing together do not retry in step.
fn backoff(attempt: u32) -> Duration {
    let base = 100u64 << attempt.min(6);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().subsec_nanos();
    Duration::from_millis(base + u64::from(nanos) % base)
}

/// `GLINT_S3_FORCE_PATH_STYLE`: `true`/`1` for `http://host/bucket/key` addressing.
fn force_path_style() -> bool {
    std::env::var("GLINT_S3_FORCE_PATH_STYLE").is_ok_and(|v| matches!(v.trim(), "1" | "true" | "yes"))
}

/// One bucket.
#[derive(Debug, Clone)]
pub struct S3Store {
    client: S3Client,
    bucket: String,
}

impl S3Store {
    /// The bucket `bucket`, reached through `client`.
    pub fn new(client: S3Client, bucket: &str) -> Self {
        S3Store { client, bucket: bucket.to_string() }
    }

    /// The bucket name.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// A URL that lets anyone holding it read `key` for `expires`: how results too large for a
    /// synchronous Lambda response are handed over.
    pub async fn presigned_get(&self, key: &str, expires: Duration) -> Result<String, StorageError> {
        let config = PresigningConfig::expires_in(expires)
            .map_err(|e| StorageError::Denied { what: self.uri(key), detail: e.to_string() })?;
        let request = self
            .client
            .get()
            .await
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .presigned(config)
            .await
            .map_err(|e| classify(e, self.uri(key)))?;
        Ok(request.uri().to_string())
    }

    /// One `GetObject` (its request retried by the SDK) and the read of its body.
    async fn get_once(&self, key: &str, max_bytes: u64) -> Result<Object, Fault> {
        let out = self
            .client
            .get()
            .await
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| Fault::Request(classify(e, self.uri(key))))?;
        let declared = out.content_length().and_then(|n| u64::try_from(n).ok());
        let size = declared.unwrap_or(0);
        if size > max_bytes {
            // Dropping the body closes the connection before the object is transferred.
            return Err(Fault::Request(StorageError::TooLarge { key: key.to_string(), size, max: max_bytes }));
        }
        let info = ObjectInfo {
            size,
            etag: out.e_tag().map(str::to_string),
            glint_output: out.metadata().is_some_and(|m| m.contains_key(OUTPUT_MARKER)),
        };
        let unavailable = |detail: String| Fault::Body(StorageError::Unavailable { what: self.uri(key), detail });
        let bytes = tokio::time::timeout(attempt_timeout(), out.body.collect())
            .await
            .map_err(|_| unavailable(format!("the body did not arrive within {:?}", attempt_timeout())))?
            .map_err(|e| unavailable(DisplayErrorContext(&e).to_string()))?
            .into_bytes();
        if bytes.len() as u64 > max_bytes {
            return Err(Fault::Request(StorageError::TooLarge {
                key: key.to_string(),
                size: bytes.len() as u64,
                max: max_bytes,
            }));
        }
        if declared.is_some_and(|d| d != bytes.len() as u64) {
            // A body that ended early without the connection reporting an error.
            return Err(unavailable(format!("{} of {size} bytes arrived", bytes.len())));
        }
        let size = bytes.len() as u64;
        Ok(Object { bytes, info: ObjectInfo { size, ..info } })
    }
}

/// Where a read failed: the request (already retried by the SDK) or the body after it.
enum Fault {
    Request(StorageError),
    Body(StorageError),
}

/// Sorts an SDK error into what the caller can do about it.
fn classify<E>(err: SdkError<E, HttpResponse>, what: String) -> StorageError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let detail = DisplayErrorContext(&err).to_string();
    // A HEAD response has no body, so a 404 or 503 there arrives with no error code at all:
    // the status decides.
    let status = err.raw_response().map(|r| r.status().as_u16());
    match &err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            StorageError::Unavailable { what, detail }
        }
        SdkError::ServiceError(service) => match service.err().code().unwrap_or_default() {
            "NoSuchKey" | "NotFound" | "NoSuchBucket" => StorageError::NotFound(what),
            "SlowDown"
            | "Throttling"
            | "ThrottlingException"
            | "RequestTimeout"
            | "InternalError"
            | "ServiceUnavailable" => StorageError::Unavailable { what, detail },
            _ if status == Some(404) => StorageError::NotFound(what),
            _ if status.is_some_and(|s| s == 429 || s >= 500) => StorageError::Unavailable { what, detail },
            _ => StorageError::Denied { what, detail },
        },
        // A request the SDK could not even build: configuration, never fixed by waiting.
        _ => StorageError::Denied { what, detail },
    }
}

impl Storage for S3Store {
    async fn head(&self, key: &str) -> Result<ObjectInfo, StorageError> {
        let out = self
            .client
            .get()
            .await
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| classify(e, self.uri(key)))?;
        Ok(ObjectInfo {
            size: out.content_length().and_then(|n| u64::try_from(n).ok()).unwrap_or(0),
            etag: out.e_tag().map(str::to_string),
            glint_output: out.metadata().is_some_and(|m| m.contains_key(OUTPUT_MARKER)),
        })
    }

    async fn get(&self, key: &str, max_bytes: u64) -> Result<Object, StorageError> {
        let attempts = body_attempts();
        let mut attempt = 1;
        loop {
            match self.get_once(key, max_bytes).await {
                Err(Fault::Body(e)) if attempt < attempts => {
                    tracing::warn!(key, attempt, error = %e, "reading the object's body failed; retrying");
                    tokio::time::sleep(backoff(attempt)).await;
                    attempt += 1;
                }
                Err(Fault::Body(e) | Fault::Request(e)) => return Err(e),
                Ok(object) => return Ok(object),
            }
        }
    }

    async fn put(&self, key: &str, object: NewObject<'_>) -> Result<(), StorageError> {
        let body: Bytes = object.bytes;
        self.client
            .get()
            .await
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(object.content_type)
            .metadata(OUTPUT_MARKER, utf8_percent_encode(object.pipeline, METADATA_VALUE).to_string())
            .metadata(SOURCE_MARKER, utf8_percent_encode(object.source, METADATA_VALUE).to_string())
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(|e| classify(e, self.uri(key)))?;
        Ok(())
    }

    fn uri(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.bucket)
    }
}

/// A metadata value glint wrote, decoded.
pub fn decode_metadata(value: &str) -> String {
    percent_decode_str(value).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_values_are_ascii() {
        let v = utf8_percent_encode("resize:800x/format:webp \"é\"", METADATA_VALUE).to_string();
        assert!(v.is_ascii() && !v.contains(' '), "{v}");
        assert_eq!(decode_metadata(&v), "resize:800x/format:webp \"é\"");
    }
}
