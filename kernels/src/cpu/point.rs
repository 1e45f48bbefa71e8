//! Per-pixel ops: tone tables applied to R, G and B, and the helpers that run per-pixel work
//! over the image in parallel: [`for_each_pixel`] on interleaved pixels, [`map_rgb`] on blocks
//! of pixels in planar form (for arithmetic that should vectorise). Alpha is never touched.

use rayon::prelude::*;

use crate::derived::tone::ChannelLuts;
use crate::image::Image;

/// Pixels per parallel task for per-pixel work.
const CHUNK_PIXELS: usize = 1 << 14;

/// Applies one table per colour channel.
pub fn apply_luts(image: &mut Image, luts: &ChannelLuts) {
    let ch = image.channels();
    let [r, g, b] = &luts.0;
    // Alpha goes through the identity.
    let identity: [u8; 256] = std::array::from_fn(|i| i as u8);
    let tables = [r, g, b, &identity];
    image
        .data_mut()
        .par_chunks_mut(CHUNK_PIXELS * ch)
        .for_each(|chunk| if ch == 4 { lookup::<4>(chunk, &tables) } else { lookup::<3>(chunk, &tables) });
}

/// Table lookups over whole pixels, eight pixels (`CH` words of eight bytes) at a time: each
/// word is read and written once and its bytes looked up from registers, which keeps the
/// loads and stores per byte well under one (a plain loop does a load and a store per byte).
fn lookup<const CH: usize>(chunk: &mut [u8], tables: &[&[u8; 256]; 4]) {
    let mut groups = chunk.chunks_exact_mut(8 * CH);
    for group in &mut groups {
        for (w, word) in group.chunks_exact_mut(8).enumerate() {
            let v = u64::from_le_bytes(word.try_into().unwrap_or_default());
            let mut o = 0u64;
            for i in 0..8 {
                let t = tables[(w * 8 + i) % CH];
                o |= u64::from(t[(v >> (8 * i)) as u8 as usize]) << (8 * i);
            }
            word.copy_from_slice(&o.to_le_bytes());
        }
    }
    for px in groups.into_remainder().chunks_exact_mut(CH) {
        for (c, v) in px.iter_mut().enumerate() {
            *v = tables[c][*v as usize];
        }
    }
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

/// Pixels per block of [`map_rgb`]: two AVX2 registers of floats per channel.
pub const BLOCK: usize = 16;

/// One block of pixels in planar form: R, G and B values as floats on the 0..255 scale.
pub type Planes = [[f32; BLOCK]; 3];

/// Runs `f` over the colour channels in parallel, [`BLOCK`] pixels at a time, gathered into
/// [`Planes`] and written back rounded to 8 bits; alpha is untouched. Per-pixel colour
/// arithmetic written over the planes is a straight loop over arrays, which the compiler turns
/// into vector instructions: the interleaved layout (three or four bytes per pixel) would keep
/// it scalar.
pub fn map_rgb(image: &mut Image, f: impl Fn(&mut Planes) + Sync + Send) {
    let ch = image.channels();
    image
        .data_mut()
        .par_chunks_mut(CHUNK_PIXELS * ch)
        .for_each(|chunk| if ch == 4 { map_chunk::<4, _>(chunk, &f) } else { map_chunk::<3, _>(chunk, &f) });
}

/// [`map_rgb`] on one chunk, compiled for AVX2 + FMA as well where the CPU has them (generic
/// over `f`, so it cannot go through [`multiversion`](super::simd::multiversion)).
fn map_chunk<const CH: usize, F: Fn(&mut Planes)>(chunk: &mut [u8], f: &F) {
    #[cfg(target_arch = "x86_64")]
    if super::simd::has_avx2_fma() {
        #[target_feature(enable = "avx2,fma")]
        fn wide<const CH: usize, F: Fn(&mut Planes)>(chunk: &mut [u8], f: &F) {
            map_blocks::<CH, F>(chunk, f);
        }
        #[allow(unsafe_code, reason = "calling a target-feature function after checking the CPU has the features")]
        // SAFETY: `wide` only differs from the call below by being compiled for AVX2 and FMA,
        // which the CPU has just reported.
        return unsafe { wide::<CH, F>(chunk, f) };
    }
    map_blocks::<CH, F>(chunk, f);
}

#[inline(always)]
fn map_blocks<const CH: usize, F: Fn(&mut Planes)>(chunk: &mut [u8], f: &F) {
    let mut blocks = chunk.chunks_exact_mut(BLOCK * CH);
    for block in &mut blocks {
        map_block::<CH, F>(block, f);
    }
    // The last few pixels go through a zero-padded block of their own.
    let rest = blocks.into_remainder();
    if !rest.is_empty() {
        let mut padded = [0u8; BLOCK * 4];
        padded[..rest.len()].copy_from_slice(rest);
        map_block::<CH, F>(&mut padded[..BLOCK * CH], f);
        rest.copy_from_slice(&padded[..rest.len()]);
    }
}

#[inline(always)]
fn map_block<const CH: usize, F: Fn(&mut Planes)>(block: &mut [u8], f: &F) {
    let mut planes = [[0f32; BLOCK]; 3];
    for (i, px) in block.chunks_exact(CH).enumerate() {
        for c in 0..3 {
            planes[c][i] = f32::from(px[c]);
        }
    }
    f(&mut planes);
    for (i, px) in block.chunks_exact_mut(CH).enumerate() {
        for c in 0..3 {
            px[c] = to_u8(planes[c][i]);
        }
    }
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
