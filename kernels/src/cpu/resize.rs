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
/// [`vertical_first`] picks (the shader's order, so the sums are the same ones). Bands of
/// output rows run in parallel.
fn resample(image: &Image, xs: &AxisWeights, ys: &AxisWeights, linear: bool) -> Image {
    let ch = image.channels();
    let (ow, oh) = (xs.len(), ys.len());
    let vertical_first = vertical_first(image.width(), xs, ys);
    let row_floats = if vertical_first { image.stride() } else { ow * 4 };
    // Several bands per thread balance the load; each band recomputes up to `ys.taps` rows of
    // the first pass that its neighbour computes too, so bands are kept well above that, and
    // under a few megabytes of first-pass sums (vertical first) each.
    let fit = (BAND_BYTES / (row_floats * 4)).max(16);
    let band = oh.div_ceil(rayon::current_num_threads() * 4).clamp(16, fit);

    let mut out = vec![0u8; oh * ow * ch];
    // Each worker keeps its buffers from band to band: fresh multi-megabyte buffers per band
    // would cost a page fault per 4 KiB every time.
    out.par_chunks_mut(ow * ch * band).enumerate().for_each_init(Buffers::default, |buf, (b, rows)| {
        if vertical_first {
            vertical_then_horizontal(image, xs, ys, linear, b * band, rows, buf);
        } else {
            horizontal_then_vertical(image, xs, ys, linear, b * band, rows, buf);
        }
    });
    Image::from_parts(ow as u32, oh as u32, ch, out)
}

/// A worker's buffers for [`resample`], sized on first use by each band.
#[derive(Default)]
struct Buffers {
    /// Rows of the first pass, `ys.taps` slots.
    ring: Vec<f32>,
    /// The source row each ring slot holds.
    held: Vec<usize>,
    /// Ring offsets and weights of the current output row's taps.
    offsets: Vec<usize>,
    weights: Vec<f32>,
    /// The band's vertical sums (vertical first).
    sums: Vec<f32>,
    /// A source row as four-lane floats (horizontal first), or two rows of vertical sums
    /// interleaved for the horizontal pass (vertical first).
    line: Vec<f32>,
    /// The horizontal pass's sums: one output row, four lanes per pixel (horizontal first
    /// runs it before the vertical pass), or two rows interleaved (vertical first).
    acc: Vec<f32>,
}

/// `v` resized to `len` (contents unspecified: every user overwrites what it reads).
fn sized<T: Copy + Default>(v: &mut Vec<T>, len: usize) -> &mut [T] {
    v.resize(len, T::default());
    &mut v[..len]
}

/// The most first-pass sums a band of [`resample`] holds.
const BAND_BYTES: usize = 2 << 20;

/// Floats of a ring of source rows that stay in the second-level cache with room to spare.
const RING_FLOATS: usize = 64 << 10;

/// Output rows `y0..` (`rows`, whole rows) by the vertical pass, then the horizontal. The
/// vertical pass runs in strips of columns: for each strip, the source rows under the current
/// output row's taps are held as floats in a ring of `ys.taps` strip-wide rows, small enough
/// to stay in cache while the following output rows (which share most of their source rows)
/// read them again. Reading whole rows instead would stream every source row from memory once
/// per output row it contributes to.
fn vertical_then_horizontal(
    image: &Image,
    xs: &AxisWeights,
    ys: &AxisWeights,
    linear: bool,
    y0: usize,
    rows: &mut [u8],
    buf: &mut Buffers,
) {
    let ch = image.channels();
    let (w, flat, taps) = (image.width() as usize, image.stride(), ys.taps);
    let ow = xs.len();
    let n_rows = rows.len() / (ow * ch);
    let to_lin = srgb_to_linear_table();
    // Strips of whole pixels, a multiple of 64 wide where the ring allows.
    let strip = ((RING_FLOATS / taps / ch).max(64) / 64 * 64).min(w) * ch;
    let Buffers { ring, held, offsets, weights, sums, line, acc } = buf;
    let ring = sized(ring, taps * strip);
    let held = sized(held, taps);
    let sums = sized(sums, n_rows * flat);
    for x0 in (0..flat).step_by(strip) {
        let n = strip.min(flat - x0);
        held.fill(usize::MAX);
        for (i, out) in sums.chunks_exact_mut(flat).enumerate() {
            window(ys, y0 + i, strip, held, offsets, weights, |sy, at| {
                load_flat(&image.row(sy)[x0..x0 + n], ch, linear, to_lin, &mut ring[at..at + n]);
            });
            weighted_rows(ring, offsets, weights, &mut out[x0..x0 + n]);
        }
    }
    // The horizontal pass takes two rows at a time, their pixels interleaved (eight floats per
    // pixel: four lanes of each row, RGB widened with an unused fourth), so each tap is one
    // eight-lane multiply and add for both rows; the per-lane arithmetic is unchanged.
    let pair = sized(line, (w * 8).max(ow * 4));
    let acc = sized(acc, ow * 8);
    for (two, vsums) in rows.chunks_mut(2 * ow * ch).zip(sums.chunks(2 * flat)) {
        let (first, second) = vsums.split_at(flat.min(vsums.len()));
        // A last row alone is paired with itself.
        let second = if second.is_empty() { first } else { second };
        interleave(first, second, ch, pair);
        horizontal_two(pair, &xs.starts, &xs.weights, xs.taps, acc);
        for (half, row) in two.chunks_exact_mut(ow * ch).enumerate() {
            // The row's own four lanes, gathered back into `pair` (free again by now).
            let mine = &mut pair[..ow * 4];
            one_of_two(acc, half, mine);
            store_row(mine, ch, linear, row);
        }
    }
}

