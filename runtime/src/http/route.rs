//! Reading the image routes' paths and queries: `GET /{signature}/{pipeline}/src/{key}` and
//! `POST /{signature}/process?ops={pipeline}`.
//!
//! These are pure functions of the text as sent (no store, no signer, no state), so the
//! handlers in `images.rs` and the route fuzzer run exactly the same code. The signature
//! segment and the text it covers come out separately from the rest, because a request is
//! refused for its signature (403) before its shape or pipeline is looked at (400).

use std::borrow::Cow;
use std::collections::HashMap;

use glint_kernels::{Pipeline, SpecError};
use http::StatusCode;
use percent_encoding::percent_decode_str;

use super::ApiError;

/// An image request, split into its signature and the part it signs, and parsed: `T` is
/// [`Source`] for GET and the [`Pipeline`] for POST.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageRoute<'a, T> {
    /// The first path segment: the signature, or `_`.
    pub signature: &'a str,
    /// What the signature covers, exactly as sent: `/{pipeline}/src/{key}` for GET,
    /// `/process?{query}` for POST.
    pub signed: Cow<'a, str>,
    /// What is asked for, or why the request is malformed; only looked at once the signature
    /// has been accepted.
    pub target: Result<T, RouteError>,
}

/// What `GET /{signature}/{pipeline}/src/{key}` asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// The validated pipeline.
    pub pipeline: Pipeline,
    /// The object key, percent-decoded, relative to the store's prefix.
    pub key: String,
}

/// Why an image request's path or query could not be read. All are answered with 400.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RouteError {
    /// The path has no second segment after the signature.
    #[error("expected /{{signature}}/...")]
    NoSignature,
    /// The path or query does not have the route's shape.
    #[error("{0}")]
    Shape(String),
    /// The pipeline does not parse.
    #[error("invalid pipeline: {0}")]
    Pipeline(SpecError),
}

impl From<RouteError> for ApiError {
    fn from(e: RouteError) -> Self {
        match e {
            RouteError::Pipeline(_) => ApiError::new(StatusCode::BAD_REQUEST, "bad_pipeline", e.to_string()),
            RouteError::NoSignature | RouteError::Shape(_) => ApiError::bad_request(e.to_string()),
        }
    }
}

/// Reads `GET /{signature}/{pipeline}/src/{key}` from the request's path as sent.
pub fn parse_get(path: &str) -> Result<ImageRoute<'_, Source>, RouteError> {
    let (signature, rest) = split_signature(path)?;
    let target = parse_source_path(rest).and_then(|(pipeline, key)| {
        let pipeline = parse_pipeline(&pipeline)?;
        Ok(Source { pipeline, key })
    });
    Ok(ImageRoute { signature, signed: Cow::Borrowed(rest), target })
}

/// Reads `POST /{signature}/process?ops={pipeline}` from the request's path and query as sent.
pub fn parse_post<'a>(path: &'a str, query: Option<&str>) -> Result<ImageRoute<'a, Pipeline>, RouteError> {
    let (signature, rest) = split_signature(path)?;
    let signed = match query {
        Some(q) => Cow::Owned(format!("{rest}?{q}")),
        None => Cow::Borrowed(rest),
    };
    let target = parse_ops(query.unwrap_or_default()).and_then(|ops| parse_pipeline(&ops));
    Ok(ImageRoute { signature, signed, target })
}

/// Splits `/{signature}{rest}`: the first segment, and the rest from the `/` after it.
pub fn split_signature(path: &str) -> Result<(&str, &str), RouteError> {
    let after = path.strip_prefix('/').unwrap_or(path);
    match after.find('/') {
        Some(i) => Ok((&after[..i], &after[i..])),
        None => Err(RouteError::NoSignature),
    }
}

