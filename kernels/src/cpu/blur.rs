//! `blur:SIGMA`: separable Gaussian blur, borders replicated. Images with alpha are blurred
//! premultiplied, so transparent pixels lend no colour to their neighbours.
//!
//! The image is worked through in bands of rows (in parallel) and, within a band, in tiles of
//! columns narrow enough that a tile's working set stays in the core's first-level cache.
//! Every source row of a tile is filtered along x once, into a ring of the most recent filtered
//! rows; each output row is the weighted sum of the ring's rows. Both passes keep their sums in
//! registers over a run of columns (rather than streaming a row through memory once per tap)
//! and add the two taps of each symmetric pair before weighting them, which halves the
//! multiplies; without alpha the horizontal pass reads the bytes themselves, the pair added as
//! integers. Results are written over the source, which each band and tile has read (or set
//! aside) by then, so the op allocates no second frame.
//!
//! The arithmetic is the shader's up to the order of the additions (f32, the same weights,
//! horizontal pass first); results therefore agree with it to within the rounding of the last
//! step, and do not depend on how the image is split into bands and tiles.

use super::point::to_u8;
use super::simd::multiversion;
use super::strip::{band_rows, for_bands};
use crate::derived::gaussian;
use crate::image::Image;
use crate::spec::Blur;

/// Applies `blur`.
pub fn blur(image: Image, p: &Blur) -> Image {
    let kernel = gaussian::kernel(p.sigma);
    let premultiply = image.has_alpha();
    gaussian_bands(image, &kernel, premultiply, |blurred, out| {
        if premultiply {
            store_unpremultiplied(blurred, out);
        } else {
            store_u8(blurred, out);
        }
    })
}

multiversion! {
    /// Premultiplied RGBA sums back to straight 8-bit RGBA.
    fn store_unpremultiplied(src: &[f32], out: &mut [u8]) {
        for (o, b) in out.chunks_exact_mut(4).zip(src.chunks_exact(4)) {
            let a = b[3];
            let k = if a > 0.0 { 255.0 / a } else { 0.0 };
            for c in 0..3 {
                o[c] = to_u8(b[c] * k);
            }
            o[3] = to_u8(a);
        }
    }
}

multiversion! {
    /// Rounds a row of sums to 8 bits.
    fn store_u8(src: &[f32], out: &mut [u8]) {
        for (o, s) in out.iter_mut().zip(src) {
            *o = to_u8(*s);
        }
    }
}

/// Convolves every channel of `image` with `kernel` horizontally then vertically; for each
/// output row, `finish(blurred, row)` turns the sums into the result, `row` holding the source
/// pixels on entry and the result on return. With `premultiply`, colour is multiplied by
/// alpha/255 first, and `finish` gets premultiplied sums. The rows `finish` sees may be
/// segments of the image's rows (whole pixels), the two slices always matching.
pub(crate) fn gaussian_bands(
    mut image: Image,
    kernel: &[f32],
    premultiply: bool,
    finish: impl Fn(&[f32], &mut [u8]) + Sync + Send,
) -> Image {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let ch = image.channels();
    let taps = kernel.len();
    let r = taps / 2;
    let stride = w * ch;
    let band = band_rows(h, r);
    let tile = tile_pixels(taps, ch).max(r).min(w);
    // The rows each band reads beyond its own (`r` above, `r` below, edge rows repeated),
    // copied before any band overwrites them.
    let halos: Vec<(Vec<u8>, Vec<u8>)> = (0..h.div_ceil(band))
        .map(|b| {
            let (y0, y1) = (b * band, ((b + 1) * band).min(h));
            let copy = |ys: std::ops::Range<isize>| -> Vec<u8> {
                let mut rows = Vec::with_capacity(ys.len() * stride);
                for y in ys {
                    rows.extend_from_slice(image.row(y.clamp(0, h as isize - 1) as usize));
                }
                rows
            };
            (copy(y0 as isize - r as isize..y0 as isize), copy(y1 as isize..(y1 + r) as isize))
        })
        .collect();
    for_bands(image.data_mut(), stride, band, |y0, y1, rows| {
        let (above, below) = &halos[y0 / band];
        let (top, bottom) = (y0 as isize - r as isize, (y1 + r) as isize);
        // One tile of a source row, padded by `r` pixels each side: as bytes, or as
        // premultiplied floats with `premultiply`.
        let padded_len = (tile + 2 * r) * ch;
        let mut padded8 = vec![0u8; if premultiply { 0 } else { padded_len }];
        let mut padded_buf = AlignedBuf::new(if premultiply { padded_len } else { 0 });
        let padded32 = padded_buf.slice();
        // The `r` pixels left of the current tile, per source row `top..bottom`, in the same
        // form: the previous tile has overwritten them in the image by the time they are needed.
        let left_len = (bottom - top) as usize * r * ch;
        let mut left8 = vec![0u8; if premultiply { 0 } else { left_len }];
        let mut left32 = vec![0f32; if premultiply { left_len } else { 0 }];
        // Slot `y mod slots` holds the tile of source row `y` filtered along x.
        let mut ring_buf = AlignedBuf::new(taps * tile * ch);
        let ring = ring_buf.slice();
        let mut order = vec![0usize; taps];
        let mut blurred_buf = AlignedBuf::new(tile * ch);
        let blurred = blurred_buf.slice();
        let slot_of = |y: isize| (y - top) as usize % taps;
        for x0 in (0..w).step_by(tile) {
            let x1 = (x0 + tile).min(w);
            let n = (x1 - x0) * ch;
            let ring = &mut ring[..taps * n];
            let mut filter_row = |y: isize, rows: &[u8], ring: &mut [f32]| {
                let src = if y < y0 as isize {
                    &above[(y - top) as usize * stride..][..stride]
                } else if y >= y1 as isize {
                    &below[(y - y1 as isize) as usize * stride..][..stride]
                } else {
                    &rows[(y as usize - y0) * stride..][..stride]
                };
                let at = (y - top) as usize * r * ch;
                let slot = slot_of(y);
                let dst = &mut ring[slot * n..(slot + 1) * n];
                if premultiply {
                    let padded = &mut padded32[..n + 2 * r * ch];
                    let left = &mut left32[at..at + r * ch];
                    pad_row(src, ch, x0, x1, r, left, padded, premultiplied);
                    left.copy_from_slice(&padded[n..n + r * ch]);
                    horizontal(padded, kernel, ch, dst);
                } else {
                    let padded = &mut padded8[..n + 2 * r * ch];
                    let left = &mut left8[at..at + r * ch];
                    pad_row(src, ch, x0, x1, r, left, padded, <[u8]>::copy_from_slice);
                    left.copy_from_slice(&padded[n..n + r * ch]);
                    horizontal_u8(padded, kernel, ch, dst);
                }
            };
            for y in top..top + 2 * r as isize {
                filter_row(y, rows, ring);
            }
            for y in y0..y1 {
                let first = y as isize - r as isize;
                filter_row(first + 2 * r as isize, rows, ring);
                let base = slot_of(first);
                for (k, s) in order.iter_mut().enumerate() {
                    *s = if base + k < taps { base + k } else { base + k - taps };
                }
                vertical(ring, &order, n, kernel, &mut blurred[..n]);
                let at = (y - y0) * stride + x0 * ch;
                finish(&blurred[..n], &mut rows[at..at + n]);
            }
        }
    });
    image
}

