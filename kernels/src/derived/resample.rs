//! `resize` planning: the output geometry each fit mode implies, and the per-axis resampling
//! weights (Pillow's convolution scheme: the filter is widened by the scale factor when
//! shrinking, so every source pixel contributes).

use crate::spec::{Filter, Fit, Resize};

/// What a `resize` does to an image of a given size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResizePlan {
    /// Size the whole image is resampled to.
    pub scaled: (u32, u32),
    /// Window of the scaled image that is kept (`cover`): offset (x, y) and size (w, h).
    pub window: (u32, u32, u32, u32),
    /// Final canvas size (`contain` pads the window to it).
    pub canvas: (u32, u32),
    /// Where the window sits on the canvas.
    pub placement: (u32, u32),
}

impl ResizePlan {
    /// True when the op leaves the image as it is.
    pub fn is_identity(&self, width: u32, height: u32) -> bool {
        self.scaled == (width, height) && self.canvas == (width, height) && self.window == (0, 0, width, height)
    }
}

/// `round(a * b / c)`, at least 1, computed exactly in integers.
fn scale_side(a: u32, b: u32, c: u32) -> u32 {
    let (a, b, c) = (u64::from(a), u64::from(b), u64::from(c));
    (((2 * a * b + c) / (2 * c)) as u32).max(1)
}

/// The geometry of `r` applied to a `w` x `h` image.
pub fn plan(r: &Resize, w: u32, h: u32) -> ResizePlan {
    let scaled = match (r.width, r.height) {
        (Some(bw), None) => (bw, scale_side(h, bw, w)),
        (None, Some(bh)) => (scale_side(w, bh, h), bh),
        (Some(bw), Some(bh)) => {
            // Compare bw/w with bh/h without rounding: bw * h against bh * w.
            let width_limited = u64::from(bw) * u64::from(h) <= u64::from(bh) * u64::from(w);
            match r.fit {
                Fit::Fill => (bw, bh),
                Fit::Inside | Fit::Contain => {
                    if width_limited {
                        (bw, scale_side(h, bw, w).min(bh))
                    } else {
                        (scale_side(w, bh, h).min(bw), bh)
                    }
                }
                Fit::Cover | Fit::Outside => {
                    if width_limited {
                        (scale_side(w, bh, h).max(bw), bh)
                    } else {
                        (bw, scale_side(h, bw, w).max(bh))
                    }
                }
            }
        }
        (None, None) => (w, h),
    };
    // Without `enlarge`, an image is never made bigger than it is: a mode that would upscale
    // keeps the original size (`fill` limits each side on its own).
    let scaled = if r.enlarge {
        scaled
    } else if r.fit == Fit::Fill && r.width.is_some() && r.height.is_some() {
        (scaled.0.min(w), scaled.1.min(h))
    } else if scaled.0 > w || scaled.1 > h {
        (w, h)
    } else {
        scaled
    };

    let full = (0, 0, scaled.0, scaled.1);
    match (r.fit, r.width, r.height) {
        (Fit::Cover, Some(bw), Some(bh)) => {
            let kept = (bw.min(scaled.0), bh.min(scaled.1));
            let (x, y) = r.gravity.offset(scaled, kept);
            ResizePlan { scaled, window: (x, y, kept.0, kept.1), canvas: kept, placement: (0, 0) }
        }
        (Fit::Contain, Some(bw), Some(bh)) => {
            let canvas = (bw.max(scaled.0), bh.max(scaled.1));
            let placement = r.gravity.offset(canvas, scaled);
            ResizePlan { scaled, window: full, canvas, placement }
        }
        _ => ResizePlan { scaled, window: full, canvas: scaled, placement: (0, 0) },
    }
}

/// Resampling weights along one axis: output pixel `i` is the weighted sum of source pixels
/// `starts[i] .. starts[i] + taps`, with weights `weights[i * taps ..][..taps]` (unused taps
/// are zero, and never reach past the source).
#[derive(Debug, Clone, PartialEq)]
pub struct AxisWeights {
    /// Taps per output pixel (the same for all, padded with zero weights).
    pub taps: usize,
    /// First source pixel of each output pixel.
    pub starts: Vec<u32>,
    /// `starts.len() * taps` weights, each output's summing to 1.
    pub weights: Vec<f32>,
}

impl AxisWeights {
    /// Number of output pixels.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// True when there are no output pixels.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// The weights of output pixel `i`.
    pub fn of(&self, i: usize) -> &[f32] {
        &self.weights[i * self.taps..(i + 1) * self.taps]
    }
}

