//! GIF: a walk over the block structure before anything is decoded or allocated. It skips the
//! compressed data (cost: one pass over the file, no inflation) and refuses what the decoder
//! would take on trust:
//!
//! - a file with no image at all (a few bytes of header claiming a huge logical screen would
//!   otherwise cost a screen-sized buffer before the decoder notices);
//! - a frame that does not lie inside the logical screen (the GIF specification requires it;
//!   decoders that grow or clip the canvas disagree about the result, and out-of-bounds frames
//!   are the classic way to make them write outside their buffers);
//! - more frames than [`Limits::MAX_FRAMES`] (a flood of tiny frames costs nothing to send and
//!   a great deal to walk in tools that composite every frame);
//! - an unknown block, or data ending before the trailer: the rest of the file is undefined.

use crate::error::DecodeError;
use crate::limits::Limits;

fn broken(reason: impl Into<String>) -> DecodeError {
    DecodeError::Corrupt { format: "gif", reason: reason.into() }
}

fn truncated() -> DecodeError {
    broken("file is truncated: the data ends before the GIF trailer")
}

/// What the walk found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Summary {
    /// The logical screen.
    pub width: u32,
    /// The logical screen.
    pub height: u32,
    /// Image descriptors seen.
    pub frames: u32,
}

/// Walks the blocks from the header to the trailer.
pub(super) fn walk(bytes: &[u8]) -> Result<Summary, DecodeError> {
    let header = bytes.get(..13).ok_or_else(truncated)?;
    let width = u32::from(u16::from_le_bytes([header[6], header[7]]));
    let height = u32::from(u16::from_le_bytes([header[8], header[9]]));
    let mut i = 13 + colour_table_len(header[10]);
    let mut frames = 0u32;
    loop {
        let Some(&block) = bytes.get(i) else { return Err(truncated()) };
        i += 1;
        match block {
            0x3B => break,
            0x21 => {
                // Extension: label, then data sub-blocks.
                if i >= bytes.len() {
                    return Err(truncated());
                }
                i = skip_sub_blocks(bytes, i + 1)?;
            }
            0x2C => {
                let d = bytes.get(i..i + 9).ok_or_else(truncated)?;
                let field = |k: usize| u32::from(u16::from_le_bytes([d[k], d[k + 1]]));
                let (x, y, w, h) = (field(0), field(2), field(4), field(6));
                frames += 1;
                if w == 0 || h == 0 {
                    return Err(broken(format!("frame {frames} declares a size of {w}x{h}")));
                }
                if x + w > width || y + h > height {
                    return Err(broken(format!(
                        "frame {frames} ({w}x{h} at {x},{y}) does not lie inside the {width}x{height} logical screen"
                    )));
                }
                if frames > Limits::MAX_FRAMES {
                    return Err(broken(format!("more than {} frames (the limit for animations)", Limits::MAX_FRAMES)));
                }
                i += 9 + colour_table_len(d[8]);
                // LZW minimum code size, then the image data sub-blocks.
                if i >= bytes.len() {
                    return Err(truncated());
                }
                i = skip_sub_blocks(bytes, i + 1)?;
            }
            other => return Err(broken(format!("unknown block type 0x{other:02X} at byte {}", i - 1))),
        }
    }
    if frames == 0 {
        return Err(broken("the file holds no image"));
    }
    Ok(Summary { width, height, frames })
}

/// Bytes of the colour table a packed-fields byte announces (global or local).
fn colour_table_len(packed: u8) -> usize {
    if packed & 0x80 != 0 { 3 << ((packed & 7) + 1) } else { 0 }
}

/// Skips a chain of data sub-blocks starting at `i`; returns the index after its terminator.
fn skip_sub_blocks(bytes: &[u8], mut i: usize) -> Result<usize, DecodeError> {
    loop {
        let len = usize::from(*bytes.get(i).ok_or_else(truncated)?);
        i += 1;
        if len == 0 {
            return Ok(i);
        }
        i += len;
        if i > bytes.len() {
            return Err(truncated());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A GIF with one 1x1 frame at (x, y) on a 2x2 screen, `frames` times.
    fn gif(x: u16, y: u16, frames: usize) -> Vec<u8> {
        let mut f = b"GIF89a".to_vec();
        f.extend([2, 0, 2, 0, 0x80, 0, 0]);
        f.extend([0, 0, 0, 255, 255, 255]);
        for _ in 0..frames {
            f.push(0x2C);
            for v in [x, y, 1, 1] {
                f.extend(v.to_le_bytes());
            }
            f.extend([0, 2, 2, 0x44, 0x01, 0]);
        }
        f.push(0x3B);
        f
    }

    #[test]
    fn a_frame_inside_the_screen_passes_and_every_prefix_fails() {
        let ok = gif(1, 1, 1);
        assert_eq!(walk(&ok).unwrap(), Summary { width: 2, height: 2, frames: 1 });
        for cut in 0..ok.len() {
            assert!(walk(&ok[..cut]).is_err(), "prefix of {cut} bytes");
        }
    }

    #[test]
    fn frames_outside_the_screen_none_or_too_many_are_refused() {
        assert!(walk(&gif(2, 0, 1)).unwrap_err().to_string().contains("logical screen"));
        assert!(walk(&gif(0, 0, 0)).unwrap_err().to_string().contains("no image"));
        let flood = gif(0, 0, Limits::MAX_FRAMES as usize + 1);
        assert!(walk(&flood).unwrap_err().to_string().contains("frames"));
        assert!(walk(&gif(0, 0, Limits::MAX_FRAMES as usize)).is_ok());
    }
}
