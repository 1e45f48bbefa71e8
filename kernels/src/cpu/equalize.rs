//! `equalize`: global histogram equalisation of luma, colour kept. Each pixel's luma is mapped
//! through OpenCV's `equalizeHist` table and the change in luma is added to R, G and B, which
//! is what replacing Y in YCbCr and converting back does.

use super::levels::luma_histogram;
use super::point::for_each_pixel;
use crate::derived::histogram::{equalize_map, luma};
use crate::image::Image;

/// Applies `equalize`.
pub fn equalize(mut image: Image) -> Image {
    let map = equalize_map(&luma_histogram(&image));
    for_each_pixel(&mut image, |px| {
        let y = luma(px[0], px[1], px[2]);
        shift_luma(px, i16::from(map[y as usize]) - i16::from(y));
    });
    image
}

/// Adds `delta` to each colour channel, clamped.
#[inline]
pub fn shift_luma(px: &mut [u8], delta: i16) {
    for v in &mut px[..3] {
        *v = (i16::from(*v) + delta).clamp(0, 255) as u8;
    }
}
