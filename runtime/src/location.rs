//! Where objects live, as users write it: `s3://BUCKET/KEY` or `file://PATH`.
//!
//! The same spelling names a single object (a direct invocation's `source` and `dest`) and a
//! place for many (`GLINT_OUTPUT`, `GLINT_INPUT`, `glint serve --store`), where the key part is
//! a prefix. A `file://` URI holds a plain file-system path after the scheme: `file:///srv/img`
//! is absolute, `file://out` is relative to the working directory.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// A parsed `s3://` or `file://` URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// An S3 bucket and a key (or key prefix, possibly empty).
    S3 {
        /// The bucket name.
        bucket: String,
        /// Everything after `BUCKET/`, as written.
        key: String,
    },
    /// A local file or directory.
    File {
        /// The path after `file://`.
        path: PathBuf,
    },
}

/// A URI glint cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{uri}': {reason}; expected s3://BUCKET/KEY or file://PATH")]
pub struct LocationError {
    /// What was given.
    pub uri: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl FromStr for Location {
    type Err = LocationError;

    fn from_str(uri: &str) -> Result<Self, LocationError> {
        let fail = |reason| LocationError { uri: uri.to_string(), reason };
        if let Some(rest) = uri.strip_prefix("s3://") {
            let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(fail("no bucket name"));
            }
            return Ok(Location::S3 { bucket: bucket.to_string(), key: key.to_string() });
        }
        if let Some(path) = uri.strip_prefix("file://") {
            if path.is_empty() {
                return Err(fail("no path"));
            }
            return Ok(Location::File { path: PathBuf::from(path) });
        }
        Err(fail("unknown scheme"))
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::S3 { bucket, key } => write!(f, "s3://{bucket}/{key}"),
            Location::File { path } => write!(f, "file://{}", path.display()),
        }
    }
}

/// A key prefix as a directory: empty, or ending in exactly one `/`.
pub fn as_prefix(key: &str) -> String {
    let trimmed = key.trim_matches('/');
    if trimmed.is_empty() { String::new() } else { format!("{trimmed}/") }
}

/// Whether two key prefixes overlap: one lies inside the other (the empty prefix holds all).
pub fn prefixes_overlap(a: &str, b: &str) -> bool {
    let (a, b) = (as_prefix(a), as_prefix(b));
    a.starts_with(&b) || b.starts_with(&a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_schemes() {
        assert_eq!(
            "s3://in/photos/a b.jpg".parse::<Location>().unwrap(),
            Location::S3 { bucket: "in".into(), key: "photos/a b.jpg".into() }
        );
        assert_eq!("s3://in".parse::<Location>().unwrap(), Location::S3 { bucket: "in".into(), key: String::new() });
        assert_eq!("file:///srv/x".parse::<Location>().unwrap(), Location::File { path: "/srv/x".into() });
        assert_eq!("file://out".parse::<Location>().unwrap(), Location::File { path: "out".into() });
        for bad in ["s3://", "s3:///key", "file://", "http://x/y", "bucket/key"] {
            let err = bad.parse::<Location>().unwrap_err();
            assert!(err.to_string().contains("expected s3://BUCKET/KEY or file://PATH"), "{err}");
        }
    }

    #[test]
    fn prefixes() {
        assert_eq!(as_prefix(""), "");
        assert_eq!(as_prefix("/out//"), "out/");
        assert!(prefixes_overlap("", "anything"));
        assert!(prefixes_overlap("in", "in/sub"));
        assert!(!prefixes_overlap("in", "input"));
        assert!(!prefixes_overlap("uploads/", "thumbs/"));
    }
}
