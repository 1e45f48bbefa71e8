//! Luma and the tone maps built from luma histograms: `levels:auto`, `equalize` and `clahe`.
//! The maps follow OpenCV's `equalizeHist` and `CLAHE` step for step (integer arithmetic where
//! it uses integers), so results can be checked against OpenCV directly.

/// A 256-bin histogram.
pub type Histogram = [u32; 256];

/// Rec.601 luma of an 8-bit RGB pixel, in the 14-bit fixed point OpenCV uses:
/// round(0.299 R + 0.587 G + 0.114 B).
#[inline]
pub fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((u32::from(r) * 4899 + u32::from(g) * 9617 + u32::from(b) * 1868 + (1 << 13)) >> 14) as u8
}

/// Fraction of pixels `levels:auto` clips at each end.
pub const AUTO_LEVELS_CLIP: f64 = 0.005;

/// Black and white points for `levels:auto`: the luma values below which and above which lie
/// 0.5% of the pixels. `None` when the image has (almost) one tone and there is nothing to
/// stretch.
pub fn auto_levels(hist: &Histogram) -> Option<(u8, u8)> {
    let total: u64 = hist.iter().map(|&c| u64::from(c)).sum();
    let clip = (total as f64 * AUTO_LEVELS_CLIP) as u64;
    let mut acc = 0u64;
    let lo = hist.iter().position(|&c| {
        acc += u64::from(c);
        acc > clip
    })?;
    acc = 0;
    let hi = 255
        - hist.iter().rev().position(|&c| {
            acc += u64::from(c);
            acc > clip
        })?;
    (lo < hi).then_some((lo as u8, hi as u8))
}

/// OpenCV's `equalizeHist` map: the cumulative histogram, stretched so the first occupied bin
/// maps to 0 and the last to 255.
pub fn equalize_map(hist: &Histogram) -> [u8; 256] {
    let total: u64 = hist.iter().map(|&c| u64::from(c)).sum();
    let mut lut = [0u8; 256];
    let Some(first) = hist.iter().position(|&c| c > 0) else { return lut };
    if u64::from(hist[first]) == total {
        // One tone: OpenCV maps it to itself.
        lut[first] = first as u8;
        return lut;
    }
    let scale = 255.0 / (total - u64::from(hist[first])) as f32;
    let mut sum = 0u64;
    for i in first + 1..256 {
        sum += u64::from(hist[i]);
        lut[i] = (sum as f32 * scale).round_ties_even().clamp(0.0, 255.0) as u8;
    }
    lut
}

/// The clip limit of a CLAHE tile in pixel counts, as OpenCV derives it from `clip`.
pub fn clahe_clip_limit(clip: f32, tile_area: u32) -> u32 {
    ((clip * tile_area as f32 / 256.0) as u32).max(1)
}

/// One CLAHE tile's map: the histogram clipped at `limit`, the excess spread evenly over all
/// bins (the remainder one count per bin at a regular step), then cumulated and scaled.
pub fn clahe_map(mut hist: Histogram, limit: u32, tile_area: u32) -> [u8; 256] {
    let mut clipped = 0u32;
    for c in hist.iter_mut() {
        if *c > limit {
            clipped += *c - limit;
            *c = limit;
        }
    }
    let batch = clipped / 256;
    let mut residual = clipped - batch * 256;
    for c in hist.iter_mut() {
        *c += batch;
    }
    if let Some(step) = 256u32.checked_div(residual) {
        let step = step.max(1) as usize;
        let mut i = 0;
        while i < 256 && residual > 0 {
            hist[i] += 1;
            i += step;
            residual -= 1;
        }
    }
    let scale = 255.0 / tile_area as f32;
    let mut sum = 0u32;
    std::array::from_fn(|i| {
        sum += hist[i];
        (sum as f32 * scale).round_ties_even().clamp(0.0, 255.0) as u8
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luma_of_primaries() {
        assert_eq!(luma(255, 255, 255), 255);
        assert_eq!(luma(0, 0, 0), 0);
        assert_eq!(luma(255, 0, 0), 76);
        assert_eq!(luma(0, 255, 0), 150);
        assert_eq!(luma(0, 0, 255), 29);
    }

    #[test]
    fn auto_levels_clips_half_a_percent() {
        let mut h = [0u32; 256];
        h[10] = 4; // below 0.5% of 1000: clipped
        h[20] = 496;
        h[200] = 496;
        h[250] = 4;
        assert_eq!(auto_levels(&h), Some((20, 200)));
        let mut flat = [0u32; 256];
        flat[7] = 100;
        assert_eq!(auto_levels(&flat), None);
    }

    #[test]
    fn clahe_map_is_monotonic() {
        let mut h = [0u32; 256];
        h[100] = 900;
        h[120] = 100;
        let m = clahe_map(h, clahe_clip_limit(2.0, 1000), 1000);
        assert!(m.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(m[255], 255);
    }
}
