//! The resampling and neighbourhood ops against independent references made by
//! `tests/refs/make_refs.py`: Pillow for resize, libvips `reduce` for mitchell, a float64
//! numpy resampler for linear-light resize, OpenCV (replicated borders) for the filters and
//! for equalize/CLAHE on luma. Each check prints its measured error.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail by panicking")]

mod common;

use common::{compare, fixture, load, load_fixture, run};

/// Runs `spec` on fixture `input` and compares with `refs/<reference>`.
fn check(spec: &str, input: &str, reference: &str, min_psnr: f64, max_diff: Option<u8>) {
    let out = run(spec, &load_fixture(input));
    let expected = load(fixture("refs").join(reference));
    let d = compare(&out, &expected);
    println!("{spec:<55} vs {reference:<34} max {:>3}  PSNR {:>6.2} dB", d.max, d.psnr);
    assert!(d.psnr >= min_psnr, "{spec}: PSNR {:.2} dB < {min_psnr} against {reference}", d.psnr);
    if let Some(limit) = max_diff {
        assert!(d.max <= limit, "{spec}: max difference {} > {limit} against {reference}", d.max);
    }
}

const PILLOW_FILTERS: [&str; 4] = ["nearest", "bilinear", "bicubic", "lanczos3"];

#[test]
fn resize_matches_pillow_when_not_linear() {
    for f in PILLOW_FILTERS {
        check(
            &format!("resize:101x77:fit=fill:filter={f}:linear=false"),
            "flower.png",
            &format!("resize_{f}_down.png"),
            45.0,
            None,
        );
        check(
            &format!("resize:203x171:fit=fill:enlarge=true:filter={f}:linear=false"),
            "hopper.png",
            &format!("resize_{f}_up.png"),
            45.0,
            None,
        );
    }
}

#[test]
fn nearest_is_exactly_pillows() {
    check("resize:101x77:fit=fill:filter=nearest", "flower.png", "resize_nearest_down.png", f64::INFINITY, Some(0));
    check(
        "resize:203x171:fit=fill:filter=nearest:enlarge=true",
        "hopper.png",
        "resize_nearest_up.png",
        f64::INFINITY,
        Some(0),
    );
}

#[test]
fn resize_with_alpha_matches_pillows_premultiplied_resampling() {
    check("resize:101x77:fit=fill:linear=false", "flower_rgba.png", "resize_lanczos3_rgba_down.png", 45.0, None);
}

#[test]
fn mitchell_matches_libvips_reduce() {
    check("resize:101x77:fit=fill:filter=mitchell:linear=false", "flower.png", "resize_mitchell_down.png", 45.0, None);
}

#[test]
fn linear_resize_matches_a_float_reference() {
    for f in ["lanczos3", "bicubic", "bilinear"] {
        check(
            &format!("resize:101x77:fit=fill:filter={f}"),
            "flower.png",
            &format!("resize_{f}_linear_down.png"),
            45.0,
            None,
        );
        check(
            &format!("resize:203x171:fit=fill:enlarge=true:filter={f}"),
            "hopper.png",
            &format!("resize_{f}_linear_up.png"),
            45.0,
            None,
        );
    }
}

#[test]
fn blur_matches_opencv() {
    for sigma in ["0.8", "2", "5"] {
        check(&format!("blur:{sigma}"), "flower.png", &format!("blur_{sigma}.png"), 45.0, None);
    }
}

#[test]
fn boxblur_matches_opencv() {
    for r in [2, 10] {
        check(&format!("boxblur:{r}"), "flower.png", &format!("boxblur_{r}.png"), 45.0, Some(1));
    }
}

#[test]
fn sharpen_matches_opencv_unsharp_mask() {
    check("sharpen:1.5", "flower.png", "sharpen_1.5_1.0.png", 45.0, None);
    check("sharpen:3:amount=0.5", "flower.png", "sharpen_3_0.5.png", 45.0, None);
}

#[test]
fn median_is_exactly_opencvs() {
    for r in [1, 3, 7] {
        check(&format!("median:{r}"), "flower.png", &format!("median_{r}.png"), f64::INFINITY, Some(0));
    }
}

#[test]
fn edges_match_opencv_sobel() {
    check("edges", "flower.png", "edges.png", 45.0, None);
}

#[test]
fn integer_convolutions_are_exactly_opencvs() {
    check("convolve:3x3:0,-1,0,-1,5,-1,0,-1,0", "flower.png", "convolve_sharpen3.png", f64::INFINITY, Some(0));
    let binomial: Vec<String> =
        [1, 4, 6, 4, 1].iter().flat_map(|a| [1, 4, 6, 4, 1].iter().map(move |b| (a * b).to_string())).collect();
    check(
        &format!("convolve:5x5:{}", binomial.join(",")),
        "flower.png",
        "convolve_binomial5.png",
        f64::INFINITY,
        Some(0),
    );
    // Asymmetric: proves the kernel is applied as written (correlation), not flipped.
    check("convolve:3x3:1,2,0,0,0,0,0,0,-1", "flower.png", "convolve_asym3.png", f64::INFINITY, Some(0));
    check("emboss", "flower.png", "convolve_emboss.png", f64::INFINITY, Some(0));
}

#[test]
fn equalize_and_clahe_match_opencv_on_luma() {
    check("equalize", "flower.png", "equalize.png", 35.0, None);
    check("clahe", "flower.png", "clahe_8_2.0.png", 35.0, None);
    check("clahe:tiles=4:clip=3", "flower.png", "clahe_4_3.0.png", 35.0, None);
}
