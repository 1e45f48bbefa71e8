//! Recording the tone ops: tables (the fused per-channel ops), the per-pixel colour ops, and the
//! histogram ops whose reductions stay on the device (histogram, then the map, then the apply,
//! in one submission with no read-back in between).

use super::context::GpuError;
use super::params::{
    ClaheParams, EqualizeParams, Frame, GrayscaleParams, HueParams, LevelsParams, LutParams, SaturationParams,
    SepiaParams,
};
use super::record::{DeviceImage, Recorder, Resource, bands, frame, groups16, same_size};
use crate::derived::histogram::clahe_clip_limit;
use crate::derived::tone::ChannelLuts;
use crate::spec::{Clahe, Hue, Saturation};

/// Applies three channel tables (computed on the host).
pub(crate) fn lut(rec: &mut Recorder<'_>, input: DeviceImage, luts: &ChannelLuts) -> Result<DeviceImage, GpuError> {
    let table: Vec<u32> = luts.0.iter().flatten().map(|&v| u32::from(v)).collect();
    let table = rec.table(&table);
    let out = same_size(rec, "lut", &input, 0, &[(3, Resource::Whole(&table))], |frame| LutParams { frame })?;
    rec.retire(input.buffer);
    Ok(out)
}

pub(crate) fn saturation(rec: &mut Recorder<'_>, input: DeviceImage, p: &Saturation) -> Result<DeviceImage, GpuError> {
    let out = same_size(rec, "saturation", &input, 0, &[], |frame| SaturationParams {
        frame,
        factor: p.factor,
        ..Default::default()
    })?;
    rec.retire(input.buffer);
    Ok(out)
}

pub(crate) fn grayscale(rec: &mut Recorder<'_>, input: DeviceImage) -> Result<DeviceImage, GpuError> {
    let out = same_size(rec, "grayscale", &input, 0, &[], |frame| GrayscaleParams { frame })?;
    rec.retire(input.buffer);
    Ok(out)
}

pub(crate) fn sepia(rec: &mut Recorder<'_>, input: DeviceImage) -> Result<DeviceImage, GpuError> {
    let out = same_size(rec, "sepia", &input, 0, &[], |frame| SepiaParams { frame })?;
    rec.retire(input.buffer);
    Ok(out)
}

pub(crate) fn hue(rec: &mut Recorder<'_>, input: DeviceImage, p: &Hue) -> Result<DeviceImage, GpuError> {
    // The same shift the CPU computes (cpu/hue.rs), computed once here.
    let shift = (p.degrees / 60.0).rem_euclid(6.0);
    let out = same_size(rec, "hue", &input, 0, &[], |frame| HueParams { frame, shift, ..Default::default() })?;
    rec.retire(input.buffer);
    Ok(out)
}

/// Accumulates the luma histogram of `input` into `hist` (256 u32, zeroed) with `entry`.
fn luma_histogram<P: bytemuck::Pod>(
    rec: &mut Recorder<'_>,
    entry: &str,
    input: &DeviceImage,
    hist: &wgpu::Buffer,
    params: impl Fn(Frame) -> P,
) -> Result<(), GpuError> {
    let row = u64::from(input.width) * 4;
    let rows = rec.band_rows(input.height, |r| u64::from(r) * row)?;
    for (y0, n) in bands(input.height, rows) {
        let (src, in_base) = rec.rows(input, y0, y0 + n);
        let p = params(frame(input, input, y0, n, in_base, 0));
        rec.dispatch(entry, &p, &[(1, src), (3, Resource::Whole(hist))], groups16(input.width, n))?;
    }
    Ok(())
}

