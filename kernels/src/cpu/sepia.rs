//! `sepia`: the classic sepia tone matrix (as in CSS filters and most editors).

use super::point::{for_each_pixel, to_u8};
use crate::image::Image;

/// Rows give R', G', B' from (R, G, B).
pub const SEPIA: [[f32; 3]; 3] = [[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]];

/// Applies `sepia`.
pub fn sepia(mut image: Image) -> Image {
    for_each_pixel(&mut image, |px| {
        let (r, g, b) = (f32::from(px[0]), f32::from(px[1]), f32::from(px[2]));
        for (v, m) in px[..3].iter_mut().zip(&SEPIA) {
            *v = to_u8(m[0] * r + m[1] * g + m[2] * b);
        }
    });
    image
}
