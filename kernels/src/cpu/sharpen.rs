//! `sharpen:SIGMA`: unsharp mask, `out = in + amount * (in - gaussian(in, SIGMA))`, left alone
//! where `|in - gaussian|` is below `threshold`. Alpha is kept.

use super::blur::gaussian_bands;
use super::point::to_u8;
use crate::derived::gaussian;
use crate::image::Image;
use crate::spec::Sharpen;

/// Applies `sharpen`.
pub fn sharpen(image: &Image, p: &Sharpen) -> Image {
    let kernel = gaussian::kernel(p.sigma);
    let ch = image.channels();
    let (amount, threshold) = (p.amount, f32::from(p.threshold));
    gaussian_bands(image, &kernel, false, |blurred, src, out| {
        for ((o, b), s) in out.chunks_exact_mut(ch).zip(blurred.chunks_exact(ch)).zip(src.chunks_exact(ch)) {
            for c in 0..3 {
                let v = f32::from(s[c]);
                let diff = v - b[c];
                o[c] = if diff.abs() < threshold { s[c] } else { to_u8(v + amount * diff) };
            }
            if ch == 4 {
                o[3] = s[3];
            }
        }
    })
}