/// A zeroed float buffer whose usable part starts on a cache line, so that the vector loads
/// of rows whose length is a multiple of 16 floats never straddle two lines.
struct AlignedBuf(Vec<f32>, usize);

impl AlignedBuf {
    fn new(len: usize) -> Self {
        let v = vec![0f32; len + 16];
        let skip = (64 - v.as_ptr() as usize % 64) % 64 / 4;
        AlignedBuf(v, skip)
    }

    fn slice(&mut self) -> &mut [f32] {
        let n = self.0.len() - 16;
        &mut self.0[self.1..self.1 + n]
    }
}

/// Width in pixels of the column tiles the two passes work through: narrow enough that the
/// ring of filtered rows stays in the first-level cache for small kernels (and in the second
/// level for large ones), wide enough that a tile's padding is a small part of its work.
fn tile_pixels(taps: usize, ch: usize) -> usize {
    const RING_BYTES: usize = 24 << 10;
    // A multiple of `RUN` pixels, so each tile's rows are whole runs.
    (RING_BYTES / (taps * ch * 4)).max(RUN) / RUN * RUN
}

/// Pixels `x0 - r .. x1 + r` of the row `src` in `dst`, converted by `convert`, edge pixels
/// repeated past the row's ends. Unless `x0` is 0, the first `r` pixels come from `left`
/// instead of `src`.
#[allow(clippy::too_many_arguments, reason = "one row segment and where it goes")]
fn pad_row<T: Copy>(
    src: &[u8],
    ch: usize,
    x0: usize,
    x1: usize,
    r: usize,
    left: &[T],
    dst: &mut [T],
    convert: impl Fn(&mut [T], &[u8]),
) {
    let w = src.len() / ch;
    let hi = (x1 + r).min(w);
    // `dst` pixel `j` is source pixel `x0 - r + j`.
    let j_hi = hi + r - x0;
    convert(&mut dst[r * ch..j_hi * ch], &src[x0 * ch..hi * ch]);
    if x0 > 0 {
        dst[..r * ch].copy_from_slice(left);
    } else {
        for j in 0..r {
            for c in 0..ch {
                dst[j * ch + c] = dst[r * ch + c];
            }
        }
    }
    let n = dst.len() / ch;
    for j in j_hi..n {
        for c in 0..ch {
            dst[j * ch + c] = dst[(j_hi - 1) * ch + c];
        }
    }
}

