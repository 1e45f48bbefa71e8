//! Helpers shared by the integration tests: fixture paths, loading images, comparing them.

#![allow(dead_code, reason = "each test binary uses a different subset")]
#![allow(clippy::expect_used, reason = "test helpers fail by panicking")]

use std::path::PathBuf;

use glint_kernels::{Image, Limits, Pipeline, decode};

/// A file under `tests/fixtures`.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// The shared third-party corpus: `GLINT_TESTDATA`, else `../shared/testdata` beside the
/// repository. Extended tests fail (never skip) when it is missing.
pub fn testdata() -> PathBuf {
    let dir = std::env::var_os("GLINT_TESTDATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata"));
    assert!(dir.join("MANIFEST.tsv").is_file(), "test corpus not found at {}: set GLINT_TESTDATA", dir.display());
    dir
}

/// Decodes a file with glint's decoder (exact for PNG).
pub fn load(path: impl Into<PathBuf>) -> Image {
    let path = path.into();
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    decode(&bytes, &Limits::default()).unwrap_or_else(|e| panic!("{}: {e}", path.display())).image
}

/// A fixture image.
pub fn load_fixture(name: &str) -> Image {
    load(fixture(name))
}

/// Runs a pipeline on the CPU.
pub fn run(spec: &str, image: &Image) -> Image {
    let p = Pipeline::parse(spec).unwrap_or_else(|e| panic!("{spec}: {e}"));
    p.run(image.clone(), glint_kernels::Backend::Cpu, &Limits::default()).unwrap_or_else(|e| panic!("{spec}: {e}"))
}

/// Per-channel differences over the colour channels (and alpha where both have it).
pub struct Diff {
    pub max: u8,
    pub psnr: f64,
}

/// Compares two images of the same size.
pub fn compare(a: &Image, b: &Image) -> Diff {
    assert_eq!((a.width(), a.height()), (b.width(), b.height()), "sizes differ");
    let ch = a.channels().min(b.channels());
    let (mut max, mut sq, mut n) = (0u8, 0f64, 0u64);
    for (pa, pb) in a.data().chunks_exact(a.channels()).zip(b.data().chunks_exact(b.channels())) {
        for c in 0..ch {
            let d = pa[c].abs_diff(pb[c]);
            max = max.max(d);
            sq += f64::from(d) * f64::from(d);
            n += 1;
        }
    }
    let mse = sq / n as f64;
    let psnr = if mse == 0.0 { f64::INFINITY } else { 10.0 * (255.0f64 * 255.0 / mse).log10() };
    Diff { max, psnr }
}

/// A synthetic image with every 8-bit value in each channel: R = x, G = y, B = a mix.
pub fn ramp() -> Image {
    let mut data = Vec::with_capacity(256 * 256 * 3);
    for y in 0..256u32 {
        for x in 0..256u32 {
            data.extend([x as u8, y as u8, ((x * 7 + y * 13) % 256) as u8]);
        }
    }
    Image::from_raw(256, 256, 3, data).expect("ramp")
}

/// A synthetic w x h RGB image with structure (for geometry tests).
pub fn card(w: u32, h: u32) -> Image {
    let mut data = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            data.extend([(x % 256) as u8, (y % 256) as u8, ((x ^ y) % 256) as u8]);
        }
    }
    Image::from_raw(w, h, 3, data).expect("card")
}
