//! `resize`: separable resampling with the weights of [`crate::derived::resample`], horizontal
//! pass then vertical, in f32. With `linear=true` the sRGB values are decoded to linear light
//! first and re-encoded after; alpha is premultiplied while resampling either way. `cover`
//! resamples only the window it keeps; `contain` pads the result onto a `bg` canvas.

use rayon::prelude::*;

use super::point::to_u8;
use super::simd::{axpy, multiversion};
use crate::derived::resample::{AxisWeights, axis_weights, plan};
use crate::derived::tone::{encode_linear, srgb_to_linear_table};
use crate::error::OpError;
use crate::image::Image;
use crate::spec::{Filter, Resize};

/// Applies `resize`.
pub fn resize(image: &Image, p: &Resize) -> Result<Image, OpError> {
    let (w, h) = (image.width(), image.height());
    let plan = plan(p, w, h);
    if plan.is_identity(w, h) {
        return Ok(image.clone());
    }
    let (wx, wy, ww, wh) = plan.window;
    let resampled = if plan.scaled == (w, h) {
        // Only a window or a canvas: no resampling at all.
        super::crop::region(image, wx, wy, ww, wh)
    } else {
        let xs = axis_weights(w, plan.scaled.0, wx, ww, p.filter);
        let ys = axis_weights(h, plan.scaled.1, wy, wh, p.filter);
        if p.filter == Filter::Nearest { sample_nearest(image, &xs, &ys) } else { resample(image, &xs, &ys, p.linear) }
    };
    if plan.canvas == (ww, wh) {
        return Ok(resampled);
    }
    Ok(pad(&resampled, plan.canvas, plan.placement, p.bg))
}

/// Nearest neighbour: a pure copy of the chosen source pixels.
fn sample_nearest(image: &Image, xs: &AxisWeights, ys: &AxisWeights) -> Image {
    let ch = image.channels();
    let (ow, oh) = (xs.len(), ys.len());
    let mut out = vec![0u8; ow * oh * ch];
    out.par_chunks_mut(ow * ch).zip(&ys.starts).for_each(|(row, &sy)| {
        let src = image.row(sy as usize);
        for (o, &sx) in row.chunks_exact_mut(ch).zip(&xs.starts) {
            o.copy_from_slice(&src[sx as usize * ch..(sx as usize + 1) * ch]);
        }
    });
    Image::from_parts(ow as u32, oh as u32, ch, out)
}

/// Convolution resampling in f32, values scaled to 0..1, every pixel held as four lanes (RGB
/// images with an unused fourth) so each tap is one vector operation.
fn resample(image: &Image, xs: &AxisWeights, ys: &AxisWeights, linear: bool) -> Image {
    let ch = image.channels();
    let w = image.width() as usize;
    let (ow, oh) = (xs.len(), ys.len());
    let to_lin = srgb_to_linear_table();

    // Source rows the vertical pass will read.
    let first = ys.starts.first().copied().unwrap_or(0) as usize;
    let last = ys.starts.last().map_or(0, |&s| s as usize + ys.taps);
    let stride = ow * 4;

    // Horizontal pass: every needed source row to `ow` pixels.
    let mut horiz = vec![0f32; (last - first) * stride];
    horiz.par_chunks_mut(stride).enumerate().for_each_init(
        || vec![0f32; w * 4],
        |row, (i, dst)| {
            load_row(image.row(first + i), ch, linear, to_lin, row);
            horizontal(row, &xs.starts, &xs.weights, xs.taps, dst);
        },
    );

    // Vertical pass, then back to 8 bits.
    let mut out = vec![0u8; oh * ow * ch];
    out.par_chunks_mut(ow * ch).enumerate().for_each_init(
        || vec![0f32; stride],
        |acc, (y, row)| {
            acc.fill(0.0);
            let start = ys.starts[y] as usize - first;
            vertical(acc, ys.of(y), &horiz[start * stride..], stride);
            store_row(acc, ch, linear, row);
        },
    );
    Image::from_parts(ow as u32, oh as u32, ch, out)
}

