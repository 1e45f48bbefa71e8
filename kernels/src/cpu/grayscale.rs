//! `grayscale`: every channel set to the pixel's Rec.601 luma.

use super::point::{BLOCK, map_rgb};
use super::saturation::LUMA;
use crate::image::Image;

/// Applies `grayscale`.
pub fn grayscale(mut image: Image) -> Image {
    map_rgb(&mut image, |[r, g, b]| {
        for i in 0..BLOCK {
            let y = LUMA[0] * r[i] + LUMA[1] * g[i] + LUMA[2] * b[i];
            (r[i], g[i], b[i]) = (y, y, y);
        }
    });
    image
}
