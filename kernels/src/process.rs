//! The whole job for one input held in memory: decode, run the pipeline, encode. Every front
//! end (the CLI, the HTTP server, the function runtime) goes through here.
//!
//! When the pipeline starts by shrinking the image, a JPEG is decoded already shrunk (1/2, 1/4
//! or 1/8, in the DCT domain: far less work and memory), and the first resize is rewritten to
//! produce exactly the size, window and canvas it would have produced from the full image.

use std::time::Instant;

use crate::codec::{self, DecodeOptions, Format};
use crate::derived::resample;
use crate::error::Error;
use crate::limits::Limits;
use crate::pipeline::Backend;
use crate::spec::{Crop, Filter, Fit, Op, Pipeline, Resize};

/// A finished result.
#[derive(Debug)]
pub struct Output {
    /// The encoded file.
    pub bytes: Vec<u8>,
    /// Its format.
    pub format: Format,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The format of the input.
    pub input_format: Format,
    /// The backend that did the work.
    pub backend: Backend,
    /// Why the GPU was asked but the CPU did the work, if that happened.
    pub fallback: Option<String>,
    /// Time spent in each stage.
    pub timings: Timings,
}

/// Wall-clock time of each stage of [`process`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timings {
    /// Reading the header and decoding to pixels.
    pub decode: std::time::Duration,
    /// Running the pipeline.
    pub process: std::time::Duration,
    /// Encoding the result.
    pub encode: std::time::Duration,
}

/// Decodes `input`, runs `pipeline` and encodes the result. The output format is the
/// pipeline's `format` op, else `destination` (e.g. from a file extension), else the input's
/// format where glint writes it, else PNG.
pub fn process(
    input: &[u8],
    pipeline: &Pipeline,
    backend: Backend,
    limits: &Limits,
    destination: Option<Format>,
) -> Result<Output, Error> {
    let started = Instant::now();
    let shrink = shrink_on_load(input, pipeline, limits);
    let options = DecodeOptions { at_least: shrink.as_ref().map(|s| s.at_least) };
    let decoded = codec::decode_with(input, limits, &options)?;
    let decode = started.elapsed();
    let out = codec::output_format(pipeline.output(), destination, decoded.format);
    let rewritten = match shrink {
        Some(s) if decoded.shrink > 1 => Some(s.pipeline),
        _ => None,
    };
    let started = Instant::now();
    let done = rewritten.as_ref().unwrap_or(pipeline).execute(decoded.image, backend, limits)?;
    let process = started.elapsed();
    let started = Instant::now();
    let bytes = codec::encode(&done.image, &out)?;
    let encode = started.elapsed();
    Ok(Output {
        bytes,
        format: out.format,
        width: done.image.width(),
        height: done.image.height(),
        input_format: decoded.format,
        backend: done.backend,
        fallback: done.fallback,
        timings: Timings { decode, process, encode },
    })
}

/// How to decode smaller, and the pipeline to run on the smaller image.
struct Shrink {
    at_least: (u32, u32),
    pipeline: Pipeline,
}

/// For a JPEG whose pipeline begins with a resize that at least halves it: the size to decode
/// at (the resize's full scaled size, twice that in linear light so most of the shrinking
/// still happens there), and the pipeline with that resize pinned to its original geometry.
fn shrink_on_load(input: &[u8], pipeline: &Pipeline, limits: &Limits) -> Option<Shrink> {
    let first = pipeline.ops().iter().position(|op| !matches!(op, Op::Format(_)))?;
    let Op::Resize(r) = &pipeline.ops()[first] else { return None };
    if r.filter == Filter::Nearest {
        return None;
    }
    let probe = codec::probe(input, limits).ok().filter(|p| p.format == Format::Jpeg)?;
    let (w, h) = probe.upright_size();
    let plan = resample::plan(r, w, h);
    let gap = if r.linear { 2 } else { 1 };
    let at_least = (plan.scaled.0.saturating_mul(gap), plan.scaled.1.saturating_mul(gap));
    if at_least.0.saturating_mul(2) > w || at_least.1.saturating_mul(2) > h {
        return None;
    }
    // The resize to exactly the planned size, then what the fit mode does after it.
    let mut exact =
        Resize { width: Some(plan.scaled.0), height: Some(plan.scaled.1), fit: Fit::Fill, enlarge: true, ..*r };
    exact.bg = None;
    let mut ops: Vec<Op> = pipeline.ops()[..first].to_vec();
    ops.push(Op::Resize(exact));
    let (x, y, ww, wh) = plan.window;
    if (ww, wh) != plan.scaled {
        ops.push(Op::Crop(Crop { x, y, width: ww, height: wh }));
    }
    if plan.canvas != (ww, wh) {
        ops.push(Op::Resize(Resize { enlarge: false, ..*r }));
    }
    ops.extend_from_slice(&pipeline.ops()[first + 1..]);
    Some(Shrink { at_least, pipeline: Pipeline::new(ops).ok()? })
}