multiversion! {
    /// One row of 8-bit pixels as four-lane floats in 0..1: linear light when `linear`,
    /// colour premultiplied by alpha, alpha 1 for RGB.
    fn load_row(src: &[u8], ch: usize, linear: bool, to_lin: &[f32; 256], dst: &mut [f32]) {
        const K: f32 = 1.0 / 255.0;
        match (ch, linear) {
            (4, true) => {
                for (d, s) in dst.chunks_exact_mut(4).zip(src.chunks_exact(4)) {
                    let a = f32::from(s[3]) / 255.0;
                    d.copy_from_slice(&[to_lin[s[0] as usize] * a, to_lin[s[1] as usize] * a, to_lin[s[2] as usize] * a, a]);
                }
            }
            (4, false) => {
                for (d, s) in dst.chunks_exact_mut(4).zip(src.chunks_exact(4)) {
                    let a = f32::from(s[3]) / 255.0;
                    d.copy_from_slice(&[f32::from(s[0]) / 255.0 * a, f32::from(s[1]) / 255.0 * a, f32::from(s[2]) / 255.0 * a, a]);
                }
            }
            (_, true) => {
                for (d, s) in dst.chunks_exact_mut(4).zip(src.chunks_exact(3)) {
                    d.copy_from_slice(&[to_lin[s[0] as usize], to_lin[s[1] as usize], to_lin[s[2] as usize], 1.0]);
                }
            }
            (_, false) => {
                for (d, s) in dst.chunks_exact_mut(4).zip(src.chunks_exact(3)) {
                    d.copy_from_slice(&[f32::from(s[0]) * K, f32::from(s[1]) * K, f32::from(s[2]) * K, 1.0]);
                }
            }
        }
    }
}

multiversion! {
    /// Four-lane floats back to 8-bit pixels: un-premultiplied, and re-encoded to sRGB when
    /// `linear`.
    fn store_row(acc: &[f32], ch: usize, linear: bool, out: &mut [u8]) {
        let encode = |x: f32| if linear { encode_linear(x) } else { to_u8(x * 255.0) };
        if ch == 4 {
            for (o, v) in out.chunks_exact_mut(4).zip(acc.chunks_exact(4)) {
                let a = v[3].clamp(0.0, 1.0);
                let k = if a > 0.0 { 1.0 / a } else { 0.0 };
                o.copy_from_slice(&[encode(v[0] * k), encode(v[1] * k), encode(v[2] * k), to_u8(a * 255.0)]);
            }
        } else if linear {
            for (o, v) in out.chunks_exact_mut(3).zip(acc.chunks_exact(4)) {
                o.copy_from_slice(&[encode_linear(v[0]), encode_linear(v[1]), encode_linear(v[2])]);
            }
        } else {
            for (o, v) in out.chunks_exact_mut(3).zip(acc.chunks_exact(4)) {
                o.copy_from_slice(&[to_u8(v[0] * 255.0), to_u8(v[1] * 255.0), to_u8(v[2] * 255.0)]);
            }
        }
    }
}

multiversion! {
    /// One row of four-lane pixels resampled along x: output pixel `x` is the weighted sum of
    /// the `taps` source pixels from `starts[x]`.
    fn horizontal(row: &[f32], starts: &[u32], weights: &[f32], taps: usize, dst: &mut [f32]) {
        for ((out, &start), ws) in dst.chunks_exact_mut(4).zip(starts).zip(weights.chunks_exact(taps)) {
            let start = start as usize * 4;
            let src = &row[start..start + taps * 4];
            let mut acc = [0f32; 4];
            for (&wt, px) in ws.iter().zip(src.chunks_exact(4)) {
                for c in 0..4 {
                    acc[c] += wt * px[c];
                }
            }
            out.copy_from_slice(&acc);
        }
    }
}

multiversion! {
    /// `acc` plus the rows of `rows` (each `stride` long) weighted by `weights`.
    fn vertical(acc: &mut [f32], weights: &[f32], rows: &[f32], stride: usize) {
        for (&wt, row) in weights.iter().zip(rows.chunks(stride)) {
            axpy(acc, wt, row);
        }
    }
}

/// Places `image` on a `canvas`-sized background at `at`. Without `bg` the background is
/// transparent (the encoder turns it white for formats without alpha).
fn pad(image: &Image, canvas: (u32, u32), at: (u32, u32), bg: Option<[u8; 4]>) -> Image {
    let bg = bg.unwrap_or([0, 0, 0, 0]);
    let ch = if image.has_alpha() || bg[3] != 255 { 4 } else { 3 };
    let src = if ch == 4 { image.clone().with_alpha() } else { image.clone() };
    let mut out = Image::filled(canvas.0, canvas.1, ch, bg);
    let stride = out.stride();
    let (x0, y0) = (at.0 as usize * ch, at.1 as usize);
    let data = out.data_mut();
    for y in 0..src.height() as usize {
        let dst = &mut data[(y0 + y) * stride + x0..][..src.stride()];
        dst.copy_from_slice(src.row(y));
    }
    out
}