/// Whether resampling with these weights runs its vertical pass first: the order that costs
/// less, counting a multiply-add of the horizontal pass (pixel by pixel, four lanes at a time)
/// twice one of the vertical pass (whole rows at a time, as wide as the vector unit). Shrinking,
/// that is vertical first: the pass over the many source pixels then runs down whole rows, and
/// the per-pixel horizontal pass only sees the few output rows. Both backends take the order
/// from here, so they sum in the same order.
pub fn vertical_first(in_width: u32, xs: &AxisWeights, ys: &AxisWeights) -> bool {
    let (w, ow, oh) = (in_width as usize, xs.len(), ys.len());
    let rows = match (ys.starts.first(), ys.starts.last()) {
        (Some(&a), Some(&b)) => (b - a) as usize + ys.taps,
        _ => 0,
    };
    oh * w * ys.taps + 2 * oh * ow * xs.taps < 2 * rows * ow * xs.taps + oh * ow * ys.taps
}

/// The filter's support (half-width) at scale 1.
fn support(filter: Filter) -> f64 {
    match filter {
        Filter::Nearest => 0.5,
        Filter::Bilinear => 1.0,
        Filter::Bicubic | Filter::Mitchell => 2.0,
        Filter::Lanczos3 => 3.0,
    }
}

fn kernel(filter: Filter, x: f64) -> f64 {
    let x = x.abs();
    match filter {
        Filter::Nearest => f64::from(u8::from(x < 0.5)),
        Filter::Bilinear => (1.0 - x).max(0.0),
        Filter::Bicubic => {
            // Catmull-Rom: Keys' cubic with a = -0.5.
            const A: f64 = -0.5;
            if x < 1.0 {
                ((A + 2.0) * x - (A + 3.0)) * x * x + 1.0
            } else if x < 2.0 {
                (((x - 5.0) * x + 8.0) * x - 4.0) * A
            } else {
                0.0
            }
        }
        Filter::Mitchell => {
            const B: f64 = 1.0 / 3.0;
            const C: f64 = 1.0 / 3.0;
            if x < 1.0 {
                ((12.0 - 9.0 * B - 6.0 * C) * x * x * x + (-18.0 + 12.0 * B + 6.0 * C) * x * x + (6.0 - 2.0 * B)) / 6.0
            } else if x < 2.0 {
                ((-B - 6.0 * C) * x * x * x
                    + (6.0 * B + 30.0 * C) * x * x
                    + (-12.0 * B - 48.0 * C) * x
                    + (8.0 * B + 24.0 * C))
                    / 6.0
            } else {
                0.0
            }
        }
        Filter::Lanczos3 => {
            if x < 3.0 {
                sinc(x) * sinc(x / 3.0)
            } else {
                0.0
            }
        }
    }
}

fn sinc(x: f64) -> f64 {
    if x == 0.0 {
        1.0
    } else {
        let px = std::f64::consts::PI * x;
        px.sin() / px
    }
}

