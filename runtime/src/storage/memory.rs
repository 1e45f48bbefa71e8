//! An in-memory store for unit tests: keeps metadata like S3 does, and can be told to fail
//! as an unreachable store would.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;

use super::{NewObject, Object, ObjectInfo, Storage, StorageError};

/// Objects in a shared map; clones see the same objects.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    objects: Arc<Mutex<BTreeMap<String, Object>>>,
    unavailable: Arc<AtomicBool>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn map(&self) -> MutexGuard<'_, BTreeMap<String, Object>> {
        // A panic while holding the lock leaves the map itself intact.
        self.objects.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Stores `bytes` at `key` as an upload would (no glint marker).
    pub fn insert(&self, key: &str, bytes: impl Into<Bytes>) {
        let bytes = bytes.into();
        let info = ObjectInfo { size: bytes.len() as u64, etag: None, glint_output: false };
        self.map().insert(key.to_string(), Object { bytes, info });
    }

    /// The object at `key`, if any.
    pub fn object(&self, key: &str) -> Option<Object> {
        self.map().get(key).cloned()
    }

    /// Every key, in order.
    pub fn keys(&self) -> Vec<String> {
        self.map().keys().cloned().collect()
    }

    /// From now on every operation fails as an unreachable store would (or works again).
    pub fn set_unavailable(&self, down: bool) {
        self.unavailable.store(down, Ordering::SeqCst);
    }

    fn check_up(&self, key: &str) -> Result<(), StorageError> {
        if self.unavailable.load(Ordering::SeqCst) {
            return Err(StorageError::Unavailable { what: self.uri(key), detail: "simulated outage".into() });
        }
        Ok(())
    }
}

impl Storage for MemoryStore {
    async fn head(&self, key: &str) -> Result<ObjectInfo, StorageError> {
        self.check_up(key)?;
        self.map().get(key).map(|o| o.info.clone()).ok_or_else(|| StorageError::NotFound(self.uri(key)))
    }

    async fn get(&self, key: &str, max_bytes: u64) -> Result<Object, StorageError> {
        self.check_up(key)?;
        let object = self.map().get(key).cloned().ok_or_else(|| StorageError::NotFound(self.uri(key)))?;
        if object.info.size > max_bytes {
            return Err(StorageError::TooLarge { key: key.to_string(), size: object.info.size, max: max_bytes });
        }
        Ok(object)
    }

    async fn put(&self, key: &str, object: NewObject<'_>) -> Result<(), StorageError> {
        self.check_up(key)?;
        let info = ObjectInfo { size: object.bytes.len() as u64, etag: None, glint_output: true };
        self.map().insert(key.to_string(), Object { bytes: object.bytes, info });
        Ok(())
    }

    fn uri(&self, key: &str) -> String {
        format!("memory://{key}")
    }
}