/// `levels:auto`: histogram, then black/white points and the stretch table on the device.
pub(crate) fn levels_auto(rec: &mut Recorder<'_>, input: DeviceImage) -> Result<DeviceImage, GpuError> {
    let hist = rec.zeroed(256 * 4)?;
    let luts = rec.zeroed(768 * 4)?;
    luma_histogram(rec, "levels_histogram", &input, &hist, |frame| LevelsParams { frame })?;
    let p = LevelsParams { frame: frame(&input, &input, 0, 0, 0, 0) };
    rec.dispatch("levels_map", &p, &[(3, Resource::Whole(&hist)), (4, Resource::Whole(&luts))], [1, 1, 1])?;
    let out = same_size(rec, "lut", &input, 0, &[(3, Resource::Whole(&luts))], |frame| LutParams { frame })?;
    rec.retire(hist);
    rec.retire(luts);
    rec.retire(input.buffer);
    Ok(out)
}

/// `equalize`: histogram, map, apply.
pub(crate) fn equalize(rec: &mut Recorder<'_>, input: DeviceImage) -> Result<DeviceImage, GpuError> {
    let hist = rec.zeroed(256 * 4)?;
    let map = rec.zeroed(256 * 4)?;
    luma_histogram(rec, "equalize_histogram", &input, &hist, |frame| EqualizeParams { frame })?;
    let p = EqualizeParams { frame: frame(&input, &input, 0, 0, 0, 0) };
    rec.dispatch("equalize_map", &p, &[(3, Resource::Whole(&hist)), (4, Resource::Whole(&map))], [1, 1, 1])?;
    let out =
        same_size(rec, "equalize_apply", &input, 0, &[(4, Resource::Whole(&map))], |frame| EqualizeParams { frame })?;
    rec.retire(hist);
    rec.retire(map);
    rec.retire(input.buffer);
    Ok(out)
}

/// `clahe`: tile histograms over the reflection-padded image, tile maps, apply.
pub(crate) fn clahe(rec: &mut Recorder<'_>, input: DeviceImage, p: &Clahe) -> Result<DeviceImage, GpuError> {
    let (w, h) = (input.width, input.height);
    let tiles = p.tiles;
    // The padding rule of cpu/clahe.rs (OpenCV's).
    let (pw, ph) = if w.is_multiple_of(tiles) && h.is_multiple_of(tiles) {
        (w, h)
    } else {
        (w + tiles - w % tiles, h + tiles - h % tiles)
    };
    let (tile_w, tile_h) = (pw / tiles, ph / tiles);
    let limit = clahe_clip_limit(p.clip, tile_w * tile_h);
    let params = |frame| ClaheParams { frame, tiles, tile_w, tile_h, limit };
    let n_tiles = u64::from(tiles * tiles);
    let hists = rec.zeroed(n_tiles * 256 * 4)?;
    let maps = rec.zeroed(n_tiles * 256 * 4)?;

    // Histograms, in bands of padded rows; a band binds the input rows its rows reflect to.
    let row = u64::from(w) * 4;
    let rows = rec.band_rows(ph, |r| u64::from(r.min(h)) * row)?;
    for (y0, n) in bands(ph, rows) {
        let (lo, hi) = (y0..y0 + n).map(|y| reflect101(y, h)).fold((u32::MAX, 0), |(a, b), y| (a.min(y), b.max(y)));
        let (src, in_base) = rec.rows(&input, lo, hi + 1);
        let f = frame(&input, &input, y0, n, in_base, 0);
        rec.dispatch("clahe_histogram", &params(f), &[(1, src), (3, Resource::Whole(&hists))], groups16(pw, n))?;
    }
    let f = frame(&input, &input, 0, 0, 0, 0);
    rec.dispatch(
        "clahe_map",
        &params(f),
        &[(3, Resource::Whole(&hists)), (4, Resource::Whole(&maps))],
        [tiles * tiles, 1, 1],
    )?;
    let out = same_size(rec, "clahe_apply", &input, 0, &[(4, Resource::Whole(&maps))], params)?;
    rec.retire(hists);
    rec.retire(maps);
    rec.retire(input.buffer);
    Ok(out)
}

/// Index `i` reflected into `0..n` without repeating the edge (as the shader and the CPU do).
fn reflect101(i: u32, n: u32) -> u32 {
    if n == 1 {
        return 0;
    }
    let period = 2 * (n - 1);
    let m = i % period;
    if m < n { m } else { period - m }
}
