//! WebP: a walk over the RIFF chunks before anything is decoded. It refuses animations with
//! more than [`Limits::MAX_FRAMES`] frames, frames that do not lie inside the canvas (the
//! container specification requires it), and chunks that run past the end of the file.

use crate::error::DecodeError;
use crate::limits::Limits;

fn broken(reason: impl Into<String>) -> DecodeError {
    DecodeError::Corrupt { format: "webp", reason: reason.into() }
}

/// A little-endian 24-bit field.
fn u24(b: &[u8]) -> u32 {
    u32::from(b[0]) | u32::from(b[1]) << 8 | u32::from(b[2]) << 16
}

/// Walks the chunks; returns the number of animation frames (0 for a still image).
pub(super) fn walk(bytes: &[u8]) -> Result<u32, DecodeError> {
    let truncated = || broken("file is truncated: a chunk runs past the end of the data");
    let riff = bytes.get(4..8).ok_or_else(truncated)?;
    // The RIFF size counts from byte 8; data after it is not part of the image.
    let end = (u32::from_le_bytes([riff[0], riff[1], riff[2], riff[3]]) as usize).saturating_add(8).min(bytes.len());
    let mut canvas: Option<(u32, u32)> = None;
    let mut frames = 0u32;
    let mut i = 12;
    while i < end {
        let head = bytes.get(i..i + 8).ok_or_else(truncated)?;
        let len = u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as usize;
        let body = bytes.get(i + 8..(i + 8).saturating_add(len)).ok_or_else(truncated)?;
        match &head[..4] {
            b"VP8X" if body.len() >= 10 => canvas = Some((u24(&body[4..7]) + 1, u24(&body[7..10]) + 1)),
            b"ANMF" => {
                frames += 1;
                if frames > Limits::MAX_FRAMES {
                    return Err(broken(format!("more than {} frames (the limit for animations)", Limits::MAX_FRAMES)));
                }
                let f = body.get(..12).ok_or_else(|| broken(format!("frame {frames}: header is cut short")))?;
                let (x, y) = (u24(&f[0..3]) * 2, u24(&f[3..6]) * 2);
                let (w, h) = (u24(&f[6..9]) + 1, u24(&f[9..12]) + 1);
                let Some((cw, ch)) = canvas else {
                    return Err(broken("animation frame without a VP8X canvas"));
                };
                if x + w > cw || y + h > ch {
                    return Err(broken(format!(
                        "frame {frames} ({w}x{h} at {x},{y}) does not lie inside the {cw}x{ch} canvas"
                    )));
                }
            }
            _ => {}
        }
        // Chunks are padded to an even length.
        i += 8 + len + (len & 1);
    }
    Ok(frames)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(tag: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut c = tag.to_vec();
        c.extend((body.len() as u32).to_le_bytes());
        c.extend(body);
        if body.len() % 2 == 1 {
            c.push(0);
        }
        c
    }

    /// An animated WebP header on a 4x4 canvas with `n` 2x2 frames at (x, y).
    fn animation(x: u8, y: u8, n: usize) -> Vec<u8> {
        let mut body = chunk(b"VP8X", &[0x02, 0, 0, 0, 3, 0, 0, 3, 0, 0]);
        for _ in 0..n {
            body.extend(chunk(b"ANMF", &[x / 2, 0, 0, y / 2, 0, 0, 1, 0, 0, 1, 0, 0, 100, 0, 0, 0]));
        }
        let mut f = b"RIFF".to_vec();
        f.extend((body.len() as u32 + 4).to_le_bytes());
        f.extend(b"WEBP");
        f.extend(body);
        f
    }

    #[test]
    fn frames_are_counted_and_must_lie_inside_the_canvas() {
        assert_eq!(walk(&animation(2, 2, 3)).unwrap(), 3);
        assert!(walk(&animation(4, 0, 1)).unwrap_err().to_string().contains("canvas"));
        assert!(walk(&animation(0, 0, Limits::MAX_FRAMES as usize + 1)).unwrap_err().to_string().contains("frames"));
        let ok = animation(0, 0, 2);
        for cut in 0..ok.len() - 1 {
            let _ = walk(&ok[..cut]); // never panics
        }
        assert!(walk(&ok[..ok.len() - 3]).is_err());
    }
}
