//! Recording the convolution filters. The separable ones (blur, sharpen, boxblur) run a
//! horizontal pass into band-sized scratch (the band's rows plus a halo of the radius above and
//! below) and a vertical pass into the output; the others read their neighbourhood directly.

use super::context::GpuError;
use super::params::{
    BlurParams, BoxblurParams, ConvolveParams, EdgesParams, EmbossParams, MedianParams, SharpenParams,
};
use super::record::{DeviceImage, Recorder, Resource, bands, frame, groups16, same_size};
use crate::derived::gaussian;
use crate::spec::{Blur, Boxblur, Convolve, Median, Sharpen};

/// Bytes per scratch pixel: four f32 or four u32.
const SCRATCH_PIXEL: u64 = 16;

/// The two entry points of a separable filter and their workgroup counts for a band of
/// (columns, rows).
struct Passes {
    h: &'static str,
    v: &'static str,
    h_groups: fn(u32, u32) -> [u32; 3],
    v_groups: fn(u32, u32) -> [u32; 3],
}

/// The two passes of a separable filter over bands: `h` fills scratch (rows + 2r rows), `v`
/// writes the output band. `params(frame)` gives each pass its parameters.
fn separable<P: bytemuck::Pod>(
    rec: &mut Recorder<'_>,
    passes: &Passes,
    input: &DeviceImage,
    radius: u32,
    weights: Option<&wgpu::Buffer>,
    params: impl Fn(super::params::Frame) -> P,
) -> Result<DeviceImage, GpuError> {
    let Passes { h, v, h_groups, v_groups } = *passes;
    let out = rec.new_image(input.width, input.height, input.alpha)?;
    let w = u64::from(input.width);
    let rows =
        rec.band_rows(input.height, |r| (u64::from(r + 2 * radius) * w * SCRATCH_PIXEL).max(u64::from(r) * w * 4))?;
    let scratch = rec.scratch(u64::from(rows.min(input.height) + 2 * radius) * w * SCRATCH_PIXEL)?;
    // The weights binding number differs: blur/sharpen bind weights at 3 and scratch at 4,
    // boxblur has no weights and binds scratch at 3.
    let scratch_binding = if weights.is_some() { 4 } else { 3 };
    for (y0, n) in bands(input.height, rows) {
        let (src, in_base) = rec.rows(input, y0.saturating_sub(radius), (y0 + n + radius).min(input.height));
        let (dst, out_base) = rec.rows(&out, y0, y0 + n);
        let p = params(frame(input, &out, y0, n, in_base, out_base));
        let mut resources = vec![(1, src), (2, dst), (scratch_binding, Resource::Whole(&scratch))];
        if let Some(wb) = weights {
            resources.push((3, Resource::Whole(wb)));
        }
        rec.dispatch(h, &p, &resources, h_groups(input.width, n + 2 * radius))?;
        rec.dispatch(v, &p, &resources, v_groups(input.width, n))?;
    }
    rec.retire(scratch);
    Ok(out)
}

pub(crate) fn blur(rec: &mut Recorder<'_>, input: DeviceImage, p: &Blur) -> Result<DeviceImage, GpuError> {
    let kernel = gaussian::kernel(p.sigma);
    let radius = (kernel.len() / 2) as u32;
    let weights = rec.table(&kernel);
    let out = separable(
        rec,
        &Passes { h: "blur_h", v: "blur_v", h_groups: groups16, v_groups: groups16 },
        &input,
        radius,
        Some(&weights),
        |frame| BlurParams { frame, radius, ..Default::default() },
    )?;
    rec.retire(input.buffer);
    Ok(out)
}

