//! glint's engine: the pipeline spec, image decoding and encoding, and the ops on each backend.
//!
//! ```text
//! bytes --codec::decode(limits, EXIF orientation, ICC -> sRGB)--> Image
//!       --Pipeline::run(backend)--> Image --codec::encode(format, quality)--> bytes
//! ```
//!
//! This crate knows nothing of clouds or servers: the `glint-runtime` crate and the `glint`
//! binary build on it.

#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod codec;
pub mod cpu;
pub mod derived;
pub mod error;
pub mod gpu;
pub mod image;
pub mod limits;
pub mod pipeline;
pub mod process;
pub mod spec;

pub use codec::{Decoded, Format, decode, encode};
pub use error::{DecodeError, EncodeError, Error, OpError, SpecError};
pub use image::Image;
pub use limits::Limits;
pub use pipeline::{Backend, Execution, Step};
pub use process::{Output, Timings, process};
pub use spec::{Op, Pipeline};
