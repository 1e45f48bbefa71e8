//! The tone ops against the contract's formulas, evaluated here in f64, independently of the
//! engine: every output channel within 1 of the formula, on a real photograph and on a ramp
//! that holds every 8-bit value.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail by panicking")]

mod common;

use common::{load_fixture, ramp, run};
use glint_kernels::Image;

fn srgb_to_linear(v: f64) -> f64 {
    if v <= 0.04045 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
}

fn linear_to_srgb(l: f64) -> f64 {
    if l <= 0.0031308 { l * 12.92 } else { 1.055 * l.powf(1.0 / 2.4) - 0.055 }
}

fn luma(p: [f64; 3]) -> f64 {
    0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]
}

/// Checks `spec` against a per-pixel formula on RGB in 0..255; returns the largest difference.
fn check(spec: &str, formula: impl Fn([f64; 3]) -> [f64; 3]) {
    let mut worst = 0u8;
    for image in [load_fixture("flower.png"), ramp()] {
        let out = run(spec, &image);
        worst = worst.max(max_diff(&image, &out, &formula));
    }
    println!("{spec:<22} max difference from the f64 formula: {worst}");
    assert!(worst <= 1, "{spec}: off by {worst} from the formula");
}

fn max_diff(input: &Image, out: &Image, formula: &impl Fn([f64; 3]) -> [f64; 3]) -> u8 {
    let mut worst = 0u8;
    for (i, o) in input.data().chunks_exact(3).zip(out.data().chunks_exact(3)) {
        let expected = formula([f64::from(i[0]), f64::from(i[1]), f64::from(i[2])]);
        for c in 0..3 {
            let e = expected[c].round().clamp(0.0, 255.0) as u8;
            worst = worst.max(e.abs_diff(o[c]));
        }
    }
    worst
}

fn each(f: impl Fn(f64) -> f64) -> impl Fn([f64; 3]) -> [f64; 3] {
    move |p| p.map(&f)
}

#[test]
fn brightness() {
    for f in [-0.5, -0.1, 0.2, 1.0] {
        check(&format!("brightness:{f}"), each(move |v| v + f * 255.0));
    }
}

#[test]
fn contrast() {
    for f in [0.0, 0.5, 1.3, 2.0, 7.5] {
        check(&format!("contrast:{f}"), each(move |v| (v - 128.0) * f + 128.0));
    }
}

#[test]
fn exposure() {
    for ev in [-2.0, -0.5, 0.7, 3.0] {
        check(
            &format!("exposure:{ev}"),
            each(move |v| linear_to_srgb((srgb_to_linear(v / 255.0) * 2f64.powf(ev)).min(1.0)) * 255.0),
        );
    }
}

#[test]
fn gamma() {
    for g in [0.1, 0.45, 1.0, 2.2, 10.0] {
        check(&format!("gamma:{g}"), each(move |v| 255.0 * (v / 255.0).powf(1.0 / g)));
    }
}

#[test]
fn saturation() {
    for f in [0.0, 0.4, 1.0, 1.8, 4.0] {
        check(&format!("saturation:{f}"), move |p| {
            let grey = luma(p);
            p.map(|v| grey + f * (v - grey))
        });
    }
}

