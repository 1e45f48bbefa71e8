//! `saturation:F`: each channel moved away from (F > 1) or towards (F < 1) the pixel's Rec.601
//! luma grey: `grey + F * (v - grey)`.

use super::point::{for_each_pixel, to_u8};
use crate::image::Image;
use crate::spec::Saturation;

/// Rec.601 luma weights.
pub const LUMA: [f32; 3] = [0.299, 0.587, 0.114];

/// Applies `saturation`.
pub fn saturation(mut image: Image, p: &Saturation) -> Image {
    let f = p.factor;
    for_each_pixel(&mut image, |px| {
        let grey = LUMA[0] * f32::from(px[0]) + LUMA[1] * f32::from(px[1]) + LUMA[2] * f32::from(px[2]);
        for v in &mut px[..3] {
            *v = to_u8(grey + f * (f32::from(*v) - grey));
        }
    });
    image
}