pub(crate) fn sharpen(rec: &mut Recorder<'_>, input: DeviceImage, p: &Sharpen) -> Result<DeviceImage, GpuError> {
    let kernel = gaussian::kernel(p.sigma);
    let radius = (kernel.len() / 2) as u32;
    let weights = rec.table(&kernel);
    let (amount, threshold) = (p.amount, f32::from(p.threshold));
    let out = separable(
        rec,
        &Passes { h: "sharpen_h", v: "sharpen_v", h_groups: groups16, v_groups: groups16 },
        &input,
        radius,
        Some(&weights),
        |frame| SharpenParams { frame, radius, amount, threshold, _pad0: 0 },
    )?;
    rec.retire(input.buffer);
    Ok(out)
}

/// Pixels each boxblur invocation slides over (CHUNK in shaders/boxblur.wgsl).
const BOX_CHUNK: u32 = 32;

pub(crate) fn boxblur(rec: &mut Recorder<'_>, input: DeviceImage, p: &Boxblur) -> Result<DeviceImage, GpuError> {
    let radius = p.radius;
    let out = separable(
        rec,
        // Workgroups of 64 x 4 invocations; each invocation covers CHUNK pixels along x (h) or
        // along y (v).
        &Passes {
            h: "boxblur_h",
            v: "boxblur_v",
            h_groups: |cols, rows| [cols.div_ceil(BOX_CHUNK).div_ceil(64), rows.div_ceil(4), 1],
            v_groups: |cols, rows| [cols.div_ceil(64), rows.div_ceil(BOX_CHUNK).div_ceil(4), 1],
        },
        &input,
        radius,
        None,
        |frame| BoxblurParams { frame, radius, ..Default::default() },
    )?;
    rec.retire(input.buffer);
    Ok(out)
}

pub(crate) fn edges(rec: &mut Recorder<'_>, input: DeviceImage) -> Result<DeviceImage, GpuError> {
    let out = same_size(rec, "edges", &input, 1, &[], |frame| EdgesParams { frame })?;
    rec.retire(input.buffer);
    Ok(out)
}

pub(crate) fn convolve(rec: &mut Recorder<'_>, input: DeviceImage, p: &Convolve) -> Result<DeviceImage, GpuError> {
    let weights = rec.table(&p.weights);
    let (size, divisor, bias) = (p.size, p.effective_divisor(), p.bias);
    let out = same_size(rec, "convolve", &input, size / 2, &[(3, Resource::Whole(&weights))], |frame| {
        ConvolveParams { frame, size, divisor, bias, _pad0: 0 }
    })?;
    rec.retire(input.buffer);
    Ok(out)
}

pub(crate) fn emboss(rec: &mut Recorder<'_>, input: DeviceImage) -> Result<DeviceImage, GpuError> {
    let k = Convolve::emboss();
    let weights = rec.table(&k.weights);
    let (size, divisor, bias) = (k.size, k.effective_divisor(), k.bias);
    let out = same_size(rec, "emboss", &input, size / 2, &[(3, Resource::Whole(&weights))], |frame| EmbossParams {
        frame,
        size,
        divisor,
        bias,
        _pad0: 0,
    })?;
    rec.retire(input.buffer);
    Ok(out)
}

/// Pixels each median invocation slides over (CHUNK in shaders/median.wgsl).
const MEDIAN_CHUNK: u32 = 16;

pub(crate) fn median(rec: &mut Recorder<'_>, input: DeviceImage, p: &Median) -> Result<DeviceImage, GpuError> {
    let radius = p.radius;
    let out = rec.new_image(input.width, input.height, input.alpha)?;
    let row = u64::from(input.width) * 4;
    let rows = rec.band_rows(input.height, |r| u64::from(r + 2 * radius) * row)?;
    for (y0, n) in bands(input.height, rows) {
        let (src, in_base) = rec.rows(&input, y0.saturating_sub(radius), (y0 + n + radius).min(input.height));
        let (dst, out_base) = rec.rows(&out, y0, y0 + n);
        let params =
            MedianParams { frame: frame(&input, &out, y0, n, in_base, out_base), radius, ..Default::default() };
        rec.dispatch("median", &params, &[(1, src), (2, dst)], groups16(input.width.div_ceil(MEDIAN_CHUNK), n))?;
    }
    rec.retire(input.buffer);
    Ok(out)
}
