//! `rotate:90|180|270`: clockwise quarter turns.

use rayon::prelude::*;

use crate::image::Image;
use crate::spec::Rotate;

/// Applies `rotate`.
pub fn rotate(image: &Image, angle: Rotate) -> Image {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let ch = image.channels();
    let src = image.data();
    let (ow, oh) = match angle {
        Rotate::R180 => (w, h),
        Rotate::R90 | Rotate::R270 => (h, w),
    };
    let mut out = vec![0u8; src.len()];
    out.par_chunks_mut(ow * ch).enumerate().for_each(|(oy, row)| {
        for ox in 0..ow {
            // The source pixel that lands at (ox, oy).
            let (sx, sy) = match angle {
                Rotate::R90 => (oy, h - 1 - ox),
                Rotate::R180 => (w - 1 - ox, h - 1 - oy),
                Rotate::R270 => (w - 1 - oy, ox),
            };
            let s = (sy * w + sx) * ch;
            row[ox * ch..(ox + 1) * ch].copy_from_slice(&src[s..s + ch]);
        }
    });
    Image::from_parts(ow as u32, oh as u32, ch, out)
}
