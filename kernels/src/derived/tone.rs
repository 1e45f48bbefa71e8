//! Tone curves: the contract's formulas for the per-channel tone ops, evaluated once in f64
//! into 256-entry lookup tables, and the sRGB transfer functions.
//!
//! An op that maps each channel value on its own (brightness, contrast, exposure, gamma, manual
//! levels, invert, temperature) is fully described by three tables. Consecutive such ops
//! compose into one set of tables with exactly the same result, since each op's output is
//! rounded to 8 bits anyway: that is how point ops are fused into a single pass.

use std::sync::OnceLock;

use crate::spec::{Brightness, Contrast, Exposure, Gamma, Levels, Op, Temperature};

/// One 256-entry table per colour channel (R, G, B); alpha is never touched.
#[derive(Clone, PartialEq, Eq)]
pub struct ChannelLuts(pub [[u8; 256]; 3]);

impl std::fmt::Debug for ChannelLuts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChannelLuts")
    }
}

impl ChannelLuts {
    /// The same table for all three channels.
    pub fn uniform(t: [u8; 256]) -> Self {
        ChannelLuts([t; 3])
    }

    /// Tables that change nothing.
    pub fn identity() -> Self {
        Self::uniform(std::array::from_fn(|i| i as u8))
    }

    /// `self` then `next`, as one set of tables.
    pub fn then(&self, next: &ChannelLuts) -> ChannelLuts {
        ChannelLuts(std::array::from_fn(|c| std::array::from_fn(|i| next.0[c][self.0[c][i] as usize])))
    }
}

/// Rounds to the nearest 8-bit value (ties to even, as WGSL's `round` and OpenCV do), clamped.
pub fn to_u8(x: f64) -> u8 {
    x.round_ties_even().clamp(0.0, 255.0) as u8
}

fn table(f: impl Fn(f64) -> f64) -> [u8; 256] {
    std::array::from_fn(|i| to_u8(f(i as f64)))
}

/// sRGB-encoded 0..1 to linear light 0..1 (IEC 61966-2-1).
pub fn srgb_to_linear(v: f64) -> f64 {
    if v <= 0.040_45 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
}

/// Linear light 0..1 to sRGB-encoded 0..1.
pub fn linear_to_srgb(l: f64) -> f64 {
    if l <= 0.003_130_8 { l * 12.92 } else { 1.055 * l.powf(1.0 / 2.4) - 0.055 }
}

/// Linear light (0..1) of each 8-bit sRGB value.
pub fn srgb_to_linear_table() -> &'static [f32; 256] {
    static T: OnceLock<[f32; 256]> = OnceLock::new();
    T.get_or_init(|| std::array::from_fn(|i| srgb_to_linear(i as f64 / 255.0) as f32))
}

/// Entries of [`linear_to_srgb_table`]: fine enough that the table is within 0.03 of an 8-bit
/// step of the exact curve everywhere, the steep part near black included.
pub const LINEAR_TABLE_SIZE: usize = 1 << 16;

/// 8-bit sRGB of linear light sampled at `i / (LINEAR_TABLE_SIZE - 1)`.
pub fn linear_to_srgb_table() -> &'static [u8] {
    static T: OnceLock<Vec<u8>> = OnceLock::new();
    T.get_or_init(|| {
        let n = (LINEAR_TABLE_SIZE - 1) as f64;
        (0..LINEAR_TABLE_SIZE).map(|i| to_u8(linear_to_srgb(i as f64 / n) * 255.0)).collect()
    })
}

/// 8-bit sRGB of a linear value (clamped to 0..1) through the table.
#[inline]
pub fn encode_linear(l: f32) -> u8 {
    let i = (l.clamp(0.0, 1.0) * (LINEAR_TABLE_SIZE - 1) as f32 + 0.5) as usize;
    linear_to_srgb_table()[i.min(LINEAR_TABLE_SIZE - 1)]
}

/// `brightness:F`: v + F*255.
pub fn brightness(p: &Brightness) -> ChannelLuts {
    let add = f64::from(p.amount) * 255.0;
    ChannelLuts::uniform(table(|v| v + add))
}

/// `contrast:F`: (v - 128)*F + 128.
pub fn contrast(p: &Contrast) -> ChannelLuts {
    let f = f64::from(p.factor);
    ChannelLuts::uniform(table(|v| (v - 128.0) * f + 128.0))
}

/// `exposure:EV`: linear light times 2^EV.
pub fn exposure(p: &Exposure) -> ChannelLuts {
    let gain = 2f64.powf(f64::from(p.ev));
    ChannelLuts::uniform(table(|v| linear_to_srgb((srgb_to_linear(v / 255.0) * gain).min(1.0)) * 255.0))
}

/// `gamma:G`: 255*(v/255)^(1/G).
pub fn gamma(p: &Gamma) -> ChannelLuts {
    let inv = 1.0 / f64::from(p.gamma);
    ChannelLuts::uniform(table(|v| 255.0 * (v / 255.0).powf(inv)))
}

/// `levels:B,W,G`: B..W to 0..255 with midtone gamma G.
pub fn levels(black: u8, white: u8, gamma: f32) -> ChannelLuts {
    let (b, w) = (f64::from(black), f64::from(white));
    let inv = 1.0 / f64::from(gamma);
    ChannelLuts::uniform(table(|v| 255.0 * ((v.clamp(b, w) - b) / (w - b)).powf(inv)))
}

/// `invert`: 255 - v.
pub fn invert() -> ChannelLuts {
    ChannelLuts::uniform(table(|v| 255.0 - v))
}

/// Linear-light gain on red at `temperature:100` (blue gets the opposite).
pub const TEMPERATURE_GAIN: f64 = 0.3;

/// `temperature:K`: with t = K/100, red times (1 + 0.3 t) and blue times (1 - 0.3 t) in linear
/// light; green unchanged.
pub fn temperature(p: &Temperature) -> ChannelLuts {
    let t = f64::from(p.amount) / 100.0;
    let scaled = |gain: f64| table(|v| linear_to_srgb((srgb_to_linear(v / 255.0) * gain).min(1.0)) * 255.0);
    let identity: [u8; 256] = std::array::from_fn(|i| i as u8);
    ChannelLuts([scaled(1.0 + TEMPERATURE_GAIN * t), identity, scaled(1.0 - TEMPERATURE_GAIN * t)])
}

/// The tables of an op that maps each channel on its own, or `None` for any other op.
pub fn luts_for(op: &Op) -> Option<ChannelLuts> {
    Some(match op {
        Op::Brightness(p) => brightness(p),
        Op::Contrast(p) => contrast(p),
        Op::Exposure(p) => exposure(p),
        Op::Gamma(p) => gamma(p),
        Op::Levels(Levels::Manual { black, white, gamma }) => levels(*black, *white, *gamma),
        Op::Invert => invert(),
        Op::Temperature(p) => temperature(p),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_table_matches_the_curve() {
        for i in 0..=255u32 {
            let l = srgb_to_linear(f64::from(i) / 255.0) as f32;
            assert_eq!(encode_linear(l), i as u8, "value {i}");
        }
    }

    #[test]
    fn composition_equals_sequence() {
        let a = contrast(&Contrast { factor: 1.7 });
        let b = gamma(&Gamma { gamma: 0.6 });
        let ab = a.then(&b);
        for v in 0..256 {
            assert_eq!(ab.0[0][v], b.0[0][a.0[0][v] as usize]);
        }
    }
}
