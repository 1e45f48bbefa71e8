//! JPEG: the structure walk that every JPEG gets before decoding, and decoding with
//! libjpeg-turbo, optionally shrunk while decoding (the IDCT computes 1/2, 1/4 or 1/8 of the
//! pixels directly, as libvips' and Pillow's `draft` shrink-on-load do).
//!
//! The walk refuses what the decoders would otherwise get wrong or silently patch: a file that
//! ends before its end-of-image marker (decoders fill the rest with grey and call it success),
//! and coding processes glint does not take (arithmetic, lossless, hierarchical). It also
//! collects the EXIF block and the ICC profile (which may span several APP2 segments).

use crate::error::DecodeError;

fn broken(reason: impl Into<String>) -> DecodeError {
    DecodeError::Corrupt { format: "jpeg", reason: reason.into() }
}

/// Metadata found by the walk.
#[derive(Debug, Default)]
pub(super) struct Markers {
    /// The TIFF block of the first APP1 "Exif" segment.
    pub exif: Option<Vec<u8>>,
    /// The ICC profile, reassembled from its APP2 chunks.
    pub icc: Option<Vec<u8>>,
    /// Adobe APP14 colour transform or four components: the image is CMYK/YCCK.
    pub cmyk: bool,
}

/// Walks the marker segments from SOI to EOI.
pub(super) fn walk(bytes: &[u8]) -> Result<Markers, DecodeError> {
    let truncated = || Err(broken("file is truncated: the image data ends before the end-of-image marker"));
    let mut markers = Markers::default();
    let mut icc_chunks: Vec<(u8, &[u8])> = Vec::new();
    let mut i = 2;
    loop {
        // Markers may be padded with any number of 0xFF bytes.
        while bytes.get(i) == Some(&0xFF) && bytes.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        let (Some(&0xFF), Some(&marker)) = (bytes.get(i), bytes.get(i + 1)) else {
            return if i >= bytes.len() { truncated() } else { Err(broken(format!("no marker at byte {i}"))) };
        };
        i += 2;
        match marker {
            0xD9 => break,
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
            return Err(broken(format!("segment of length {len} at byte {i}")));
        }
        let Some(body) = bytes.get(i + 2..i + len) else { return truncated() };
        match marker {
            0xE1 if markers.exif.is_none() => {
                if let Some(tiff) = body.strip_prefix(b"Exif\0\0") {
                    markers.exif = Some(tiff.to_vec());
                }
            }
            0xE2 => {
                // "ICC_PROFILE\0", chunk number, chunk count, data.
                if let Some(rest) = body.strip_prefix(b"ICC_PROFILE\0")
                    && rest.len() >= 2
                {
                    icc_chunks.push((rest[0], &rest[2..]));
                }
            }
            0xEE => markers.cmyk |= body.starts_with(b"Adobe"),
            0xC0..=0xC2 => markers.cmyk |= body.get(5) == Some(&4),
            _ => {}
        }
        i += len;
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
    if !icc_chunks.is_empty() {
        icc_chunks.sort_by_key(|(n, _)| *n);
        markers.icc = Some(icc_chunks.iter().flat_map(|(_, d)| d.iter().copied()).collect());
    }
    Ok(markers)
}

/// A JPEG decoded to RGB by libjpeg-turbo.
pub(super) struct Pixels {
    pub data: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// The denominator of the shrink applied while decoding (1, 2, 4 or 8).
    pub shrink: u32,
}

/// The header's dimensions.
pub(super) fn dimensions(bytes: &[u8]) -> Result<(u32, u32), DecodeError> {
    let mut d = decompressor()?;
    let h = d.read_header(bytes).map_err(|e| broken(e.to_string()))?;
    Ok((h.width as u32, h.height as u32))
}

fn decompressor() -> Result<turbojpeg::Decompressor, DecodeError> {
    turbojpeg::Decompressor::new().map_err(|e| broken(format!("cannot start the decoder: {e}")))
}

/// Decodes to RGB, shrunk by the largest factor (of 1/2, 1/4, 1/8) that keeps the result at
/// least `min` in both directions. The caller has checked the header's size against the limits.
pub(super) fn decode_rgb(bytes: &[u8], min: Option<(u32, u32)>) -> Result<Pixels, DecodeError> {
    let mut d = decompressor()?;
    let header = d.read_header(bytes).map_err(|e| broken(e.to_string()))?;
    let (w, h) = (header.width, header.height);
    let mut shrink = 1;
    if let Some((mw, mh)) = min {
        for s in [8usize, 4, 2] {
            if w.div_ceil(s) >= mw as usize && h.div_ceil(s) >= mh as usize {
                shrink = s;
                break;
            }
        }
    }
    let factor = turbojpeg::ScalingFactor::new(1, shrink);
    d.set_scaling_factor(factor).map_err(|e| broken(e.to_string()))?;
    // Progressive files may hold any number of scans; real encoders use about ten.
    d.set_scan_limit(500).map_err(|e| broken(e.to_string()))?;
    let (sw, sh) = (factor.scale(w), factor.scale(h));
    let mut data = Vec::new();
    data.try_reserve_exact(sw * sh * 3).map_err(|_| broken(format!("cannot allocate {sw}x{sh} pixels")))?;
    data.resize(sw * sh * 3, 0);
    let image = turbojpeg::Image {
        pixels: &mut data[..],
        width: sw,
        pitch: sw * 3,
        height: sh,
        format: turbojpeg::PixelFormat::RGB,
    };
    d.decompress(bytes, image).map_err(|e| broken(e.to_string()))?;
    Ok(Pixels { data, width: sw as u32, height: sh as u32, shrink: shrink as u32 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_finds_the_end_and_refuses_every_prefix() {
        // SOI, a comment, SOS with two data bytes (one stuffed FF), EOI.
        let ok = [0xFF, 0xD8, 0xFF, 0xFE, 0, 3, b'x', 0xFF, 0xDA, 0, 2, 1, 0xFF, 0, 2, 0xFF, 0xD9];
        assert!(walk(&ok).is_ok());
        for cut in 2..ok.len() - 1 {
            assert!(walk(&ok[..cut]).is_err(), "prefix of {cut} bytes");
        }
    }

    #[test]
    fn icc_chunks_are_reassembled_in_order() {
        let mut f = vec![0xFF, 0xD8];
        for (n, data) in [(2u8, &b"world"[..]), (1u8, &b"hello "[..])] {
            let body: Vec<u8> = [&b"ICC_PROFILE\0"[..], &[n, 2], data].concat();
            f.extend([0xFF, 0xE2]);
            f.extend(((body.len() + 2) as u16).to_be_bytes());
            f.extend(body);
        }
        f.extend([0xFF, 0xD9]);
        assert_eq!(walk(&f).unwrap().icc.as_deref(), Some(&b"hello world"[..]));
    }
}