/// Output rows `y0..` (`rows`, whole rows) by the horizontal pass, then the vertical. Source
/// rows resampled along x are held in a ring of `ys.taps` rows (each is computed once per
/// band), four lanes per pixel.
fn horizontal_then_vertical(
    image: &Image,
    xs: &AxisWeights,
    ys: &AxisWeights,
    linear: bool,
    y0: usize,
    rows: &mut [u8],
    buf: &mut Buffers,
) {
    let ch = image.channels();
    let (ow, taps) = (xs.len(), ys.taps);
    let stride = ow * 4;
    let to_lin = srgb_to_linear_table();
    let Buffers { ring, held, offsets, weights, line, acc, .. } = buf;
    let ring = sized(ring, taps * stride);
    let held = sized(held, taps);
    held.fill(usize::MAX);
    let line = sized(line, image.width() as usize * 4);
    let acc = sized(acc, stride);
    for (i, row) in rows.chunks_exact_mut(ow * ch).enumerate() {
        window(ys, y0 + i, stride, held, offsets, weights, |sy, at| {
            load_row(image.row(sy), ch, linear, to_lin, line);
            horizontal(line, &xs.starts, &xs.weights, xs.taps, &mut ring[at..at + stride]);
        });
        weighted_rows(ring, offsets, weights, acc);
        store_row(acc, ch, linear, row);
    }
}

/// The ring offsets (`slot` floats per slot) and weights of output row `y`'s taps, in
/// `offsets` and `weights`; `fill(source_row, offset)` first computes any row its slot does not
/// hold yet (`held` says which row each slot holds).
fn window(
    ys: &AxisWeights,
    y: usize,
    slot: usize,
    held: &mut [usize],
    offsets: &mut Vec<usize>,
    weights: &mut Vec<f32>,
    mut fill: impl FnMut(usize, usize),
) {
    let (start, taps) = (ys.starts[y] as usize, ys.taps);
    offsets.clear();
    weights.clear();
    for (k, &wt) in ys.of(y).iter().enumerate() {
        // Adding a zero-weighted row adds zero: skipping it changes no sum.
        if wt == 0.0 {
            continue;
        }
        // The rows a window spans are consecutive, so their slots never collide.
        let sy = start + k;
        if held[sy % taps] != sy {
            fill(sy, sy % taps * slot);
            held[sy % taps] = sy;
        }
        offsets.push(sy % taps * slot);
        weights.push(wt);
    }
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

multiversion! {
    /// Two rows of `ch`-lane pixels as one row of eight floats per pixel: four lanes of `a`,
    /// then four of `b` (RGB gets an unused fourth lane).
    fn interleave(a: &[f32], b: &[f32], ch: usize, dst: &mut [f32]) {
        if ch == 4 {
            for ((d, x), y) in dst.chunks_exact_mut(8).zip(a.chunks_exact(4)).zip(b.chunks_exact(4)) {
                d.copy_from_slice(&[x[0], x[1], x[2], x[3], y[0], y[1], y[2], y[3]]);
            }
        } else {
            for ((d, x), y) in dst.chunks_exact_mut(8).zip(a.chunks_exact(3)).zip(b.chunks_exact(3)) {
                d.copy_from_slice(&[x[0], x[1], x[2], 1.0, y[0], y[1], y[2], 1.0]);
            }
        }
    }
}

multiversion! {
    /// Row `half` (0 or 1) of two interleaved rows, four lanes per pixel.
    fn one_of_two(pair: &[f32], half: usize, dst: &mut [f32]) {
        for (d, s) in dst.chunks_exact_mut(4).zip(pair.chunks_exact(8)) {
            d.copy_from_slice(&s[half * 4..half * 4 + 4]);
        }
    }
}

multiversion! {
    /// [`horizontal`] for two rows at once, their pixels interleaved: eight floats per pixel,
    /// in `rows` and in `dst`. Two outputs at a time, so their chains of additions overlap.
    fn horizontal_two(rows: &[f32], starts: &[u32], weights: &[f32], taps: usize, dst: &mut [f32]) {
        let n = starts.len();
        let src = |x: usize| &rows[starts[x] as usize * 8..][..taps * 8];
        let mut x = 0;
        while x + 2 <= n {
            let (s0, s1) = (src(x), src(x + 1));
            let (w0, w1) = (&weights[x * taps..][..taps], &weights[(x + 1) * taps..][..taps]);
            let (mut a0, mut a1) = ([0f32; 8], [0f32; 8]);
            for (((&u0, p0), &u1), p1) in w0.iter().zip(s0.chunks_exact(8)).zip(w1).zip(s1.chunks_exact(8)) {
                for c in 0..8 {
                    a0[c] += u0 * p0[c];
                    a1[c] += u1 * p1[c];
                }
            }
            dst[x * 8..][..8].copy_from_slice(&a0);
            dst[(x + 1) * 8..][..8].copy_from_slice(&a1);
            x += 2;
        }
        if x < n {
            let mut a = [0f32; 8];
            for (&u, p) in weights[x * taps..][..taps].iter().zip(src(x).chunks_exact(8)) {
                for c in 0..8 {
                    a[c] += u * p[c];
                }
            }
            dst[x * 8..][..8].copy_from_slice(&a);
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
