//! The local-file store: keys are paths below a root directory and can never leave it.
//!
//! Keys come from requests and events, so they are checked before touching the file system:
//! no `..` or `.` segment, no absolute path, no empty segment, no NUL or backslash, no segment
//! longer than a file name may be ([`MAX_SEGMENT`]) and no key longer than S3 allows
//! ([`MAX_KEY`]), so a key the file system would refuse is refused up front as a bad key rather
//! than reported as a storage fault. Keys are `str`, so invalid UTF-8 is refused where they are
//! decoded (the HTTP path). Writes go to a temporary file beside the target and are renamed
//! into place. Local files carry no
//! metadata, so results are not marked; loops are prevented by refusing an output directory
//! inside the watched input (see the configuration checks).

use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;

use super::{NewObject, Object, ObjectInfo, Storage, StorageError};

/// Longest key segment in bytes: `NAME_MAX` on Linux and most file systems.
pub const MAX_SEGMENT: usize = 255;
/// Longest key in bytes: S3's limit, so a key works the same in every store; with any sane
/// root it stays well under `PATH_MAX`.
pub const MAX_KEY: usize = 1024;

/// Files below a root directory.
#[derive(Debug, Clone)]
pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    /// A store rooted at `root` (which need not exist yet: it is created on the first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        LocalStore { root: root.into() }
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The path for `key`, or why the key is refused.
    pub fn path(&self, key: &str) -> Result<PathBuf, StorageError> {
        let refuse = |reason| Err(StorageError::InvalidKey { key: key.to_string(), reason });
        if key.is_empty() {
            return refuse("empty key");
        }
        if key.contains('\0') {
            return refuse("NUL in key");
        }
        if key.contains('\\') {
            return refuse("backslash in key");
        }
        if key.starts_with('/') {
            return refuse("absolute path");
        }
        if key.len() > MAX_KEY {
            return refuse("key longer than 1024 bytes");
        }
        let mut path = self.root.clone();
        for segment in key.split('/') {
            match segment {
                "" => return refuse("empty path segment"),
                "." | ".." => return refuse("'.' or '..' segment"),
                s if s.len() > MAX_SEGMENT => return refuse("path segment longer than 255 bytes"),
                s => path.push(s),
            }
        }
        Ok(path)
    }

    fn io_error(&self, key: &str, e: &std::io::Error) -> StorageError {
        let what = self.uri(key);
        match e.kind() {
            ErrorKind::NotFound | ErrorKind::NotADirectory | ErrorKind::IsADirectory => StorageError::NotFound(what),
            ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem => {
                StorageError::Denied { what, detail: e.to_string() }
            }
            // A name the file system will not take (too long below a deep root): the key's
            // fault, and no retry will fix it.
            ErrorKind::InvalidFilename => {
                StorageError::InvalidKey { key: key.to_string(), reason: "name too long for the file system" }
            }
            _ => StorageError::Unavailable { what, detail: e.to_string() },
        }
    }
}

impl Storage for LocalStore {
    async fn head(&self, key: &str) -> Result<ObjectInfo, StorageError> {
        let path = self.path(key)?;
        let meta = tokio::fs::metadata(&path).await.map_err(|e| self.io_error(key, &e))?;
        if !meta.is_file() {
            return Err(StorageError::NotFound(self.uri(key)));
        }
        Ok(ObjectInfo { size: meta.len(), etag: None, glint_output: false })
    }

    async fn get(&self, key: &str, max_bytes: u64) -> Result<Object, StorageError> {
        let path = self.path(key)?;
        let key_owned = key.to_string();
        let read = tokio::task::spawn_blocking(move || -> std::io::Result<Result<Vec<u8>, u64>> {
            let file = std::fs::File::open(&path)?;
            let meta = file.metadata()?;
            if !meta.is_file() {
                return Err(std::io::Error::from(ErrorKind::NotFound));
            }
            if meta.len() > max_bytes {
                return Ok(Err(meta.len()));
            }
            let mut buf = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
            // The file may grow while it is read: never take more than the limit.
            file.take(max_bytes + 1).read_to_end(&mut buf)?;
            if buf.len() as u64 > max_bytes {
                return Ok(Err(buf.len() as u64));
            }
            Ok(Ok(buf))
        })
        .await
        .map_err(|e| StorageError::Unavailable { what: self.uri(key), detail: e.to_string() })?
        .map_err(|e| self.io_error(key, &e))?;
        match read {
            Ok(buf) => {
                let size = buf.len() as u64;
                Ok(Object { bytes: Bytes::from(buf), info: ObjectInfo { size, etag: None, glint_output: false } })
            }
            Err(size) => Err(StorageError::TooLarge { key: key_owned, size, max: max_bytes }),
        }
    }

    async fn put(&self, key: &str, object: NewObject<'_>) -> Result<(), StorageError> {
        let path = self.path(key)?;
        let bytes = object.bytes;
        tokio::task::spawn_blocking(move || write_atomically(&path, &bytes))
            .await
            .map_err(|e| StorageError::Unavailable { what: self.uri(key), detail: e.to_string() })?
            .map_err(|e| self.io_error(key, &e))
    }