#[test]
fn hue() {
    // HSV hue rotation, as Python's colorsys computes it.
    fn rotate(p: [f64; 3], deg: f64) -> [f64; 3] {
        let [r, g, b] = p.map(|v| v / 255.0);
        let (max, min) = (r.max(g).max(b), r.min(g).min(b));
        if max == min {
            return p;
        }
        let d = max - min;
        let h = if max == r {
            ((g - b) / d).rem_euclid(6.0)
        } else if max == g {
            (b - r) / d + 2.0
        } else {
            (r - g) / d + 4.0
        } / 6.0;
        let (s, v) = (d / max, max);
        let h = (h + deg / 360.0).rem_euclid(1.0);
        let i = (h * 6.0).floor();
        let f = h * 6.0 - i;
        let (pp, q, t) = (v * (1.0 - s), v * (1.0 - s * f), v * (1.0 - s * (1.0 - f)));
        let rgb = match i as i64 % 6 {
            0 => [v, t, pp],
            1 => [q, v, pp],
            2 => [pp, v, t],
            3 => [pp, q, v],
            4 => [t, pp, v],
            _ => [v, pp, q],
        };
        rgb.map(|x| x * 255.0)
    }
    for deg in [-300.0, -90.0, 15.0, 120.0, 180.0, 359.0] {
        check(&format!("hue:{deg}"), move |p| rotate(p, deg));
    }
}

#[test]
fn levels() {
    for (b, w, g) in [(0.0, 255.0, 1.0), (20.0, 230.0, 1.0), (50.0, 100.0, 0.5), (10.0, 240.0, 2.2)] {
        check(&format!("levels:{b},{w},{g}"), each(move |v| 255.0 * ((v.clamp(b, w) - b) / (w - b)).powf(1.0 / g)));
    }
}

#[test]
fn levels_auto() {
    for image in [load_fixture("flower.png"), ramp()] {
        // 0.5% clipped at each end of the luma histogram, then levels over that range.
        let mut lumas: Vec<u8> = image
            .data()
            .chunks_exact(3)
            .map(|p| luma([f64::from(p[0]), f64::from(p[1]), f64::from(p[2])]).round() as u8)
            .collect();
        lumas.sort_unstable();
        let clip = (lumas.len() as f64 * 0.005) as usize;
        let (b, w) = (f64::from(lumas[clip]), f64::from(lumas[lumas.len() - 1 - clip]));
        let out = run("levels:auto", &image);
        let d = max_diff(&image, &out, &each(move |v| 255.0 * (v.clamp(b, w) - b) / (w - b)));
        println!("levels:auto (black {b}, white {w}) max difference from the f64 formula: {d}");
        assert!(d <= 1, "levels:auto off by {d}");
    }
}

#[test]
fn temperature() {
    for k in [-100.0, -30.0, 40.0, 100.0] {
        let t: f64 = k / 100.0;
        let gain = move |v: f64, g: f64| linear_to_srgb((srgb_to_linear(v / 255.0) * g).min(1.0)) * 255.0;
        check(&format!("temperature:{k}"), move |p| [gain(p[0], 1.0 + 0.3 * t), p[1], gain(p[2], 1.0 - 0.3 * t)]);
    }
}

#[test]
fn grayscale_sepia_invert() {
    check("grayscale", |p| [luma(p); 3]);
    check("sepia", |[r, g, b]| {
        [0.393 * r + 0.769 * g + 0.189 * b, 0.349 * r + 0.686 * g + 0.168 * b, 0.272 * r + 0.534 * g + 0.131 * b]
    });
    check("invert", each(|v| 255.0 - v));
}

#[test]
fn fused_tone_ops_equal_the_ops_in_sequence() {
    let image = load_fixture("flower.png");
    let fused = run("contrast:1.4/gamma:0.8/brightness:0.05/invert", &image);
    let mut step = image;
    for spec in ["contrast:1.4", "gamma:0.8", "brightness:0.05", "invert"] {
        step = run(spec, &step);
    }
    assert_eq!(fused, step);
}

#[test]
fn alpha_is_untouched_by_tone_ops() {
    let image = load_fixture("flower_rgba.png");
    for spec in
        ["brightness:0.3", "saturation:2", "hue:90", "levels:auto", "equalize", "clahe", "sepia", "invert", "enhance"]
    {
        let out = run(spec, &image);
        let alpha = |i: &Image| i.data().chunks_exact(4).map(|p| p[3]).collect::<Vec<_>>();
        assert_eq!(alpha(&out), alpha(&image), "{spec} changed alpha");
    }
}
