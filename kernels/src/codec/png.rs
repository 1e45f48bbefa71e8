//! PNG: the header check the PNG decoder does not make. An IHDR declaring a compression or
//! filter method that does not exist is an error for glint, not a guess.

use crate::error::DecodeError;

fn broken(format: &'static str, reason: impl Into<String>) -> DecodeError {
    DecodeError::Corrupt { format, reason: reason.into() }
}

/// Checks the IHDR fields the PNG decoder lets through.
pub(super) fn check(bytes: &[u8]) -> Result<(), DecodeError> {
    // Signature (8), chunk length (4), "IHDR" (4), width, height, depth, colour type, then
    // compression at 26 and filter method at 27: both must be 0 (the only ones defined).
    if bytes.get(12..16) != Some(b"IHDR") {
        return Err(broken("png", "the first chunk is not IHDR"));
    }
    match (bytes.get(26), bytes.get(27)) {
        (Some(0), Some(0)) => Ok(()),
        (Some(c), Some(0)) => {
            Err(broken("png", format!("IHDR declares compression method {c}; only 0 (deflate) exists")))
        }
        (Some(_), Some(f)) => Err(broken("png", format!("IHDR declares filter method {f}; only 0 exists"))),
        _ => Err(broken("png", "file is truncated inside IHDR")),
    }
}
