//! `flip:h` / `flip:v`: mirror left-right or top-bottom, in place.

use rayon::prelude::*;

use crate::image::Image;
use crate::spec::Flip;

/// Applies `flip`.
pub fn flip(mut image: Image, axis: Flip) -> Image {
    let ch = image.channels();
    let stride = image.stride();
    let h = image.height() as usize;
    match axis {
        Flip::H => image.data_mut().par_chunks_mut(stride).for_each(|row| {
            let w = row.len() / ch;
            for x in 0..w / 2 {
                for c in 0..ch {
                    row.swap(x * ch + c, (w - 1 - x) * ch + c);
                }
            }
        }),
        Flip::V => {
            let data = image.data_mut();
            for y in 0..h / 2 {
                let (top, bottom) = data.split_at_mut((h - 1 - y) * stride);
                top[y * stride..(y + 1) * stride].swap_with_slice(&mut bottom[..stride]);
            }
        }
    }
    image
}
