//! Embedded ICC profiles converted to sRGB on decode, so every op and every output works in one
//! colour space. Profiles that are sRGB already (most camera JPEGs carry one) are detected and
//! skipped; profiles that cannot be parsed are ignored, as browsers do, rather than failing the
//! image.

use moxcms::{ColorProfile, DataColorSpace, Layout, TransformOptions};
use rayon::prelude::*;

/// Rows converted per parallel task.
const ROWS_PER_TASK: usize = 64;

/// Converts 8-bit RGB(A) pixels from `icc` to sRGB in place; false when nothing was done.
pub(super) fn to_srgb_8(icc: &[u8], data: &mut [u8], channels: usize, width: usize) -> bool {
    let Some((profile, layout)) = rgb_profile(icc, channels) else { return false };
    let srgb = ColorProfile::new_srgb();
    let Ok(t) = profile.create_transform_8bit(layout, &srgb, layout, TransformOptions::default()) else {
        return false;
    };
    if is_identity(|src, dst| t.transform(src, dst).is_ok(), channels, 255) {
        return false;
    }
    let chunk = width * channels * ROWS_PER_TASK;
    data.par_chunks_mut(chunk).all(|rows| {
        let src = rows.to_vec();
        t.transform(&src, rows).is_ok()
    })
}

/// Converts 16-bit RGB(A) samples from `icc` to sRGB in place; false when nothing was done.
pub(super) fn to_srgb_16(icc: &[u8], data: &mut [u16], channels: usize, width: usize) -> bool {
    let Some((profile, layout)) = rgb_profile(icc, channels) else { return false };
    let srgb = ColorProfile::new_srgb();
    let Ok(t) = profile.create_transform_16bit(layout, &srgb, layout, TransformOptions::default()) else {
        return false;
    };
    if is_identity(|src, dst| t.transform(src, dst).is_ok(), channels, 65_535) {
        return false;
    }
    let chunk = width * channels * ROWS_PER_TASK;
    data.par_chunks_mut(chunk).all(|rows| {
        let src = rows.to_vec();
        t.transform(&src, rows).is_ok()
    })
}

/// The parsed profile and pixel layout, if the profile describes RGB data like ours.
fn rgb_profile(icc: &[u8], channels: usize) -> Option<(ColorProfile, Layout)> {
    let profile = ColorProfile::new_from_slice(icc).ok()?;
    if profile.color_space != DataColorSpace::Rgb {
        return None;
    }
    let layout = match channels {
        3 => Layout::Rgb,
        4 => Layout::Rgba,
        _ => return None,
    };
    Some((profile, layout))
}

/// Runs a grid of probe colours through the transform: if none moves by more than one 8-bit
/// step, the profile is sRGB in all but name and converting would only add rounding.
fn is_identity<T>(run: impl Fn(&[T], &mut [T]) -> bool, channels: usize, max: u32) -> bool
where
    T: Copy + Default + TryFrom<u32> + Into<u32>,
{
    let levels = [0, max / 4, max / 2, max * 3 / 4, max];
    let mut src = Vec::new();
    for r in levels {
        for g in levels {
            for b in levels {
                for v in [r, g, b, max].iter().take(channels) {
                    src.push(T::try_from(*v).unwrap_or_default());
                }
            }
        }
    }
    let mut dst = vec![T::default(); src.len()];
    if !run(&src, &mut dst) {
        return false;
    }
    let step = max / 255;
    src.iter().zip(&dst).all(|(a, b)| {
        let (a, b): (u32, u32) = ((*a).into(), (*b).into());
        a.abs_diff(b) <= step
    })
}