    fn uri(&self, key: &str) -> String {
        let root = self.root.display().to_string();
        if root.ends_with('/') { format!("file://{root}{key}") } else { format!("file://{root}/{key}") }
    }
}

/// Writes `bytes` to a temporary file beside `path` (creating the directories), then renames
/// it over `path`: readers see the old file or the whole new one, never a part. Two writers of
/// the same path in one process use different temporary names, and the last rename wins.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    // The temporary name keeps at most a short prefix of the target's name: a target name
    // near NAME_MAX must not make the temporary one too long.
    let name: String = path.file_name().map(|n| n.to_string_lossy().chars().take(32).collect()).unwrap_or_default();
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let tmp = path.with_file_name(format!(".{name}.glint-{}-{n}.tmp", std::process::id()));
    let result = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        // Best effort: the temporary file may not even exist.
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_object(bytes: &'static [u8]) -> NewObject<'static> {
        NewObject { bytes: Bytes::from_static(bytes), content_type: "image/png", pipeline: "invert", source: "x" }
    }

    #[test]
    fn keys_never_leave_the_root() {
        let store = LocalStore::new("/srv/images");
        assert_eq!(store.path("a/b c.jpg").unwrap(), PathBuf::from("/srv/images/a/b c.jpg"));
        for bad in ["", "../etc/passwd", "a/../../x", "/etc/passwd", "a//b", "a/./b", "a\0b", "a\\..\\b", ".."] {
            assert!(matches!(store.path(bad), Err(StorageError::InvalidKey { .. })), "{bad:?} accepted");
        }
    }

    #[test]
    fn long_keys_are_refused_before_the_file_system_sees_them() {
        let store = LocalStore::new("/srv/images");
        let name = "n".repeat(MAX_SEGMENT);
        assert!(store.path(&name).is_ok());
        let long_segment = "n".repeat(MAX_SEGMENT + 1);
        // Longer than PATH_MAX (4096) in total, every segment short.
        let long_key = vec!["abcdefgh"; 600].join("/");
        for bad in [long_segment.as_str(), long_key.as_str(), &format!("a/{long_segment}/b")] {
            assert!(matches!(store.path(bad), Err(StorageError::InvalidKey { .. })), "{} bytes accepted", bad.len());
        }
    }

    /// Keys from hostile requests: nothing is read or written outside the root, nothing
    /// panics, and the errors are "bad key" or "not found", never a storage fault.
    #[tokio::test]
    async fn hostile_keys_stay_inside_the_root() {
        let outer = tempfile::tempdir().unwrap();
        let root = outer.path().join("root");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(outer.path().join("secret"), b"outside").unwrap();
        let store = LocalStore::new(&root);
        // What percent-decoding invalid UTF-8 leniently would give, and its escaped forms.
        let lossy = String::from_utf8_lossy(b"a\xff\xfe/../../secret").into_owned();
        let long = "x".repeat(5000);
        let hostile = [
            "../secret",
            "a/../../secret",
            "./../secret",
            "/etc/passwd",
            "//etc/passwd",
            "a\0/../secret",
            "..\\secret",
            "a\\..\\..\\secret",
            "%2e%2e/secret",
            "\u{2024}\u{2024}/secret",
            lossy.as_str(),
            long.as_str(),
            &format!("{}.png", "y".repeat(300)),
            "a/\n/b",
        ];
        for key in hostile {
            let put = store.put(key, new_object(b"x")).await;
            let get = store.get(key, 1 << 20).await;
            for e in [put.err(), get.err()].into_iter().flatten() {
                assert!(matches!(e, StorageError::InvalidKey { .. } | StorageError::NotFound(_)), "{key:?}: {e}");
            }
            assert_eq!(std::fs::read(outer.path().join("secret")).unwrap(), b"outside", "{key:?}");
        }
        // Only the root and the secret are in the outer directory.
        let mut names: Vec<_> = std::fs::read_dir(outer.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        names.sort();
        assert_eq!(names, ["root", "secret"]);
        // A name of exactly NAME_MAX bytes round-trips: the temporary name stays short.
        let name = format!("{}.png", "z".repeat(MAX_SEGMENT - 4));
        store.put(&name, new_object(b"ok")).await.unwrap();
        assert_eq!(store.get(&name, 10).await.unwrap().bytes.as_ref(), b"ok");
    }

    #[tokio::test]
    async fn round_trip_and_limits() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path());
        store.put("x/y/z.png", new_object(b"12345")).await.unwrap();
        assert_eq!(store.get("x/y/z.png", 5).await.unwrap().bytes.as_ref(), b"12345");
        assert_eq!(store.head("x/y/z.png").await.unwrap().size, 5);
        assert!(matches!(store.get("x/y/z.png", 4).await, Err(StorageError::TooLarge { size: 5, max: 4, .. })));
        assert!(matches!(store.get("x/nothing", 4).await, Err(StorageError::NotFound(_))));
        assert!(matches!(store.get("x/y", 4).await, Err(StorageError::NotFound(_))));
        // No temporary file is left behind.
        let names: Vec<_> =
            std::fs::read_dir(dir.path().join("x/y")).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("z.png")]);
    }
}
