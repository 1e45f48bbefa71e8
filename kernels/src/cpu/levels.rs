//! `levels:auto`: black and white points from the luma histogram (0.5% clipped at each end),
//! then the same stretch as manual `levels` on every colour channel. Manual `levels` is a tone
//! table (see [`crate::derived::tone::levels`]).

use rayon::prelude::*;

use super::point::apply_luts;
use crate::derived::histogram::{Histogram, auto_levels, luma};
use crate::derived::tone;
use crate::image::Image;

/// Applies `levels:auto`.
pub fn levels_auto(mut image: Image) -> Image {
    if let Some((black, white)) = auto_levels(&luma_histogram(&image)) {
        apply_luts(&mut image, &tone::levels(black, white, 1.0));
    }
    image
}

/// Histogram of Rec.601 luma over the whole image.
pub fn luma_histogram(image: &Image) -> Histogram {
    let ch = image.channels();
    image
        .data()
        .par_chunks(ch * 16_384)
        .map(|chunk| {
            let mut h = [0u32; 256];
            for px in chunk.chunks_exact(ch) {
                h[luma(px[0], px[1], px[2]) as usize] += 1;
            }
            h
        })
        .reduce(
            || [0u32; 256],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
                a
            },
        )
}
