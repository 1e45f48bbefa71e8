//! PNG: the checks the PNG decoder does not make, run before it is opened.
//!
//! - IHDR: a compression or filter method that does not exist is an error, not a guess.
//! - Compressed metadata (`zTXt`, compressed `iTXt`, `iCCP`) is inflated with a cap, output
//!   discarded: a chunk past [`Limits::MAX_TEXT_CHUNK`] (or [`Limits::MAX_ICC`] for a profile),
//!   or all of them together past [`Limits::MAX_METADATA`], is a decompression bomb and the file
//!   is refused, as Pillow does. The caps also bound the work of the check itself.
//! - APNG: more than [`Limits::MAX_FRAMES`] frames declared in `acTL` is refused.
//! - Palette images whose `PLTE` is shorter than the bit depth allows: every pixel's index is
//!   checked against it (the specification calls an index past the palette an error, and the
//!   pixel's colour is undefined; decoders disagree and paint it black or garbage).
//!
//! What no pixel depends on is tolerated as libpng tolerates it: data after `IEND`, extra
//! image data after the image is complete, unreadable ancillary chunks.

use std::io::Cursor;

use crate::error::DecodeError;
use crate::limits::Limits;

fn broken(reason: impl Into<String>) -> DecodeError {
    DecodeError::Corrupt { format: "png", reason: reason.into() }
}

/// What the header walk found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Header {
    /// Bit depth from IHDR.
    pub depth: u8,
    /// Colour type from IHDR.
    pub colour: u8,
    /// Entries in PLTE (0 without one).
    pub palette: usize,
}

impl Header {
    /// Whether some index the bit depth can express has no palette entry, so pixels must be
    /// checked (see [`check_palette_indices`]).
    pub fn needs_index_check(&self) -> bool {
        self.colour == 3 && self.palette < (1usize << self.depth.min(8))
    }
}

/// Checks IHDR and walks the chunks up to IEND (or the end of the data).
pub(super) fn check(bytes: &[u8]) -> Result<Header, DecodeError> {
    // Signature (8), chunk length (4), "IHDR" (4), width, height, depth, colour type, then
    // compression at 26 and filter method at 27: both must be 0 (the only ones defined).
    if bytes.get(12..16) != Some(b"IHDR") {
        return Err(broken("the first chunk is not IHDR"));
    }
    let (depth, colour) = match (bytes.get(24), bytes.get(25), bytes.get(26), bytes.get(27)) {
        (Some(&d), Some(&t), Some(0), Some(0)) => (d, t),
        (_, _, Some(c), Some(0)) => {
            return Err(broken(format!("IHDR declares compression method {c}; only 0 (deflate) exists")));
        }
        (_, _, Some(_), Some(f)) => return Err(broken(format!("IHDR declares filter method {f}; only 0 exists"))),
        _ => return Err(broken("file is truncated inside IHDR")),
    };
    let mut header = Header { depth, colour, palette: 0 };
    let mut inflated_total = 0usize;
    let mut i = 8;
    // Chunks that are cut short are left to the decoder, which reports the truncation.
    while let Some(head) = bytes.get(i..i + 8) {
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let Some(body) = bytes.get(i + 8..(i + 8).saturating_add(len)) else { break };
        match &head[4..8] {
            b"IEND" => break,
            b"PLTE" => header.palette = len / 3,
            b"acTL" if body.len() >= 4 => {
                let frames = u32::from_be_bytes([body[0], body[1], body[2], body[3]]);
                if frames > Limits::MAX_FRAMES {
                    return Err(broken(format!(
                        "acTL declares {frames} frames, over the limit of {} for animations",
                        Limits::MAX_FRAMES
                    )));
                }
            }
            b"zTXt" => inflated_total += inflated_size(b"zTXt", after_keyword(body, 1), Limits::MAX_TEXT_CHUNK)?,
            b"iCCP" => inflated_total += inflated_size(b"iCCP", after_keyword(body, 1), Limits::MAX_ICC)?,
            // Keyword, 0, compression flag (1: compressed), method, language tag, 0,
            // translated keyword, 0, text.
            b"iTXt" if body.iter().position(|&b| b == 0).and_then(|k| body.get(k + 1)) == Some(&1) => {
                let text = after_keyword(body, 2).and_then(|r| skip_nul_terminated(r, 2));
                inflated_total += inflated_size(b"iTXt", text, Limits::MAX_TEXT_CHUNK)?;
            }
            _ => {}
        }
        if inflated_total > Limits::MAX_METADATA {
            return Err(broken(format!(
                "compressed metadata inflates to more than {} bytes (a decompression bomb)",
                Limits::MAX_METADATA
            )));
        }
        i += 12 + len;
    }
    Ok(header)
}

/// The bytes after a NUL-terminated keyword and `skip` more bytes.
fn after_keyword(body: &[u8], skip: usize) -> Option<&[u8]> {
    let k = body.iter().position(|&b| b == 0)?;
    body.get(k + 1 + skip..)
}

/// The bytes after `n` NUL-terminated strings.
fn skip_nul_terminated(mut b: &[u8], n: usize) -> Option<&[u8]> {
    for _ in 0..n {
        let k = b.iter().position(|&c| c == 0)?;
        b = &b[k + 1..];
    }
    Some(b)
}

