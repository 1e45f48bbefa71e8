//! Geometry: every fit mode gives the output size the contract implies (computed here in f64
//! from the contract's words, for landscape, portrait and square inputs), `cover` keeps the
//! window its gravity names, and crop / rotate / flip move pixels exactly.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail by panicking")]

mod common;

use common::{card, compare, run};
use glint_kernels::{Backend, Limits, OpError, Pipeline};

/// The size the contract implies for `resize:{w}x{h}:fit={fit}:enlarge={enlarge}` on an
/// `iw` x `ih` image.
fn expected(iw: u32, ih: u32, w: Option<u32>, h: Option<u32>, fit: &str, enlarge: bool) -> (u32, u32) {
    let (fw, fh) = (f64::from(iw), f64::from(ih));
    let round = |v: f64| (v.round() as u32).max(1);
    let (Some(bw), Some(bh)) = (w, h) else {
        // One side given: the other follows the aspect ratio.
        let s = w.map_or_else(|| f64::from(h.unwrap_or(ih)) / fh, |bw| f64::from(bw) / fw);
        return if s > 1.0 && !enlarge { (iw, ih) } else { (round(fw * s), round(fh * s)) };
    };
    let (sx, sy) = (f64::from(bw) / fw, f64::from(bh) / fh);
    match fit {
        "fill" => {
            if enlarge {
                (bw, bh)
            } else {
                (bw.min(iw), bh.min(ih))
            }
        }
        "inside" | "outside" => {
            let s = if fit == "inside" { sx.min(sy) } else { sx.max(sy) };
            if s > 1.0 && !enlarge { (iw, ih) } else { (round(fw * s), round(fh * s)) }
        }
        "contain" => (bw, bh),
        "cover" => {
            if sx.max(sy) > 1.0 && !enlarge {
                (bw.min(iw), bh.min(ih))
            } else {
                (bw, bh)
            }
        }
        _ => unreachable!(),
    }
}

#[test]
fn every_fit_mode_gives_the_contract_size() {
    let inputs = [(400, 300), (300, 400), (300, 300), (1000, 10)];
    let boxes = [
        (Some(200), Some(200)),
        (Some(200), Some(100)),
        (Some(100), Some(200)),
        (Some(800), Some(700)),
        (Some(200), None),
        (None, Some(100)),
        (Some(900), None),
    ];
    let mut checked = 0;
    for (iw, ih) in inputs {
        let image = card(iw, ih);
        for (bw, bh) in boxes {
            for fit in ["inside", "contain", "cover", "fill", "outside"] {
                for enlarge in [false, true] {
                    let size = format!(
                        "{}x{}",
                        bw.map_or(String::new(), |v| v.to_string()),
                        bh.map_or(String::new(), |v| v.to_string())
                    );
                    let spec = format!("resize:{size}:fit={fit}:enlarge={enlarge}:filter=bilinear");
                    let out = run(&spec, &image);
                    let want = expected(iw, ih, bw, bh, fit, enlarge);
                    assert_eq!((out.width(), out.height()), want, "{spec} on {iw}x{ih}");
                    checked += 1;
                }
            }
        }
    }
    println!("{checked} fit-mode cases gave the contract's size");
}

#[test]
fn cover_keeps_the_window_its_gravity_names() {
    let image = card(400, 300);
    // Scaled to 267x200, 200 wide kept: the window starts at 0, 33 or 67.
    let full = run("resize:267x200:fit=fill:filter=lanczos3", &image);
    for (gravity, x) in [("west", 0), ("center", 33), ("east", 67)] {
        let out = run(&format!("resize:200x200:fit=cover:gravity={gravity}"), &image);
        let window = run(&format!("crop:{x},0,200,200"), &full);
        assert_eq!(compare(&out, &window).max, 0, "gravity {gravity}");
    }
}

#[test]
fn contain_pads_with_the_background() {
    let image = card(400, 200);
    let out = run("resize:100x100:fit=contain:bg=ff0000", &image);
    assert_eq!((out.width(), out.height(), out.channels()), (100, 100, 3));
    assert_eq!(&out.row(0)[..3], &[255, 0, 0], "top band is background");
    assert_eq!(&out.row(99)[..3], &[255, 0, 0], "bottom band is background");
    let out = run("resize:100x100:fit=contain:gravity=north", &image);
    assert_eq!(out.channels(), 4, "default background is transparent");
    assert_eq!(out.row(99)[3], 0, "padding at the bottom with gravity north");
    assert_eq!(out.row(0)[3], 255, "image at the top");
}

#[test]
fn rotate_flip_and_crop_move_pixels_exactly() {
    let image = card(7, 5);
    let px = |img: &glint_kernels::Image, x: usize, y: usize| img.row(y)[x * 3..x * 3 + 3].to_vec();
    let r90 = run("rotate:90", &image);
    assert_eq!((r90.width(), r90.height()), (5, 7));
    // Clockwise: the bottom-left source pixel lands top-left.
    assert_eq!(px(&r90, 0, 0), px(&image, 0, 4));
    assert_eq!(px(&r90, 4, 6), px(&image, 6, 0));
    assert_eq!(run("rotate:90/rotate:90/rotate:90/rotate:90", &image), image);
    assert_eq!(run("rotate:90/rotate:270", &image), image);
    assert_eq!(run("rotate:180", &image), run("flip:h/flip:v", &image));
    let fh = run("flip:h", &image);
    assert_eq!(px(&fh, 0, 2), px(&image, 6, 2));
    let fv = run("flip:v", &image);
    assert_eq!(px(&fv, 3, 0), px(&image, 3, 4));
    let c = run("crop:2,1,3,2", &image);
    assert_eq!((c.width(), c.height()), (3, 2));
    assert_eq!(px(&c, 0, 0), px(&image, 2, 1));
    assert_eq!(px(&c, 2, 1), px(&image, 4, 2));
}

#[test]
fn a_crop_outside_the_image_is_refused_before_any_work() {
    let p = Pipeline::parse("blur:2/crop:5,5,10,10").unwrap();
    let err = p.run(card(12, 12), Backend::Cpu, &Limits::default()).unwrap_err();
    assert!(matches!(err, OpError::CropOutside { .. }), "{err}");
    assert!(err.to_string().contains("12x12"), "{err}");
}

#[test]
fn results_larger_than_the_pixel_limit_are_refused() {
    let p = Pipeline::parse("resize:60000x60000:fit=fill:enlarge=true").unwrap();
    let err = p.run(card(10, 10), Backend::Cpu, &Limits::default()).unwrap_err();
    assert!(matches!(err, OpError::TooLarge { .. }), "{err}");
}
