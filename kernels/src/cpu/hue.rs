//! `hue:DEG`: rotates each pixel's HSV hue by DEG degrees, keeping its saturation and value.

use super::point::{for_each_pixel, to_u8};
use crate::image::Image;
use crate::spec::Hue;

/// Applies `hue`.
pub fn hue(mut image: Image, p: &Hue) -> Image {
    // Hue in sixths of a turn, in 0..6.
    let shift = (p.degrees / 60.0).rem_euclid(6.0);
    for_each_pixel(&mut image, |px| {
        let [r, g, b] = rotate([f32::from(px[0]), f32::from(px[1]), f32::from(px[2])], shift);
        px[0] = to_u8(r);
        px[1] = to_u8(g);
        px[2] = to_u8(b);
    });
    image
}

/// RGB (0..255) with its hue moved by `shift` sixths of a turn.
pub fn rotate([r, g, b]: [f32; 3], shift: f32) -> [f32; 3] {
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let chroma = max - min;
    if chroma == 0.0 {
        return [r, g, b];
    }
    let h = if max == r {
        ((g - b) / chroma).rem_euclid(6.0)
    } else if max == g {
        (b - r) / chroma + 2.0
    } else {
        (r - g) / chroma + 4.0
    };
    let h = (h + shift).rem_euclid(6.0);
    // Back from hue, chroma and value.
    let x = chroma * (1.0 - ((h % 2.0) - 1.0).abs());
    let (r1, g1, b1) = match h as u32 {
        0 => (chroma, x, 0.0),
        1 => (x, chroma, 0.0),
        2 => (0.0, chroma, x),
        3 => (0.0, x, chroma),
        4 => (x, 0.0, chroma),
        _ => (chroma, 0.0, x),
    };
    [r1 + min, g1 + min, b1 + min]
}
