//! Structural checks the decoders do not make: a JPEG that ends before its last scan does
//! (decoders fill the missing part with grey and call it success) and a PNG header with
//! compression or filter methods that do not exist. Both are errors for glint: a damaged upload
//! must be reported, not turned into a damaged thumbnail. JPEG coding processes the decoder
//! lacks (arithmetic, lossless, hierarchical) are named as unsupported.

use crate::error::DecodeError;

fn broken(format: &'static str, reason: impl Into<String>) -> DecodeError {
    DecodeError::Corrupt { format, reason: reason.into() }
}

/// Why the file is structurally broken or of an unsupported kind, if it is.
pub(super) fn jpeg(bytes: &[u8]) -> Result<(), DecodeError> {
    // Walk the marker segments from SOI; after each scan, skip the entropy-coded data (where
    // 0xFF is always followed by 0x00 or a restart marker) to the next marker. A complete
    // image reaches EOI.
    let mut i = 2;
    let truncated = || Err(broken("jpeg", "file is truncated: the image data ends before the end-of-image marker"));
    loop {
        // Markers may be padded with any number of 0xFF bytes.
        while bytes.get(i) == Some(&0xFF) && bytes.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        let (Some(&0xFF), Some(&marker)) = (bytes.get(i), bytes.get(i + 1)) else {
            return if i >= bytes.len() { truncated() } else { Err(broken("jpeg", format!("no marker at byte {i}"))) };
        };
        i += 2;
        match marker {
            0xD9 => return Ok(()),
            0x01 | 0xD0..=0xD7 => continue,
            0xC3 | 0xC7 | 0xCB | 0xCF => {
                return Err(DecodeError::UnsupportedFeature("JPEG variant: lossless coding".into()));
            }
            0xC5 | 0xC6 | 0xCD | 0xCE => {
                return Err(DecodeError::UnsupportedFeature("JPEG variant: hierarchical coding".into()));
            }
            0xC9 | 0xCA => return Err(DecodeError::UnsupportedFeature("JPEG variant: arithmetic coding".into())),
            _ => {}
        }
        let Some(len) = bytes.get(i..i + 2).map(|b| usize::from(u16::from_be_bytes([b[0], b[1]]))) else {
            return truncated();
        };
        if len < 2 {
            return Err(broken("jpeg", format!("segment of length {len} at byte {i}")));
        }
        i += len;
        if i > bytes.len() {
            return truncated();
        }
        if marker == 0xDA {
            // Entropy-coded data runs to the first 0xFF not followed by 0x00 or RSTn.
            loop {
                let Some(p) = bytes[i..].iter().position(|&b| b == 0xFF) else { return truncated() };
                i += p;
                match bytes.get(i + 1) {
                    None => return truncated(),
                    Some(0x00 | 0xD0..=0xD7) => i += 2,
                    Some(_) => break,
                }
            }
        }
    }
}

/// Checks the IHDR fields the PNG decoder lets through.
pub(super) fn png(bytes: &[u8]) -> Result<(), DecodeError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jpeg_walk() {
        // SOI, a comment, SOS with two data bytes (one stuffed FF), EOI.
        let ok = [0xFF, 0xD8, 0xFF, 0xFE, 0, 3, b'x', 0xFF, 0xDA, 0, 2, 1, 0xFF, 0, 2, 0xFF, 0xD9];
        assert!(jpeg(&ok).is_ok());
        for cut in 2..ok.len() - 1 {
            assert!(jpeg(&ok[..cut]).is_err(), "prefix of {cut} bytes");
        }
    }
}