multiversion! {
    /// RGBA pixels as floats, colour premultiplied by alpha/255.
    fn premultiplied(dst: &mut [f32], src: &[u8]) {
        for (d, s) in dst.chunks_exact_mut(4).zip(src.chunks_exact(4)) {
            let a = f32::from(s[3]) / 255.0;
            for c in 0..3 {
                d[c] = f32::from(s[c]) * a;
            }
            d[3] = f32::from(s[3]);
        }
    }
}

/// Columns summed together in registers by the two passes: eight AVX vectors, enough independent sums to hide the latency of the multiply-adds.
const RUN: usize = 64;

multiversion! {
    /// `out[i] = sum over k of kernel[k] * padded[i + k * ch]`: one padded row filtered along x,
    /// each symmetric pair of taps added before it is weighted, outermost pair first.
    fn horizontal(padded: &[f32], kernel: &[f32], ch: usize, out: &mut [f32]) {
        /// Outputs `i .. i + N`, summed in registers.
        #[inline(always)]
        fn run<const N: usize>(padded: &[f32], kernel: &[f32], ch: usize, i: usize, out: &mut [f32]) {
            let r = kernel.len() / 2;
            let mut acc = [0f32; N];
            for (k, &wk) in kernel[..r].iter().enumerate() {
                let (a, b) = (&padded[i + k * ch..][..N], &padded[i + (2 * r - k) * ch..][..N]);
                for l in 0..N {
                    acc[l] = madd(wk, a[l] + b[l], acc[l]);
                }
            }
            let c = &padded[i + r * ch..][..N];
            for l in 0..N {
                acc[l] = madd(kernel[r], c[l], acc[l]);
            }
            out[i..i + N].copy_from_slice(&acc);
        }
        let n = out.len();
        let mut i = 0;
        while i + RUN <= n {
            run::<RUN>(padded, kernel, ch, i, out);
            i += RUN;
        }
        while i + 8 <= n {
            run::<8>(padded, kernel, ch, i, out);
            i += 8;
        }
        while i < n {
            run::<1>(padded, kernel, ch, i, out);
            i += 1;
        }
    }
}

multiversion! {
    /// [`horizontal`] reading bytes: each symmetric pair of taps is added as integers (exact,
    /// so the sums are those of the float version) and converted once, and the row needs no
    /// float copy.
    fn horizontal_u8(padded: &[u8], kernel: &[f32], ch: usize, out: &mut [f32]) {
        /// Outputs `i .. i + N`, summed in registers.
        #[inline(always)]
        fn run<const N: usize>(padded: &[u8], kernel: &[f32], ch: usize, i: usize, out: &mut [f32]) {
            let r = kernel.len() / 2;
            let mut acc = [0f32; N];
            for (k, &wk) in kernel[..r].iter().enumerate() {
                let (a, b) = (&padded[i + k * ch..][..N], &padded[i + (2 * r - k) * ch..][..N]);
                for l in 0..N {
                    let pair = i32::from(a[l]) + i32::from(b[l]);
                    acc[l] = madd(wk, pair as f32, acc[l]);
                }
            }
            let c = &padded[i + r * ch..][..N];
            for l in 0..N {
                acc[l] = madd(kernel[r], f32::from(c[l]), acc[l]);
            }
            out[i..i + N].copy_from_slice(&acc);
        }
        let n = out.len();
        let mut i = 0;
        while i + RUN <= n {
            run::<RUN>(padded, kernel, ch, i, out);
            i += RUN;
        }
        while i + 8 <= n {
            run::<8>(padded, kernel, ch, i, out);
            i += 8;
        }
        while i < n {
            run::<1>(padded, kernel, ch, i, out);
            i += 1;
        }
    }
}

multiversion! {
    /// `out[i] = sum over k of kernel[k] * row(order[k])[i]`, rows `stride` long in `ring`,
    /// each symmetric pair of rows added before it is weighted, outermost pair first.
    fn vertical(ring: &[f32], order: &[usize], stride: usize, kernel: &[f32], out: &mut [f32]) {
        /// Outputs `i .. i + N`, summed in registers.
        #[inline(always)]
        fn run<const N: usize>(ring: &[f32], order: &[usize], stride: usize, kernel: &[f32], i: usize, out: &mut [f32]) {
            let r = kernel.len() / 2;
            let row = |m: usize| &ring[order[m] * stride + i..][..N];
            let mut acc = [0f32; N];
            for (k, &wk) in kernel[..r].iter().enumerate() {
                let (a, b) = (row(k), row(2 * r - k));
                for l in 0..N {
                    acc[l] = madd(wk, a[l] + b[l], acc[l]);
                }
            }
            let c = row(r);
            for l in 0..N {
                acc[l] = madd(kernel[r], c[l], acc[l]);
            }
            out[i..i + N].copy_from_slice(&acc);
        }
        let n = out.len();
        let mut i = 0;
        while i + RUN <= n {
            run::<RUN>(ring, order, stride, kernel, i, out);
            i += RUN;
        }
        while i + 8 <= n {
            run::<8>(ring, order, stride, kernel, i, out);
            i += 8;
        }
        while i < n {
            run::<1>(ring, order, stride, kernel, i, out);
            i += 1;
        }
    }
}
