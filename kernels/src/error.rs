//! Error types, one enum per area; each message says what was wrong and what is allowed, so it
//! can be shown to the user as it is.

use thiserror::Error;

/// A pipeline spec that cannot be run: found before any pixel is touched.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SpecError {
    /// Nothing to do.
    #[error("empty pipeline: give at least one op, e.g. resize:800x")]
    Empty,
    /// The text is not a pipeline at all (bad JSON, empty op between slashes ...).
    #[error("pipeline syntax: {0}")]
    Syntax(String),
    /// An op name that does not exist.
    #[error("unknown op '{name}'; known ops: {known}")]
    UnknownOp {
        /// What was written.
        name: String,
        /// The list of valid op names.
        known: String,
    },
    /// A key the op does not take.
    #[error("{op}: unknown argument '{arg}'; {op} takes: {allowed}")]
    UnknownArg {
        /// The op.
        op: String,
        /// The key that was given.
        arg: String,
        /// The keys it takes.
        allowed: String,
    },
    /// More positional values than the op takes.
    #[error("{op}: unexpected value '{value}'; usage: {usage}")]
    ExtraValue {
        /// The op.
        op: String,
        /// The surplus value.
        value: String,
        /// How the op is written.
        usage: String,
    },
    /// A required argument that was not given.
    #[error("{op}: missing {arg}; usage: {usage}")]
    Missing {
        /// The op.
        op: String,
        /// The argument's name.
        arg: String,
        /// How the op is written.
        usage: String,
    },
    /// A value of the wrong kind or out of range.
    #[error("{op}: {arg}={value} is not allowed: {allowed}")]
    Invalid {
        /// The op.
        op: String,
        /// The argument's name.
        arg: String,
        /// What was given.
        value: String,
        /// What is allowed.
        allowed: String,
    },
    /// The same argument twice, or `format` twice.
    #[error("{op}: {arg} given twice")]
    Duplicate {
        /// The op.
        op: String,
        /// The argument (or op) repeated.
        arg: String,
    },
}

/// Why bytes could not be turned into an [`crate::Image`].
#[derive(Debug, Error)]
pub enum DecodeError {
    /// The input is larger than `GLINT_MAX_BYTES`.
    #[error("input is {bytes} bytes, over the limit of {max} bytes (GLINT_MAX_BYTES)")]
    TooManyBytes {
        /// Size of the input.
        bytes: u64,
        /// The limit in force.
        max: u64,
    },
    /// The header declares more pixels than `GLINT_MAX_PIXELS`.
    #[error("image is {width}x{height} = {pixels} pixels, over the limit of {max} (GLINT_MAX_PIXELS)")]
    TooManyPixels {
        /// Declared width.
        width: u64,
        /// Declared height.
        height: u64,
        /// width x height.
        pixels: u64,
        /// The limit in force.
        max: u64,
    },
    /// Recognised, but not a format glint decodes.
    #[error("unsupported image format: {0} (glint reads JPEG, PNG, WebP, GIF and TIFF)")]
    UnsupportedFormat(String),
    /// A supported format using a feature the decoder lacks.
    #[error("unsupported {0}")]
    UnsupportedFeature(String),
    /// Not recognisable as any image format.
    #[error(
        "not an image: the data does not start with the signature of a supported format (JPEG, PNG, WebP, GIF, TIFF)"
    )]
    Unrecognised,
    /// The input is empty.
    #[error("empty input")]
    Empty,
    /// Damaged or truncated data, or a feature of the format the decoder lacks.
    #[error("corrupt or unreadable {format}: {reason}")]
    Corrupt {
        /// The format it claims to be.
        format: &'static str,
        /// What the decoder said.
        reason: String,
    },
}

/// Why an image could not be written.
#[derive(Debug, Error)]
pub enum EncodeError {
    /// The encoder refused the image.
    #[error("could not encode {format}: {reason}")]
    Failed {
        /// Target format.
        format: &'static str,
        /// What the encoder said.
        reason: String,
    },
}

/// An op that is valid as written but cannot apply to this particular image.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OpError {
    /// `crop` reaching outside the image.
    #[error("crop:{x},{y},{w},{h} does not lie inside the {width}x{height} image")]
    CropOutside {
        /// Requested left edge.
        x: u32,
        /// Requested top edge.
        y: u32,
        /// Requested width.
        w: u32,
        /// Requested height.
        h: u32,
        /// Image width at that point of the pipeline.
        width: u32,
        /// Image height at that point of the pipeline.
        height: u32,
    },
    /// An op would produce an image larger than the pixel limit.
    #[error("{op} would make a {width}x{height} image, over the limit of {max} pixels (GLINT_MAX_PIXELS)")]
    TooLarge {
        /// The op.
        op: &'static str,
        /// Resulting width.
        width: u64,
        /// Resulting height.
        height: u64,
        /// The limit in force.
        max: u64,
    },
    /// The requested backend cannot run.
    #[error("backend unavailable: {0}")]
    Backend(String),
    /// A broken invariant inside glint (a bug): reported instead of panicking.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Any failure of glint's engine, for callers that do not care which stage failed.
#[derive(Debug, Error)]
pub enum Error {
    /// Bad pipeline.
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// Bad input image.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// Op could not apply.
    #[error(transparent)]
    Op(#[from] OpError),
    /// Output could not be written.
    #[error(transparent)]
    Encode(#[from] EncodeError),
}