/// Weights to resample `in_len` source pixels to `scaled_len`, for the output pixels
/// `offset .. offset + out_len` of the scaled axis.
pub fn axis_weights(in_len: u32, scaled_len: u32, offset: u32, out_len: u32, filter: Filter) -> AxisWeights {
    let scale = f64::from(in_len) / f64::from(scaled_len);
    if filter == Filter::Nearest {
        // The source pixel under the output pixel's centre. The centre is advanced by adding
        // the scale, as Pillow does: where a centre falls exactly on a pixel boundary, both
        // then pick the same side.
        let mut center = 0.5 * scale;
        let mut starts = Vec::with_capacity(out_len as usize);
        for x in 0..offset + out_len {
            if x >= offset {
                starts.push((center.max(0.0) as u32).min(in_len - 1));
            }
            center += scale;
        }
        let weights = vec![1.0; starts.len()];
        return AxisWeights { taps: 1, starts, weights };
    }
    let filter_scale = scale.max(1.0);
    let reach = support(filter) * filter_scale;
    let taps = (reach.ceil() as usize * 2 + 1).min(in_len as usize);
    let mut starts = Vec::with_capacity(out_len as usize);
    let mut weights = vec![0.0f32; out_len as usize * taps];
    let mut row = Vec::with_capacity(taps + 1);
    for (i, x) in (offset..offset + out_len).enumerate() {
        let center = (f64::from(x) + 0.5) * scale;
        let lo = ((center - reach + 0.5).floor().max(0.0) as u32).min(in_len - 1);
        let hi = ((center + reach + 0.5).floor().max(0.0) as u32).clamp(lo + 1, in_len);
        row.clear();
        row.extend((lo..hi).map(|s| kernel(filter, (f64::from(s) - center + 0.5) / filter_scale)));
        let sum: f64 = row.iter().sum();
        // Keep the run within `taps` and inside the source.
        let n = row.len().min(taps);
        let start = lo.min(in_len - taps as u32);
        let shift = (lo - start) as usize;
        let dst = &mut weights[i * taps..(i + 1) * taps];
        for (j, w) in row.iter().take(n).enumerate() {
            if let Some(slot) = dst.get_mut(shift + j) {
                *slot = if sum != 0.0 { (w / sum) as f32 } else { 0.0 };
            }
        }
        if sum == 0.0 {
            // Degenerate (cannot happen for these filters): take the nearest pixel.
            dst[((center as u32).min(in_len - 1) - start) as usize] = 1.0;
        }
        starts.push(start);
    }
    AxisWeights { taps, starts, weights }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Gravity, Resize};

    fn r(w: Option<u32>, h: Option<u32>, fit: Fit, enlarge: bool) -> Resize {
        let mut r = Resize::new(w, h);
        r.fit = fit;
        r.enlarge = enlarge;
        r
    }

    #[test]
    fn fit_modes_give_the_contract_sizes() {
        // Landscape 4000x3000 into 800x800.
        let p = plan(&r(Some(800), Some(800), Fit::Inside, false), 4000, 3000);
        assert_eq!(p.canvas, (800, 600));
        let p = plan(&r(Some(800), Some(800), Fit::Contain, false), 4000, 3000);
        assert_eq!((p.scaled, p.canvas, p.placement), ((800, 600), (800, 800), (0, 100)));
        let p = plan(&r(Some(800), Some(800), Fit::Cover, false), 4000, 3000);
        assert_eq!((p.scaled, p.canvas, p.window), ((1067, 800), (800, 800), (133, 0, 800, 800)));
        let p = plan(&r(Some(800), Some(800), Fit::Fill, false), 4000, 3000);
        assert_eq!(p.canvas, (800, 800));
        let p = plan(&r(Some(800), Some(800), Fit::Outside, false), 4000, 3000);
        assert_eq!(p.canvas, (1067, 800));
        let p = plan(&r(Some(800), None, Fit::Inside, false), 4000, 3000);
        assert_eq!(p.canvas, (800, 600));
        let p = plan(&r(None, Some(600), Fit::Cover, false), 4000, 3000);
        assert_eq!(p.canvas, (800, 600));
    }

    #[test]
    fn no_enlarge_keeps_small_images() {
        let p = plan(&r(Some(800), None, Fit::Inside, false), 400, 300);
        assert_eq!(p.canvas, (400, 300));
        let p = plan(&r(Some(800), None, Fit::Inside, true), 400, 300);
        assert_eq!(p.canvas, (800, 600));
        let p = plan(&r(Some(800), Some(800), Fit::Contain, false), 400, 300);
        assert_eq!((p.scaled, p.canvas), ((400, 300), (800, 800)));
        let p = plan(&r(Some(800), Some(200), Fit::Cover, false), 400, 300);
        assert_eq!(p.canvas, (400, 200));
        let p = plan(&r(Some(800), Some(200), Fit::Fill, false), 400, 300);
        assert_eq!(p.canvas, (400, 200));
    }

    #[test]
    fn gravity_moves_the_window() {
        let mut rs = r(Some(100), Some(100), Fit::Cover, false);
        rs.gravity = Gravity::East;
        assert_eq!(plan(&rs, 400, 200).window, (100, 0, 100, 100));
        rs.gravity = Gravity::West;
        assert_eq!(plan(&rs, 400, 200).window, (0, 0, 100, 100));
    }

    #[test]
    fn weights_sum_to_one_and_stay_inside() {
        for filter in [Filter::Lanczos3, Filter::Mitchell, Filter::Bicubic, Filter::Bilinear, Filter::Nearest] {
            for (src, dst) in [(1000, 100), (100, 1000), (7, 3), (3, 7), (1, 5), (5, 1), (640, 639)] {
                let w = axis_weights(src, dst, 0, dst, filter);
                assert_eq!(w.len(), dst as usize);
                for i in 0..w.len() {
                    let sum: f32 = w.of(i).iter().sum();
                    assert!((sum - 1.0).abs() < 1e-4, "{filter:?} {src}->{dst} #{i}: {sum}");
                    assert!(w.starts[i] as usize + w.taps <= src as usize);
                }
            }
        }
    }
}
