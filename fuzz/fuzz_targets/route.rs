//! The HTTP image routes' parser (`glint_runtime::http::route`), fed arbitrary paths and queries
//! with percent-escapes and bytes that are not UTF-8.
//!
//! Input: `POST <path>[?<query>]` for the body route; anything else (with or without a leading
//! `GET `) is the path of `GET /{signature}/{pipeline}/src/{key}`, whose query is ignored as
//! the handler ignores it. Bytes that are not UTF-8 are percent-encoded first, as a client
//! must do to send them in a URL, so they reach the decoder as escapes.

#![no_main]

use glint_kernels::Pipeline;
use glint_runtime::http::route::{self, Source};
use libfuzzer_sys::fuzz_target;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_encode, utf8_percent_encode};

/// Everything but unreserved characters: one key becomes one path segment, whatever it holds.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

fuzz_target!(|data: &[u8]| {
    let (post, target) = if let Some(rest) = data.strip_prefix(b"POST ") {
        (true, rest)
    } else {
        (false, data.strip_prefix(b"GET ").unwrap_or(data))
    };
    let target = match std::str::from_utf8(target) {
        Ok(text) => text.to_string(),
        Err(_) => escape_non_ascii(target),
    };
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target.as_str(), None),
    };

    if post {
        let Ok(parsed) = route::parse_post(path, query) else { return };
        check_split(path, query, parsed.signature, &parsed.signed);
        if let Ok(pipeline) = parsed.target {
            check_pipeline(&pipeline);
        }
    } else {
        let Ok(parsed) = route::parse_get(path) else { return };
        check_split(path, None, parsed.signature, &parsed.signed);
        let Ok(Source { pipeline, key }) = parsed.target else { return };
        assert!(!key.is_empty(), "{path:?}: empty key");
        check_pipeline(&pipeline);
        // A request rebuilt from what was read (the canonical pipeline, the key as a single
        // escaped segment) reads back the same.
        let rebuilt = format!("/_/{pipeline}/src/{}", utf8_percent_encode(&key, SEGMENT));
        let again = route::parse_get(&rebuilt).map(|r| r.target);
        match again {
            Ok(Ok(back)) => {
                assert_eq!(back.key, key, "{path:?} rebuilt as {rebuilt:?}");
                assert_eq!(back.pipeline, pipeline, "{path:?} rebuilt as {rebuilt:?}");
            }
            other => panic!("{path:?} rebuilt as {rebuilt:?} does not parse: {other:?}"),
        }
    }
});

/// The signature is the first segment, and what it signs is everything after it as sent: the
/// rest of the path from its `/`, then `?` and the query where there is one.
fn check_split(path: &str, query: Option<&str>, signature: &str, signed: &str) {
    assert!(!signature.contains('/'), "{path:?}: signature {signature:?}");
    let unprefixed = path.strip_prefix('/').unwrap_or(path);
    let rest = unprefixed.strip_prefix(signature).unwrap_or_else(|| panic!("{path:?}: signature {signature:?}"));
    assert!(rest.starts_with('/'), "{path:?}: signed text {signed:?}");
    let expected = match query {
        Some(q) => format!("{rest}?{q}"),
        None => rest.to_string(),
    };
    assert_eq!(signed, expected, "{path:?} {query:?}");
}

fn check_pipeline(pipeline: &Pipeline) {
    assert_eq!(Pipeline::parse(&pipeline.to_string()).as_ref(), Ok(pipeline));
}

/// Bytes as they would appear in a URL: ASCII as is, everything else as `%XX`.
fn escape_non_ascii(bytes: &[u8]) -> String {
    percent_encode(bytes, percent_encoding::CONTROLS).to_string()
}
