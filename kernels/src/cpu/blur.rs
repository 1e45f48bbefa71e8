//! `blur:SIGMA`: separable Gaussian blur, borders replicated. Images with alpha are blurred
//! premultiplied, so transparent pixels lend no colour to their neighbours.

use super::point::to_u8;
use super::strip::{Strip, band_rows, for_bands};
use crate::derived::gaussian;
use crate::image::Image;
use crate::spec::Blur;

/// Applies `blur`.
pub fn blur(image: &Image, p: &Blur) -> Image {
    let kernel = gaussian::kernel(p.sigma);
    let premultiply = image.has_alpha();
    gaussian_bands(image, &kernel, premultiply, |blurred, _src, out| {
        if premultiply {
            for (o, b) in out.chunks_exact_mut(4).zip(blurred.chunks_exact(4)) {
                let a = b[3];
                let k = if a > 0.0 { 255.0 / a } else { 0.0 };
                for c in 0..3 {
                    o[c] = to_u8(b[c] * k);
                }
                o[3] = to_u8(a);
            }
        } else {
            for (o, b) in out.iter_mut().zip(blurred) {
                *o = to_u8(*b);
            }
        }
    })
}

/// Convolves every channel with `kernel` horizontally then vertically and hands each output row
/// to `finish(blurred, source_row, out_row)`. With `premultiply`, colour is multiplied by
/// alpha/255 first, and `finish` gets premultiplied sums.
pub(crate) fn gaussian_bands(
    image: &Image,
    kernel: &[f32],
    premultiply: bool,
    finish: impl Fn(&[f32], &[u8], &mut [u8]) + Sync + Send,
) -> Image {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let ch = image.channels();
    let r = kernel.len() / 2;
    let stride = w * ch;
    let mut out = vec![0u8; h * stride];
    for_bands(&mut out, stride, band_rows(h, r), |y0, y1, rows| {
        let strip = Strip::with_rows(image, y0, y1, r, |src, dst: &mut [f32]| {
            if premultiply {
                for (d, s) in dst.chunks_exact_mut(4).zip(src.chunks_exact(4)) {
                    let a = f32::from(s[3]) / 255.0;
                    for c in 0..3 {
                        d[c] = f32::from(s[c]) * a;
                    }
                    d[3] = f32::from(s[3]);
                }
            } else {
                for (d, s) in dst.iter_mut().zip(src) {
                    *d = f32::from(*s);
                }
            }
        });
        // Horizontal pass over the band and its halo.
        let n_rows = y1 - y0 + 2 * r;
        let mut horiz = vec![0f32; n_rows * stride];
        for (i, dst) in horiz.chunks_exact_mut(stride).enumerate() {
            let src = strip.row(y0 as isize - r as isize + i as isize);
            for (k, &wk) in kernel.iter().enumerate() {
                for (d, s) in dst.iter_mut().zip(&src[k * ch..k * ch + stride]) {
                    *d += wk * s;
                }
            }
        }
        // Vertical pass, one output row at a time.
        let mut acc = vec![0f32; stride];
        for (y, out_row) in (y0..y1).zip(rows.chunks_exact_mut(stride)) {
            acc.fill(0.0);
            for (k, &wk) in kernel.iter().enumerate() {
                let src = &horiz[(y - y0 + k) * stride..][..stride];
                for (a, s) in acc.iter_mut().zip(src) {
                    *a += wk * s;
                }
            }
            finish(&acc, image.row(y), out_row);
        }
    });
    Image::from_parts(w as u32, h as u32, ch, out)
}