/// Splits `/{pipeline}/src/{key}` (as sent) into the pipeline text and the key, both
/// percent-decoded. The pipeline ends at the first segment that is exactly `src`.
pub fn parse_source_path(rest: &str) -> Result<(String, String), RouteError> {
    let shape = "expected /{signature}/{pipeline}/src/{key}";
    let segments: Vec<&str> = rest.strip_prefix('/').unwrap_or(rest).split('/').collect();
    let src = segments
        .iter()
        .position(|s| *s == "src")
        .ok_or_else(|| RouteError::Shape(format!("no /src/ segment: {shape}")))?;
    let (pipeline, key) = (&segments[..src], &segments[src + 1..]);
    if pipeline.is_empty() {
        return Err(RouteError::Shape(format!("no pipeline before /src/: {shape}")));
    }
    if key.is_empty() || key.iter().all(|s| s.is_empty()) {
        return Err(RouteError::Shape(format!("no key after /src/: {shape}")));
    }
    let decode = |s: &str| {
        percent_decode_str(s)
            .decode_utf8()
            .map(|c| c.into_owned())
            .map_err(|_| RouteError::Shape(format!("'{s}' is not UTF-8 once percent-decoded")))
    };
    let pipeline = decode(&pipeline.join("/"))?;
    let key = key.iter().map(|s| decode(s)).collect::<Result<Vec<_>, _>>()?.join("/");
    Ok((pipeline, key))
}

/// The `ops` parameter of a form-encoded query (`+` is a space, `%XX` a byte; the last `ops`
/// wins, as it did when the handler read the query with axum's `Query` extractor).
fn parse_ops(query: &str) -> Result<String, RouteError> {
    let mut params: HashMap<String, String> =
        serde_urlencoded::from_str(query).map_err(|e| RouteError::Shape(format!("query string: {e}")))?;
    params.remove("ops").ok_or_else(|| RouteError::Shape("missing ?ops={pipeline}".into()))
}

fn parse_pipeline(text: &str) -> Result<Pipeline, RouteError> {
    Pipeline::parse(text).map_err(RouteError::Pipeline)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_paths_as_sent() {
        assert_eq!(split_signature("/_/resize:10x/src/a.jpg").unwrap(), ("_", "/resize:10x/src/a.jpg"));
        let (p, k) = parse_source_path("/resize:10x/blur:2/src/dir/a%20b%2Bc%C3%A9.jpg").unwrap();
        assert_eq!((p.as_str(), k.as_str()), ("resize:10x/blur:2", "dir/a b+cé.jpg"));
        let (p, k) = parse_source_path("/invert/src/src/x.png").unwrap();
        assert_eq!((p.as_str(), k.as_str()), ("invert", "src/x.png"));
        for bad in ["/invert/a.jpg", "/src/a.jpg", "/invert/src/", "/invert/src/%FF.jpg"] {
            assert_eq!(ApiError::from(parse_source_path(bad).unwrap_err()).status, StatusCode::BAD_REQUEST, "{bad}");
        }
    }

    #[test]
    fn get_routes() {
        let route = parse_get("/sig/resize:10x/invert/src/a/b%20c.png").unwrap();
        assert_eq!((route.signature, route.signed.as_ref()), ("sig", "/resize:10x/invert/src/a/b%20c.png"));
        let Source { pipeline, key } = route.target.unwrap();
        assert_eq!((pipeline.to_string().as_str(), key.as_str()), ("resize:10x/invert", "a/b c.png"));
        assert_eq!(parse_get("/nothing-else"), Err(RouteError::NoSignature));
        // Malformed after the signature: still split, so the signature is checked first.
        let route = parse_get("/sig/blurr:2/src/a.png").unwrap();
        assert_eq!(route.signature, "sig");
        assert!(matches!(route.target, Err(RouteError::Pipeline(_))));
        assert_eq!(ApiError::from(route.target.unwrap_err()).error, "bad_pipeline");
    }

    #[test]
    fn post_routes() {
        let route = parse_post("/_/process", Some("ops=resize:32x/format:png&x=1")).unwrap();
        assert_eq!(route.signed, "/process?ops=resize:32x/format:png&x=1");
        assert_eq!(route.target.unwrap().to_string(), "resize:32x/format:png");
        // Form encoding: `+` is a space, escapes are decoded, the last `ops` wins.
        let route = parse_post("/_/process", Some("ops=invert&ops=blur%3A2+")).unwrap();
        assert_eq!(route.target.unwrap().to_string(), "blur:2");
        for query in [None, Some(""), Some("op=invert")] {
            let route = parse_post("/_/process", query).unwrap();
            assert_eq!(route.target, Err(RouteError::Shape("missing ?ops={pipeline}".into())), "{query:?}");
        }
        assert_eq!(parse_post("/_/process", None).unwrap().signed, "/process");
    }
}
