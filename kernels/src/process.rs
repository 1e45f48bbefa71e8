//! The whole job for one input held in memory: decode, run the pipeline, encode. Every front
//! end (the CLI, the HTTP server, the function runtime) goes through here.

use crate::codec::{self, Format};
use crate::error::Error;
use crate::limits::Limits;
use crate::pipeline::Backend;
use crate::spec::Pipeline;

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
    let decoded = codec::decode(input, limits)?;
    let out = codec::output_format(pipeline.output(), destination, decoded.format);
    let done = pipeline.execute(decoded.image, backend, limits)?;
    let bytes = codec::encode(&done.image, &out)?;
    Ok(Output {
        bytes,
        format: out.format,
        width: done.image.width(),
        height: done.image.height(),
        input_format: decoded.format,
        backend: done.backend,
        fallback: done.fallback,
    })
}
