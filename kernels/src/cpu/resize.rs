//! `resize`: separable resampling with the weights of [`crate::derived::resample`], one pass
//! per axis in f32, in the order that costs less (vertical first when shrinking). With
//! `linear=true` the sRGB values are decoded to linear light first and re-encoded after; alpha
//! is premultiplied while resampling either way. `cover` resamples only the window it keeps;
//! `contain` pads the result onto a `bg` canvas.

use rayon::prelude::*;

use super::point::to_u8;
use super::simd::multiversion;
use crate::derived::resample::{AxisWeights, axis_weights, plan, vertical_first};
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

/// Convolution resampling in f32, values scaled to 0..1, one pass per axis in the order
/// [`vertical_first`] picks (the shader's order, so the sums are the same ones).
///
/// Bands of output rows run in parallel. Each band keeps the rows of the first pass that its
/// current output row needs in a ring of `ys.taps` rows: source rows converted to floats
/// (`ch` lanes per pixel) when the vertical pass comes first, source rows already resampled
/// along x (four lanes) otherwise. A row of the first pass is computed once per band, and
/// memory stays at a few rows per thread whatever the image size.
fn resample(image: &Image, xs: &AxisWeights, ys: &AxisWeights, linear: bool) -> Image {
    let ch = image.channels();
    let w = image.width() as usize;
    let (ow, oh) = (xs.len(), ys.len());
    let to_lin = srgb_to_linear_table();
    let vertical_first = vertical_first(image.width(), xs, ys);
    let (ring_row, taps) = (if vertical_first { w * ch } else { ow * 4 }, ys.taps);
    // Several bands per thread balance the load; each band recomputes up to `taps` ring rows
    // that its neighbour computes too, so bands are kept well above `taps` output rows.
    let band = oh.div_ceil(rayon::current_num_threads() * 4).max(16);

    let mut out = vec![0u8; oh * ow * ch];
    out.par_chunks_mut(ow * ch * band).enumerate().for_each(|(b, rows)| {
        let mut ring = vec![0f32; taps * ring_row];
        let mut held = vec![usize::MAX; taps];
        let (mut offsets, mut weights) = (Vec::with_capacity(taps), Vec::with_capacity(taps));
        let mut acc = vec![0f32; ring_row];
        // A source row as four-lane floats (horizontal first), or the vertical sums of an RGB
        // row widened to four lanes for the horizontal pass (vertical first).
        let mut line = vec![0f32; if vertical_first && ch == 4 { 0 } else { w * 4 }];
        let mut sums = vec![0f32; if vertical_first { ow * 4 } else { 0 }];
        for (i, row) in rows.chunks_exact_mut(ow * ch).enumerate() {
            let y = b * band + i;
            let start = ys.starts[y] as usize;
            offsets.clear();
            weights.clear();
            for (k, &wt) in ys.of(y).iter().enumerate() {
                // Adding a zero-weighted row adds zero: skipping it changes no sum.
                if wt == 0.0 {
                    continue;
                }
                // The rows a window spans are consecutive, so their slots never collide.
                let sy = start + k;
                let at = sy % taps * ring_row;
                if held[sy % taps] != sy {
                    let slot = &mut ring[at..at + ring_row];
                    if vertical_first {
                        load_flat(image.row(sy), ch, linear, to_lin, slot);
                    } else {
                        load_row(image.row(sy), ch, linear, to_lin, &mut line);
                        horizontal(&line, &xs.starts, &xs.weights, xs.taps, slot);
                    }
                    held[sy % taps] = sy;
                }
                offsets.push(at);
                weights.push(wt);
            }
            weighted_rows(&ring, &offsets, &weights, &mut acc);
            if !vertical_first {
                store_row(&acc, ch, linear, row);
                continue;
            }
            let src = if ch == 4 {
                &acc
            } else {
                for (d, s) in line.chunks_exact_mut(4).zip(acc.chunks_exact(3)) {
                    d.copy_from_slice(&[s[0], s[1], s[2], 1.0]);
                }
                &line
            };
            horizontal(src, &xs.starts, &xs.weights, xs.taps, &mut sums);
            store_row(&sums, ch, linear, row);
        }
    });
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

/// One row of 8-bit pixels as floats in 0..1 with `ch` lanes per pixel: like [`load_row`], but
/// RGB keeps three lanes, so the vertical pass multiplies no unused lane.
fn load_flat(src: &[u8], ch: usize, linear: bool, to_lin: &[f32; 256], dst: &mut [f32]) {
    if ch == 4 {
        load_row(src, ch, linear, to_lin, dst);
    } else if linear {
        for (d, &s) in dst.iter_mut().zip(src) {
            *d = to_lin[s as usize];
        }
    } else {
        load_scaled(src, dst);
    }
}

multiversion! {
    /// `dst[i] = src[i] / 255`.
    fn load_scaled(src: &[u8], dst: &mut [f32]) {
        const K: f32 = 1.0 / 255.0;
        for (d, &s) in dst.iter_mut().zip(src) {
            *d = f32::from(s) * K;
        }
    }
}

multiversion! {
    /// `out[i] = sum over k of weights[k] * rows[offsets[k] + i]`: the vertical pass, every
    /// row of the window weighted and summed in registers over a run of columns at a time
    /// (rather than streaming the sums through memory once per row).
    fn weighted_rows(rows: &[f32], offsets: &[usize], weights: &[f32], out: &mut [f32]) {
        /// Outputs `i .. i + N`.
        #[inline(always)]
        fn run<const N: usize>(rows: &[f32], offsets: &[usize], weights: &[f32], i: usize, out: &mut [f32]) {
            let mut acc = [0f32; N];
            for (&at, &wt) in offsets.iter().zip(weights) {
                let src = &rows[at + i..][..N];
                // A multiply then an add, as the shader does (a fused multiply-add would round
                // differently).
                for l in 0..N {
                    acc[l] += wt * src[l];
                }
            }
            out[i..i + N].copy_from_slice(&acc);
        }
        let n = out.len();
        let mut i = 0;
        while i + RUN <= n {
            run::<RUN>(rows, offsets, weights, i, out);
            i += RUN;
        }
        while i + 8 <= n {
            run::<8>(rows, offsets, weights, i, out);
            i += 8;
        }
        while i < n {
            run::<1>(rows, offsets, weights, i, out);
            i += 1;
        }
    }
}

/// Columns [`weighted_rows`] sums in registers at a time: eight AVX vectors.
const RUN: usize = 64;

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
