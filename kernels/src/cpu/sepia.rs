//! `sepia`: the classic sepia tone matrix (as in CSS filters and most editors).

use super::point::{BLOCK, map_rgb};
use crate::image::Image;

/// Rows give R', G', B' from (R, G, B).
pub const SEPIA: [[f32; 3]; 3] = [[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]];

/// Applies `sepia`.
pub fn sepia(mut image: Image) -> Image {
    map_rgb(&mut image, |[r, g, b]| {
        for i in 0..BLOCK {
            let [r1, g1, b1] = SEPIA.map(|m| m[0] * r[i] + m[1] * g[i] + m[2] * b[i]);
            (r[i], g[i], b[i]) = (r1, g1, b1);
        }
    });
    image
}
