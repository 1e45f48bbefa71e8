//! `resize`: separable resampling with the weights of [`crate::derived::resample`], horizontal
//! pass then vertical, in f32. With `linear=true` the sRGB values are decoded to linear light
//! first and re-encoded after; alpha is premultiplied while resampling either way. `cover`
//! resamples only the window it keeps; `contain` pads the result onto a `bg` canvas.

use rayon::prelude::*;

use super::point::to_u8;
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
    let xs = axis_weights(w, plan.scaled.0, wx, ww, p.filter);
    let ys = axis_weights(h, plan.scaled.1, wy, wh, p.filter);
    let resampled =
        if p.filter == Filter::Nearest { sample_nearest(image, &xs, &ys) } else { resample(image, &xs, &ys, p.linear) };
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

/// Convolution resampling in f32, values scaled to 0..1.
fn resample(image: &Image, xs: &AxisWeights, ys: &AxisWeights, linear: bool) -> Image {
    let ch = image.channels();
    let alpha = image.has_alpha();
    let w = image.width() as usize;
    let (ow, oh) = (xs.len(), ys.len());
    let to_lin = srgb_to_linear_table();

    // Source rows the vertical pass will read.
    let first = ys.starts.first().copied().unwrap_or(0) as usize;
    let last = ys.starts.last().map_or(0, |&s| s as usize + ys.taps);
    let out_stride = ow * ch;

    // Horizontal pass: every needed source row to `ow` pixels.
    let mut horiz = vec![0f32; (last - first) * out_stride];
    horiz.par_chunks_mut(out_stride).enumerate().for_each_init(
        || vec![0f32; w * ch],
        |row, (i, dst)| {
            let src = image.row(first + i);
            for (d, s) in row.chunks_exact_mut(ch).zip(src.chunks_exact(ch)) {
                let a = if alpha { f32::from(s[3]) / 255.0 } else { 1.0 };
                for c in 0..3 {
                    let v = if linear { to_lin[s[c] as usize] } else { f32::from(s[c]) / 255.0 };
                    d[c] = v * a;
                }
                if alpha {
                    d[3] = a;
                }
            }
            for (x, o) in dst.chunks_exact_mut(ch).enumerate() {
                let start = xs.starts[x] as usize * ch;
                let mut acc = [0f32; 4];
                for (t, &wt) in xs.of(x).iter().enumerate() {
                    let px = &row[start + t * ch..start + (t + 1) * ch];
                    for c in 0..ch {
                        acc[c] += wt * px[c];
                    }
                }
                o.copy_from_slice(&acc[..ch]);
            }
        },
    );

    // Vertical pass, then back to 8 bits.
    let mut out = vec![0u8; oh * out_stride];
    out.par_chunks_mut(out_stride).enumerate().for_each_init(
        || vec![0f32; out_stride],
        |acc, (y, row)| {
            acc.fill(0.0);
            let start = ys.starts[y] as usize - first;
            for (t, &wt) in ys.of(y).iter().enumerate() {
                let src = &horiz[(start + t) * out_stride..][..out_stride];
                for (a, s) in acc.iter_mut().zip(src) {
                    *a += wt * s;
                }
            }
            for (o, v) in row.chunks_exact_mut(ch).zip(acc.chunks_exact(ch)) {
                let a = if alpha { v[3].clamp(0.0, 1.0) } else { 1.0 };
                let k = if a > 0.0 { 1.0 / a } else { 0.0 };
                for c in 0..3 {
                    let x = v[c] * k;
                    o[c] = if linear { encode_linear(x) } else { to_u8(x * 255.0) };
                }
                if alpha {
                    o[3] = to_u8(a * 255.0);
                }
            }
        },
    );
    Image::from_parts(ow as u32, oh as u32, ch, out)
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
