//! `convolve:NxN:k,...`: a custom square kernel applied to each colour channel (correlation:
//! the kernel is not flipped, the first weight is the top-left neighbour), borders replicated,
//! `out = round(sum / divisor + bias)`. Alpha is kept.

use super::point::to_u8;
use super::strip::{Strip, band_rows, for_bands};
use crate::image::Image;
use crate::spec::Convolve;

/// Applies `convolve`.
pub fn convolve(image: &Image, p: &Convolve) -> Image {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let ch = image.channels();
    let stride = w * ch;
    let n = p.size as usize;
    let r = n / 2;
    let (divisor, bias) = (p.effective_divisor(), p.bias);
    let mut out = vec![0u8; h * stride];
    for_bands(&mut out, stride, band_rows(h, r), |y0, y1, rows| {
        let strip = Strip::new(image, y0, y1, r, f32::from);
        let mut acc = vec![0f32; stride];
        for (y, out_row) in (y0..y1).zip(rows.chunks_exact_mut(stride)) {
            acc.fill(0.0);
            for ky in 0..n {
                let src = strip.row((y + ky) as isize - r as isize);
                for kx in 0..n {
                    let wk = p.weights[ky * n + kx];
                    if wk == 0.0 {
                        continue;
                    }
                    for (a, s) in acc.iter_mut().zip(&src[kx * ch..kx * ch + stride]) {
                        *a += wk * s;
                    }
                }
            }
            let src_row = image.row(y);
            for ((o, a), s) in out_row.chunks_exact_mut(ch).zip(acc.chunks_exact(ch)).zip(src_row.chunks_exact(ch)) {
                for c in 0..3 {
                    o[c] = to_u8(a[c] / divisor + bias);
                }
                if ch == 4 {
                    o[3] = s[3];
                }
            }
        }
    });
    Image::from_parts(w as u32, h as u32, ch, out)
}
