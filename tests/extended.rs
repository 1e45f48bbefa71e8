//! The extended run, on the third-party corpus beside the repository (`../shared/testdata`, or
//! `GLINT_TESTDATA`): real photographs up to 12 MP, every EXIF orientation set, every valid
//! image of the corpus, and the damaged files (refused, except the valid images listed in
//! `tests/hostile/accepted.rs`). These tests fail, never skip, when the corpus is
//! missing. They are `#[ignore]`d so a plain `cargo test` runs without the corpus; CI and the
//! README's test command run them with `--include-ignored`.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail by panicking")]

#[path = "hostile/accepted.rs"]
mod accepted;
mod common;

use std::path::{Path, PathBuf};

use accepted::ACCEPTED;
use common::{compare, testdata};
use glint_kernels::codec::{decode, probe};
use glint_kernels::{Backend, Image, Limits, Pipeline};

fn files(dir: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(testdata().join(dir))
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

fn decode_file(path: &Path) -> glint_kernels::Decoded {
    let bytes = std::fs::read(path).unwrap();
    decode(&bytes, &Limits::default()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The eight layouts of an image: which one matches `reference` best, and how well.
fn best_layout(img: &Image, reference: &Image) -> (String, f64) {
    let mut best = (String::new(), f64::NEG_INFINITY);
    for spec in [
        "flip:h/flip:h",
        "rotate:90",
        "rotate:180",
        "rotate:270",
        "flip:h",
        "flip:v",
        "rotate:90/flip:h",
        "rotate:270/flip:h",
    ] {
        let candidate = common::run(spec, img);
        if (candidate.width(), candidate.height()) != (reference.width(), reference.height()) {
            continue;
        }
        let psnr = compare(&candidate, reference).psnr;
        if psnr > best.1 {
            best = (spec.to_string(), psnr);
        }
    }
    best
}

#[test]
#[ignore = "extended run: needs the shared corpus (../shared/testdata or GLINT_TESTDATA)"]
fn every_exif_orientation_comes_out_upright() {
    let dir = "exif_orientation";
    let mut checked = 0;
    for path in files(dir) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        // The tag-1 image of each set.
        let reference = if name.starts_with("recurser_Landscape") {
            testdata().join(dir).join("recurser_Landscape_1.jpg")
        } else if name.starts_with("recurser_Portrait") {
            testdata().join(dir).join("recurser_Portrait_1.jpg")
        } else if name.starts_with("pillow_hopper") {
            testdata().join("photos/pillow_hopper.jpg")
        } else {
            panic!("{name}: which set is this?");
        };
        let img = decode_file(&path).image;
        let reference = decode_file(&reference).image;
        let (how, psnr) = best_layout(&img, &reference);
        println!("{name:<40} best layout {how:<18} {psnr:>6.1} dB");
        assert_eq!(how, "flip:h/flip:h", "{name} is not upright (it matches best after {how})");
        assert!(psnr > 24.0, "{name}: {psnr:.1} dB from its tag-1 image");
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} files");
}

/// Valid inputs glint declines, with the reason it gives.
const DECLINED: &[(&str, &str)] = &[
    ("jpeg_variants/imgproxy_test1.arith.jpg", "arithmetic"),
    ("jpeg_variants/pillow_ultrahdr.jpg", "truncated"),
    ("png/imgpng_cicp_pq.png", ""),
];

#[test]
#[ignore = "extended run: needs the shared corpus (../shared/testdata or GLINT_TESTDATA)"]
fn every_valid_image_of_the_corpus_decodes() {
    let mut n = 0;
    for dir in ["photos", "jpeg_variants", "png", "webp_gif", "pngsuite"] {
        for path in files(dir) {
            let rel = format!("{dir}/{}", path.file_name().unwrap().to_string_lossy());
            if dir == "pngsuite" && rel.starts_with("pngsuite/x") {
                continue; // PngSuite's deliberately broken files
            }
            let bytes = std::fs::read(&path).unwrap();
            let result = decode(&bytes, &Limits::default());
            if let Some((_, reason)) = DECLINED.iter().find(|(f, _)| *f == rel) {
                if let Err(e) = result {
                    assert!(e.to_string().contains(reason), "{rel}: {e}");
                }
                continue;
            }
            let d = result.unwrap_or_else(|e| panic!("{rel}: {e}"));
            let p = probe(&bytes, &Limits::default()).unwrap();
            assert_eq!((d.image.width(), d.image.height()), p.upright_size(), "{rel}");
            n += 1;
        }
    }
    println!("{n} valid images decoded");
    assert!(n > 150);
}

#[test]
#[ignore = "extended run: needs the shared corpus (../shared/testdata or GLINT_TESTDATA)"]
fn broken_files_fail_cleanly() {
    let mut rejected = 0;
    for dir in ["corrupt", "malicious"] {
        for path in files(dir) {
            let bytes = std::fs::read(&path).unwrap();
            let name = format!("{dir}/{}", path.file_name().unwrap().to_string_lossy());
            let valid = ACCEPTED.iter().any(|(f, _)| *f == name);
            // A panic here fails the test: errors must come back as values.
            match decode(&bytes, &Limits::default()) {
                Err(e) => {
                    let msg = e.to_string();
                    assert!(!msg.is_empty() && !msg.contains('\n'), "{name}: {msg:?}");
                    assert!(!valid, "{name} is listed as a valid image but was refused: {msg}");
                    rejected += 1;
                }
                Ok(d) => assert!(valid, "{name}: accepted as {}x{}", d.image.width(), d.image.height()),
            }
        }
    }
    println!("{rejected} damaged or hostile files rejected, {} valid ones accepted", ACCEPTED.len());
    assert!(rejected >= 35);
}

#[test]
#[ignore = "extended run: needs the shared corpus (../shared/testdata or GLINT_TESTDATA)"]
fn twelve_megapixel_photographs_through_every_op() {
    let path = testdata().join("photos/ianare_42_IndexError_12MP.jpg");
    let d = decode_file(&path);
    assert_eq!((d.image.width(), d.image.height()), (4032, 3024));
    let limits = Limits::default();
    for spec in glint_kernels::spec::EXAMPLES {
        let p = Pipeline::parse(spec).unwrap();
        let out = p.run(d.image.clone(), Backend::Cpu, &limits).unwrap_or_else(|e| panic!("{spec}: {e}"));
        let want = p.output_size(4032, 3024, &limits).unwrap();
        assert_eq!((out.width(), out.height()), want, "{spec}");
    }
}

#[test]
#[ignore = "extended run: needs the shared corpus (../shared/testdata or GLINT_TESTDATA)"]
fn tone_formulas_hold_on_a_large_photograph() {
    let img = decode_file(&testdata().join("photos/ianare_iphone_hdr_NO_8MP.jpg")).image;
    let out = common::run("gamma:2.2", &img);
    let worst = img
        .data()
        .iter()
        .zip(out.data())
        .map(|(&v, &o)| {
            let e = (255.0 * (f64::from(v) / 255.0).powf(1.0 / 2.2)).round() as u8;
            e.abs_diff(o)
        })
        .max()
        .unwrap();
    assert!(worst <= 1, "gamma off by {worst}");
}
