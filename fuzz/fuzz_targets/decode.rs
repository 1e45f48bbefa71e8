//! Decoding hostile bytes, then a small pipeline and the encoder, on the CPU, through
//! `glint_kernels::process`: the path every front end takes.
//!
//! The limits are tight (1 megapixel, 1 MiB), so nothing the fuzzer finds can need much memory
//! legitimately: any `Err` is fine, while a panic, a hang (libFuzzer's `-timeout`) or memory
//! beyond what the limits allow (`-rss_limit_mb`) is a bug.
//!
//! The pipeline is picked by the input's length, so every input is a plain image file that
//! reproduces with `glint process FILE --ops PIPELINE` under the same limits.

#![no_main]

use std::sync::OnceLock;

use glint_kernels::{Backend, Limits, Pipeline};
use libfuzzer_sys::fuzz_target;

/// Each resizes (down, so the rest is cheap; JPEGs then take the shrink-on-load path) and runs
/// one filter, and between them they reach every encoder glint writes quickly.
const PIPELINES: &[&str] = &[
    "resize:64x64/sharpen:1/format:png",
    "resize:48x:fit=cover:filter=mitchell/blur:1.5/format:jpeg",
    "resize:40x40:fit=contain:bg=336699/edges/format:webp:lossless=true",
    "rotate:90/resize:x32:filter=nearest:linear=false/median:1",
    "flip:h/resize:32x24:fit=fill/emboss/format:webp:q=50",
    "resize:x64:filter=bilinear/levels:auto/format:png",
];

const LIMITS: Limits = Limits { max_pixels: 1 << 20, max_bytes: 1 << 20 };

fn pipelines() -> &'static [Pipeline] {
    static PARSED: OnceLock<Vec<Pipeline>> = OnceLock::new();
    PARSED.get_or_init(|| PIPELINES.iter().map(|p| Pipeline::parse(p).unwrap_or_else(|e| panic!("{p}: {e}"))).collect())
}

fuzz_target!(|data: &[u8]| {
    let pipelines = pipelines();
    let pipeline = &pipelines[data.len() % pipelines.len()];
    if let Ok(out) = glint_kernels::process(data, pipeline, Backend::Cpu, &LIMITS, None) {
        assert!(!out.bytes.is_empty());
        assert!(u64::from(out.width) * u64::from(out.height) <= LIMITS.max_pixels);
    }
});
