//! Truncation sweep: every prefix of valid images, in steps (every byte through the headers,
//! then a few hundred cuts through the data), must decode or fail with an error value, never
//! panic, and what decodes must go through a resize. The in-repo fixtures cover every format
//! glint reads, so this runs without the corpus; an extended variant sweeps corpus photos.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail by panicking")]

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use common::{fixture, testdata};
use glint_kernels::codec::{DecodeOptions, decode_with, probe};
use glint_kernels::{Backend, Limits, Pipeline};

/// The prefix lengths tried: every one through the first `dense` bytes, then `steps` more.
fn cuts(len: usize, dense: usize, steps: usize) -> Vec<usize> {
    let mut v: Vec<usize> = (0..dense.min(len)).collect();
    let step = (len / steps).max(1);
    v.extend((dense..len).step_by(step));
    v.push(len.saturating_sub(1));
    v
}

/// Sweeps one file; returns (prefixes tried, prefixes that decoded).
fn sweep(path: &Path, dense: usize, steps: usize) -> (usize, usize) {
    let bytes = std::fs::read(path).unwrap();
    let limits = Limits::default();
    let resize = Pipeline::parse("resize:64x64").unwrap();
    let (mut tried, mut decoded) = (0, 0);
    for cut in cuts(bytes.len(), dense, steps) {
        let prefix = &bytes[..cut];
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let _ = probe(prefix, &limits);
            // Both the full decode and the shrink-on-load path.
            for options in [DecodeOptions::default(), DecodeOptions { at_least: Some((16, 16)) }] {
                match decode_with(prefix, &limits, &options) {
                    Ok(d) => {
                        resize.run(d.image, Backend::Cpu, &limits).unwrap();
                        return true;
                    }
                    Err(e) => {
                        let msg = e.to_string();
                        assert!(!msg.is_empty() && !msg.contains('\n'), "error message {msg:?}");
                    }
                }
            }
            false
        }));
        match outcome {
            Ok(ok) => decoded += usize::from(ok),
            Err(_) => panic!("{}: the prefix of {cut} of {} bytes panicked", path.display(), bytes.len()),
        }
        tried += 1;
    }
    (tried, decoded)
}

#[test]
fn every_prefix_of_the_fixtures_decodes_or_fails_cleanly() {
    let mut total = (0, 0);
    for name in [
        "decode/hopper.jpg",
        "decode/imagers_progressive_test.jpg",
        "decode/pillow_cmyk.jpg",
        "decode/basi3p08.png",
        "decode/basi6a16.png",
        "decode/basn3p01.png",
        "decode/hopper_p3.png",
        "decode/imagers_lossless_simple.webp",
        "decode/imagers_lossy_alpha.webp",
        "decode/pillow_hopper_orientation_6.webp",
        "decode/pillow_hopper.gif",
        "decode/pillow_iss634_anim.gif",
        "decode/hopper.tif",
        "flower.png",
    ] {
        let (tried, decoded) = sweep(&fixture(name), 512, 200);
        println!("{name:<45} {tried:>4} prefixes, {decoded:>3} decoded");
        total.0 += tried;
        total.1 += decoded;
    }
    println!("{} prefixes tried, {} decoded, the rest refused cleanly", total.0, total.1);
}

#[test]
#[ignore = "extended run: needs the shared corpus (../shared/testdata or GLINT_TESTDATA)"]
fn every_prefix_of_corpus_images_decodes_or_fails_cleanly() {
    for name in [
        "photos/ianare_jolla_8MP.jpg",
        "jpeg_variants/imagers_progressive_cat.jpg",
        "png/imagers_apng_ball.png",
        "png/vips_sample_16bit_rgb.png",
        "webp_gif/pillow_flower.webp",
        "webp_gif/imagers_anim.webp",
        "webp_gif/vips_cogs_anim.gif",
    ] {
        let path = testdata().join(name);
        if !path.is_file() {
            // The corpus's names are fixed; a missing one is a broken corpus, not a skip.
            panic!("{name} is missing from the corpus");
        }
        let (tried, decoded) = sweep(&path, 256, 60);
        println!("{name:<45} {tried:>4} prefixes, {decoded:>3} decoded");
    }
}
