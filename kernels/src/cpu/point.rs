//! Per-pixel ops: tone tables applied to R, G and B, and a helper that runs a per-pixel
//! function over the image in parallel. Alpha is never touched.

use rayon::prelude::*;

use crate::derived::tone::ChannelLuts;
use crate::image::Image;

/// Bytes per parallel task for per-pixel work.
const CHUNK_PIXELS: usize = 1 << 14;

/// Applies one table per colour channel.
pub fn apply_luts(image: &mut Image, luts: &ChannelLuts) {
    let [r, g, b] = &luts.0;
    for_each_pixel(image, |px| {
        px[0] = r[px[0] as usize];
        px[1] = g[px[1] as usize];
        px[2] = b[px[2] as usize];
    });
}

/// Runs `f` on every pixel (a 3- or 4-byte slice) in parallel.
pub fn for_each_pixel(image: &mut Image, f: impl Fn(&mut [u8]) + Sync + Send) {
    let ch = image.channels();
    image.data_mut().par_chunks_mut(CHUNK_PIXELS * ch).for_each(|chunk| {
        for px in chunk.chunks_exact_mut(ch) {
            f(px);
        }
    });
}

/// Rounds a float result to 8 bits (ties to even, as the GPU's `round` does), clamped.
#[inline(always)]
pub fn to_u8(x: f32) -> u8 {
    // Adding 1.5 * 2^23 leaves no fraction bits, so the FPU's default rounding (to nearest,
    // ties to even) does the rounding, as `round_ties_even` would without a library call on CPUs
    // lacking a rounding instruction; the integer is then the low bits of the sum. Integer
    // clamping and `max`/`min` (which map NaN to the bound) keep the whole function free of
    // float-to-int casts that saturate, so loops over it vectorise.
    const SHIFT: f32 = 12_582_912.0;
    #[allow(clippy::manual_clamp, reason = "`clamp` keeps NaN, which must become 0")]
    let rounded = (x.max(-1.0).min(256.0) + SHIFT).to_bits() as i32 - SHIFT.to_bits() as i32;
    rounded.clamp(0, 255) as u8
}

#[cfg(test)]
mod tests {
    #[test]
    fn to_u8_rounds_half_to_even() {
        for (x, want) in
            [(0.5, 0), (1.5, 2), (2.5, 2), (254.5, 254), (-3.0, 0), (300.0, 255), (127.49, 127), (f32::NAN, 0)]
        {
            assert_eq!(super::to_u8(x), want, "{x}");
        }
        for i in -1000..300_000 {
            let x = i as f32 * 0.001;
            assert_eq!(super::to_u8(x), x.round_ties_even().clamp(0.0, 255.0) as u8, "{x}");
        }
    }
}
