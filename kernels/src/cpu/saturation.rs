//! `saturation:F`: each channel moved away from (F > 1) or towards (F < 1) the pixel's Rec.601
//! luma grey: `grey + F * (v - grey)`.

use super::point::{BLOCK, map_rgb};
use crate::image::Image;
use crate::spec::Saturation;

/// Rec.601 luma weights.
pub const LUMA: [f32; 3] = [0.299, 0.587, 0.114];

/// Applies `saturation`.
pub fn saturation(mut image: Image, p: &Saturation) -> Image {
    let f = p.factor;
    map_rgb(&mut image, |[r, g, b]| {
        for i in 0..BLOCK {
            let grey = LUMA[0] * r[i] + LUMA[1] * g[i] + LUMA[2] * b[i];
            r[i] = grey + f * (r[i] - grey);
            g[i] = grey + f * (g[i] - grey);
            b[i] = grey + f * (b[i] - grey);
        }
    });
    image
}
