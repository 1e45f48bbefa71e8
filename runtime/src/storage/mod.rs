//! Where sources are read from and results written to: one small trait, three implementations
//! (local files, the embedded default; S3; memory, for tests), and [`Store`], which picks one at
//! run time from a [`Location`].
//!
//! A store is a flat namespace of `/`-separated keys. Writes are atomic (S3 `PutObject`, or a
//! temporary file renamed into place), so a reader sees a whole result or none. Every result
//! glint writes carries the [`OUTPUT_MARKER`] in its metadata, where the store keeps metadata,
//! so an event about it can be recognised and skipped.

pub mod local;
pub mod memory;
pub mod s3;

use std::future::Future;

use bytes::Bytes;

use crate::location::Location;

pub use local::LocalStore;
pub use memory::MemoryStore;
pub use s3::{S3Client, S3Store};

/// The metadata key that marks an object as a glint result (`x-amz-meta-glint-output` on S3).
/// Its value is the pipeline that made it.
pub const OUTPUT_MARKER: &str = "glint-output";
/// The metadata key naming the source a result was made from.
pub const SOURCE_MARKER: &str = "glint-source";

/// What a store knows of an object without reading it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectInfo {
    /// Size in bytes.
    pub size: u64,
    /// The store's entity tag, when it has one.
    pub etag: Option<String>,
    /// Whether glint wrote it ([`OUTPUT_MARKER`] present).
    pub glint_output: bool,
}

/// An object read whole.
#[derive(Debug, Clone)]
pub struct Object {
    /// The contents.
    pub bytes: Bytes,
    /// Its metadata.
    pub info: ObjectInfo,
}

/// A result to write.
#[derive(Debug, Clone)]
pub struct NewObject<'a> {
    /// The contents.
    pub bytes: Bytes,
    /// Its MIME type.
    pub content_type: &'a str,
    /// The canonical pipeline that made it (recorded as [`OUTPUT_MARKER`]).
    pub pipeline: &'a str,
    /// Where it came from (recorded as [`SOURCE_MARKER`]).
    pub source: &'a str,
}

/// Why a store operation failed. Each variant says whether trying again may help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    /// No object under that key (or no such bucket).
    #[error("no such object: {0}")]
    NotFound(String),
    /// The object is larger than `GLINT_MAX_BYTES`: refused before it is read.
    #[error("{key} is {size} bytes, over the limit of {max} bytes (GLINT_MAX_BYTES)")]
    TooLarge {
        /// The object.
        key: String,
        /// Its size.
        size: u64,
        /// The limit in force.
        max: u64,
    },
    /// A key that could name something outside the store (`..`, an absolute path, NUL ...).
    #[error("invalid key '{key}': {reason}")]
    InvalidKey {
        /// The key as given.
        key: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// The store refused: permissions or configuration. Retrying will not help.
    #[error("access to {what} refused: {detail}")]
    Denied {
        /// The object or bucket.
        what: String,
        /// What the store said.
        detail: String,
    },
    /// The store could not be reached or is overloaded (network, timeout, 5xx, throttling).
    /// Retrying later may work.
    #[error("storage unavailable for {what}: {detail}")]
    Unavailable {
        /// The object or bucket.
        what: String,
        /// What went wrong.
        detail: String,
    },
}

impl StorageError {
    /// Whether the same request may succeed later.
    pub fn retryable(&self) -> bool {
        matches!(self, StorageError::Unavailable { .. })
    }
}

/// A place objects are read from and written to.
///
/// The methods return `Send` futures so that handlers generic over a store can run on a
/// multi-threaded runtime.
pub trait Storage: Send + Sync {
    /// Size and metadata of `key`.
    fn head(&self, key: &str) -> impl Future<Output = Result<ObjectInfo, StorageError>> + Send;
    /// The whole object, refused with [`StorageError::TooLarge`] before reading when it is
    /// over `max_bytes`.
    fn get(&self, key: &str, max_bytes: u64) -> impl Future<Output = Result<Object, StorageError>> + Send;
    /// Writes `object` at `key` atomically, replacing what was there.
    fn put(&self, key: &str, object: NewObject<'_>) -> impl Future<Output = Result<(), StorageError>> + Send;
    /// `key` as a URI, for messages and responses.
    fn uri(&self, key: &str) -> String;
}

/// One of the stores, chosen at run time.
#[derive(Debug, Clone)]
pub enum Store {
    /// Local files.
    Local(LocalStore),
    /// An S3 bucket.
    S3(S3Store),
    /// In memory (tests).
    Memory(MemoryStore),
}

impl Store {
    /// The store for a location and the key (or prefix) within it. S3 stores share `s3`, the
    /// client built once per process.
    pub fn open(location: &Location, s3: &S3Client) -> (Store, String) {
        match location {
            Location::S3 { bucket, key } => (Store::S3(S3Store::new(s3.clone(), bucket)), key.clone()),
            Location::File { path } => (Store::Local(LocalStore::new(path)), String::new()),
        }
    }

    /// A single object named by a URI: its store, rooted where the object's key cannot
    /// escape, and its key. A `file://` path is split into its directory and file name, so the
    /// key is a plain name; an absolute path is allowed here because only a trusted caller (a
    /// direct invocation) names single files.
    pub fn open_object(location: &Location, s3: &S3Client) -> Result<(Store, String), StorageError> {
        match location {
            Location::S3 { bucket, key } => Ok((Store::S3(S3Store::new(s3.clone(), bucket)), key.clone())),
            Location::File { path } => {
                let name = path.file_name().and_then(|n| n.to_str()).ok_or_else(|| StorageError::InvalidKey {
                    key: path.display().to_string(),
                    reason: "a file:// object needs a file name",
                })?;
                let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
                Ok((Store::Local(LocalStore::new(dir)), name.to_string()))
            }
        }
    }
}

impl Storage for Store {
    async fn head(&self, key: &str) -> Result<ObjectInfo, StorageError> {
        match self {
            Store::Local(s) => s.head(key).await,
            Store::S3(s) => s.head(key).await,
            Store::Memory(s) => s.head(key).await,
        }
    }

    async fn get(&self, key: &str, max_bytes: u64) -> Result<Object, StorageError> {
        match self {
            Store::Local(s) => s.get(key, max_bytes).await,
            Store::S3(s) => s.get(key, max_bytes).await,
            Store::Memory(s) => s.get(key, max_bytes).await,
        }
    }

    async fn put(&self, key: &str, object: NewObject<'_>) -> Result<(), StorageError> {
        match self {
            Store::Local(s) => s.put(key, object).await,
            Store::S3(s) => s.put(key, object).await,
            Store::Memory(s) => s.put(key, object).await,
        }
    }

    fn uri(&self, key: &str) -> String {
        match self {
            Store::Local(s) => s.uri(key),
            Store::S3(s) => s.uri(key),
            Store::Memory(s) => s.uri(key),
        }
    }
}
