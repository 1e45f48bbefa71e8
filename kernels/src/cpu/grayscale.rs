//! `grayscale`: every channel set to the pixel's Rec.601 luma.

use super::point::{for_each_pixel, to_u8};
use super::saturation::LUMA;
use crate::image::Image;

/// Applies `grayscale`.
pub fn grayscale(mut image: Image) -> Image {
    for_each_pixel(&mut image, |px| {
        let y = to_u8(LUMA[0] * f32::from(px[0]) + LUMA[1] * f32::from(px[1]) + LUMA[2] * f32::from(px[2]));
        px[..3].fill(y);
    });
    image
}