/// How many bytes a zlib stream inflates to, refusing the file past `cap`. A damaged stream
/// counts as empty: it is metadata glint does not keep (the decoder judges a damaged profile).
fn inflated_size(chunk: &[u8; 4], data: Option<&[u8]>, cap: usize) -> Result<usize, DecodeError> {
    use miniz_oxide::inflate::{TINFLStatus, decompress_to_vec_zlib_with_limit};
    let Some(data) = data else { return Ok(0) };
    match decompress_to_vec_zlib_with_limit(data, cap) {
        Ok(v) => Ok(v.len()),
        Err(e) if e.status == TINFLStatus::HasMoreOutput => Err(broken(format!(
            "a {} chunk inflates to more than {cap} bytes (a decompression bomb)",
            String::from_utf8_lossy(chunk)
        ))),
        Err(_) => Ok(0),
    }
}

/// Reads every pixel's palette index and refuses one with no palette entry. Only needed when
/// [`Header::needs_index_check`]; costs one more inflate of the image data, a row at a time.
pub(super) fn check_palette_indices(bytes: &[u8], header: &Header) -> Result<(), DecodeError> {
    let mut decoder = png::Decoder::new_with_limits(Cursor::new(bytes), png::Limits { bytes: 64 << 20 });
    decoder.set_transformations(png::Transformations::IDENTITY);
    decoder.set_ignore_text_chunk(true);
    decoder.set_ignore_iccp_chunk(true);
    let fail = |e: png::DecodingError| broken(e.to_string());
    let mut reader = decoder.read_info().map_err(fail)?;
    let (width, height, interlaced) = {
        let info = reader.info();
        (info.width, info.height, info.interlaced)
    };
    let depth = usize::from(header.depth);
    // The rows come pass by pass for Adam7, each pass as a narrower image.
    let passes: Vec<(u32, u32)> = if interlaced {
        const ADAM7: [(u32, u32, u32, u32); 7] =
            [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];
        ADAM7
            .iter()
            .map(|&(x0, y0, dx, dy)| (width.saturating_sub(x0).div_ceil(dx), height.saturating_sub(y0).div_ceil(dy)))
            .filter(|&(w, h)| w > 0 && h > 0)
            .collect()
    } else {
        vec![(width, height)]
    };
    for (pass_width, rows) in passes {
        for _ in 0..rows {
            let Some(row) = reader.next_row().map_err(fail)? else { return Ok(()) };
            let data = row.data();
            for x in 0..pass_width as usize {
                let bit = x * depth;
                let Some(&byte) = data.get(bit / 8) else { break };
                let index = if depth == 8 {
                    usize::from(byte)
                } else {
                    usize::from(byte >> (8 - depth - bit % 8)) & ((1 << depth) - 1)
                };
                if index >= header.palette {
                    return Err(broken(format!(
                        "a pixel uses palette index {index}, but the palette has {} entries",
                        header.palette
                    )));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(tag: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut c = (body.len() as u32).to_be_bytes().to_vec();
        c.extend(tag);
        c.extend(body);
        c.extend([0; 4]); // CRC: not checked by the walk
        c
    }

    fn png_with(chunks: &[Vec<u8>]) -> Vec<u8> {
        let mut f = b"\x89PNG\r\n\x1a\n".to_vec();
        f.extend(chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]));
        for c in chunks {
            f.extend(c);
        }
        f.extend(chunk(b"IEND", &[]));
        f
    }

    #[test]
    fn a_ztxt_bomb_is_refused_and_small_text_is_not() {
        let zeros = vec![0u8; Limits::MAX_TEXT_CHUNK + 1];
        let bomb = miniz_oxide::deflate::compress_to_vec_zlib(&zeros, 9);
        let body = [&b"Comment\0\0"[..], &bomb].concat();
        let err = check(&png_with(&[chunk(b"zTXt", &body)])).unwrap_err().to_string();
        assert!(err.contains("decompression bomb"), "{err}");

        let small = miniz_oxide::deflate::compress_to_vec_zlib(b"hello", 9);
        let body = [&b"Comment\0\0"[..], &small].concat();
        assert!(check(&png_with(&[chunk(b"zTXt", &body)])).is_ok());
        // A compressed iTXt: keyword, flag 1, method 0, empty language and translation.
        let body = [&b"Comment\0\x01\0\0\0"[..], &bomb].concat();
        assert!(check(&png_with(&[chunk(b"iTXt", &body)])).is_err());
    }

    #[test]
    fn too_many_apng_frames_are_refused() {
        let actl = |n: u32| chunk(b"acTL", &[n.to_be_bytes(), 0u32.to_be_bytes()].concat());
        assert!(check(&png_with(&[actl(Limits::MAX_FRAMES)])).is_ok());
        assert!(check(&png_with(&[actl(Limits::MAX_FRAMES + 1)])).is_err());
    }

    #[test]
    fn every_prefix_is_walked_without_panicking() {
        let f = png_with(&[chunk(b"tEXt", b"a\0b"), chunk(b"iTXt", b"k\0\x01\0")]);
        for cut in 0..f.len() {
            let _ = check(&f[..cut]);
        }
    }
}
