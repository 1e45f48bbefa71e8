//! Recording the geometry ops. Each output band binds just the input rows it reads: for
//! resize the source rows under the band's filter taps, for crop and flips the matching rows,
//! for quarter turns the input rows that become the band's columns (the band is then also cut
//! into column tiles, so that run of input rows fits a binding too).

use super::context::GpuError;
use super::params::{CropParams, FlipParams, ResizeParams, RotateParams};
use super::record::{DeviceImage, Recorder, Resource, bands, frame, groups16};
use crate::derived::resample::{axis_weights, plan, vertical_first};
use crate::derived::tone::{linear_to_srgb_table, srgb_to_linear_table};
use crate::spec::{Crop, Filter, Flip, Resize, Rotate};

pub(crate) fn resize(rec: &mut Recorder<'_>, input: DeviceImage, p: &Resize) -> Result<DeviceImage, GpuError> {
    let (w, h) = (input.width, input.height);
    let plan = plan(p, w, h);
    if plan.is_identity(w, h) {
        return Ok(input);
    }
    let (wx, wy, ww, wh) = plan.window;
    if plan.scaled == (w, h) {
        // Only a window or a canvas, as on the CPU: no resampling at all.
        let window = crop(rec, input, &Crop { x: wx, y: wy, width: ww, height: wh })?;
        return pad(rec, window, p, plan.canvas, plan.placement);
    }
    let xs = axis_weights(w, plan.scaled.0, wx, ww, p.filter);
    let ys = axis_weights(h, plan.scaled.1, wy, wh, p.filter);
    let resampled = rec.new_image(ww, wh, input.alpha)?;
    let x_starts = rec.table(&xs.starts);
    let x_weights = rec.table(&xs.weights);
    let y_starts = rec.table(&ys.starts);
    let y_weights = rec.table(&ys.weights);
    let to_linear = rec.table(srgb_to_linear_table());
    let to_srgb: Vec<u32> =
        linear_to_srgb_table().chunks_exact(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
    let to_srgb = rec.table(&to_srgb);
    let base = ResizeParams {
        taps_x: xs.taps as u32,
        taps_y: ys.taps as u32,
        linear: u32::from(p.linear),
        ..Default::default()
    };
    let tables = [
        (3, Resource::Whole(&x_starts)),
        (4, Resource::Whole(&x_weights)),
        (5, Resource::Whole(&y_starts)),
        (6, Resource::Whole(&y_weights)),
        (7, Resource::Whole(&to_linear)),
        (8, Resource::Whole(&to_srgb)),
    ];
    // Source rows a band of `r` output rows can need at most.
    let scale = f64::from(h) / f64::from(plan.scaled.1);
    let span = |r: u32| ((f64::from(r.saturating_sub(1)) * scale).ceil() as u32 + ys.taps as u32 + 1).min(h);
    let (in_row, out_row) = (u64::from(w) * 4, u64::from(ww) * 4);
    let src_rows = |y0: u32, n: u32| {
        let first = ys.starts[y0 as usize];
        let last = ys.starts[(y0 + n - 1) as usize] + ys.taps as u32;
        (first, last.min(h))
    };
    if p.filter == Filter::Nearest {
        let rows = rec.band_rows(wh, |r| (u64::from(span(r)) * in_row).max(u64::from(r) * out_row))?;
        for (y0, n) in bands(wh, rows) {
            let (first, last) = src_rows(y0, n);
            let (src, in_base) = rec.rows(&input, first, last);
            let (dst, out_base) = rec.rows(&resampled, y0, y0 + n);
            let params = ResizeParams { frame: frame(&input, &resampled, y0, n, in_base, out_base), ..base };
            let mut resources = vec![(1, src), (2, dst)];
            resources.extend_from_slice(&tables);
            rec.dispatch("resize_nearest", &params, &resources, groups16(ww, n))?;
        }
    } else if vertical_first(w, &xs, &ys) {
        // Scratch holds one input-wide row per output row of the band.
        let scratch_row = u64::from(w) * 16;
        let rows = rec.band_rows(wh, |r| {
            (u64::from(r) * scratch_row).max(u64::from(span(r)) * in_row).max(u64::from(r) * out_row)
        })?;
        let scratch = rec.scratch(u64::from(rows) * scratch_row)?;
        for (y0, n) in bands(wh, rows) {
            let (first, last) = src_rows(y0, n);
            let (src, in_base) = rec.rows(&input, first, last);
            let (dst, out_base) = rec.rows(&resampled, y0, y0 + n);
            let mut resources = vec![(1, src), (2, dst), (9, Resource::Whole(&scratch))];
            resources.extend_from_slice(&tables);
            let params =
                ResizeParams { frame: frame(&input, &resampled, y0, n, in_base, out_base), first_row: first, ..base };
            rec.dispatch("resize_vfirst", &params, &resources, groups16(w, n))?;
            rec.dispatch("resize_hsecond", &params, &resources, groups16(ww, n))?;
        }
        rec.retire(scratch);
    } else {
        let scratch_row = u64::from(ww) * 16;
        let rows = rec.band_rows(wh, |r| {
            let s = u64::from(span(r));
            (s * scratch_row).max(s * in_row).max(u64::from(r) * out_row)
        })?;
        let scratch = rec.scratch(u64::from(span(rows)) * scratch_row)?;
        for (y0, n) in bands(wh, rows) {
            let (first, last) = src_rows(y0, n);
            let (src, in_base) = rec.rows(&input, first, last);
            let (dst, out_base) = rec.rows(&resampled, y0, y0 + n);
            let mut resources = vec![(1, src), (2, dst), (9, Resource::Whole(&scratch))];
            resources.extend_from_slice(&tables);
            // Horizontal: the band's source rows into scratch, `ww` wide.
            let mut hf = frame(&input, &resampled, y0, last - first, in_base, out_base);
            hf.rows = last - first;
            let hp = ResizeParams { frame: hf, first_row: first, ..base };
            rec.dispatch("resize_h", &hp, &resources, groups16(ww, last - first))?;
            let vp =
                ResizeParams { frame: frame(&input, &resampled, y0, n, in_base, out_base), first_row: first, ..base };
            rec.dispatch("resize_v", &vp, &resources, groups16(ww, n))?;
        }
        rec.retire(scratch);
    }
    rec.retire(input.buffer);
    pad(rec, resampled, p, plan.canvas, plan.placement)
}

/// `contain`: the image placed on a `canvas`-sized background at `at` (a no-op when the image
/// already fills the canvas).
fn pad(
    rec: &mut Recorder<'_>,
    image: DeviceImage,
    p: &Resize,
    canvas: (u32, u32),
    at: (u32, u32),
) -> Result<DeviceImage, GpuError> {
    if canvas == (image.width, image.height) {
        return Ok(image);
    }
    let bg = p.bg.unwrap_or([0, 0, 0, 0]);
    let out = rec.new_image(canvas.0, canvas.1, image.alpha || bg[3] != 255)?;
    let (px, py) = at;
    let row = u64::from(canvas.0.max(image.width)) * 4;
    let rows = rec.band_rows(out.height, |r| u64::from(r) * row)?;
    for (y0, n) in bands(out.height, rows) {
        // The image rows this band overlaps (at least one row is bound either way).
        let lo = y0.saturating_sub(py).min(image.height - 1);
        let hi = (y0 + n).saturating_sub(py).clamp(lo + 1, image.height);
        let (src, in_base) = rec.rows(&image, lo, hi);
        let (dst, out_base) = rec.rows(&out, y0, y0 + n);
        let params = ResizeParams {
            frame: frame(&image, &out, y0, n, in_base, out_base),
            place_x: px,
            place_y: py,
            bg: u32::from_le_bytes(bg),
            ..Default::default()
        };
        rec.dispatch("resize_pad", &params, &[(1, src), (2, dst)], groups16(out.width, n))?;
    }
    rec.retire(image.buffer);
    Ok(out)
}

pub(crate) fn crop(rec: &mut Recorder<'_>, input: DeviceImage, c: &Crop) -> Result<DeviceImage, GpuError> {
    let out = rec.new_image(c.width, c.height, input.alpha)?;
    let rows = rec.band_rows(c.height, |r| u64::from(r) * u64::from(input.width) * 4)?;
    for (y0, n) in bands(c.height, rows) {
        let (src, in_base) = rec.rows(&input, y0 + c.y, y0 + c.y + n);
        let (dst, out_base) = rec.rows(&out, y0, y0 + n);
        let params =
            CropParams { frame: frame(&input, &out, y0, n, in_base, out_base), x: c.x, y: c.y, ..Default::default() };
        rec.dispatch("crop", &params, &[(1, src), (2, dst)], groups16(c.width, n))?;
    }
    rec.retire(input.buffer);
    Ok(out)
}

pub(crate) fn flip(rec: &mut Recorder<'_>, input: DeviceImage, axis: Flip) -> Result<DeviceImage, GpuError> {
    let (w, h) = (input.width, input.height);
    let out = rec.new_image(w, h, input.alpha)?;
    let rows = rec.band_rows(h, |r| u64::from(r) * u64::from(w) * 4)?;
    for (y0, n) in bands(h, rows) {
        let (lo, hi) = if axis == Flip::V { (h - y0 - n, h - y0) } else { (y0, y0 + n) };
        let (src, in_base) = rec.rows(&input, lo, hi);
        let (dst, out_base) = rec.rows(&out, y0, y0 + n);
        let params = FlipParams {
            frame: frame(&input, &out, y0, n, in_base, out_base),
            vertical: u32::from(axis == Flip::V),
            ..Default::default()
        };
        rec.dispatch("flip", &params, &[(1, src), (2, dst)], groups16(w, n))?;
    }
    rec.retire(input.buffer);
    Ok(out)
}

pub(crate) fn rotate(rec: &mut Recorder<'_>, input: DeviceImage, angle: Rotate) -> Result<DeviceImage, GpuError> {
    let (w, h) = (input.width, input.height);
    let (ow, oh) = if angle == Rotate::R180 { (w, h) } else { (h, w) };
    let out = rec.new_image(ow, oh, input.alpha)?;
    let in_row = u64::from(w) * 4;
    let rows = rec.band_rows(oh, |r| u64::from(r) * u64::from(ow) * 4)?;
    // Output columns per tile: for quarter turns each output column is an input row.
    let cols = if angle == Rotate::R180 { ow } else { rec.band_rows(ow, |c| u64::from(c) * in_row)? };
    for (y0, n) in bands(oh, rows) {
        let (dst, out_base) = rec.rows(&out, y0, y0 + n);
        for (x0, c) in bands(ow, cols) {
            let (lo, hi) = match angle {
                Rotate::R90 => (h - x0 - c, h - x0),
                Rotate::R270 => (x0, x0 + c),
                Rotate::R180 => (h - y0 - n, h - y0),
            };
            let (src, in_base) = rec.rows(&input, lo, hi);
            let mut f = frame(&input, &out, y0, n, in_base, out_base);
            f.x0 = x0;
            f.cols = c;
            let params = RotateParams { frame: f, degrees: angle.degrees(), ..Default::default() };
            rec.dispatch("rotate", &params, &[(1, src), (2, dst)], groups16(c, n))?;
        }
    }
    rec.retire(input.buffer);
    Ok(out)
}
