//! `sharpen:SIGMA`: unsharp mask, `out = in + amount * (in - gaussian(in, SIGMA))`, left alone
//! where `|in - gaussian|` is below `threshold`. Alpha is kept.

use super::blur::gaussian_bands;
use super::point::to_u8;
use super::simd::multiversion;
use crate::derived::gaussian;
use crate::image::Image;
use crate::spec::Sharpen;

/// Applies `sharpen`.
pub fn sharpen(image: Image, p: &Sharpen) -> Image {
    let kernel = gaussian::kernel(p.sigma);
    let ch = image.channels();
    let (amount, threshold) = (p.amount, f32::from(p.threshold));
    gaussian_bands(image, &kernel, false, |blurred, row| {
        if ch == 3 {
            unsharp(blurred, row, amount, threshold);
        } else {
            for (px, b) in row.chunks_exact_mut(4).zip(blurred.chunks_exact(4)) {
                let alpha = px[3];
                unsharp(b, px, amount, threshold);
                px[3] = alpha;
            }
        }
    })
}

multiversion! {
    /// The unsharp mask of every value of `row` against its blurred value.
    fn unsharp(blurred: &[f32], row: &mut [u8], amount: f32, threshold: f32) {
        for (o, &b) in row.iter_mut().zip(blurred) {
            let v = f32::from(*o);
            let diff = v - b;
            let sharpened = to_u8(v + amount * diff);
            *o = if diff.abs() < threshold { *o } else { sharpened };
        }
    }
}
