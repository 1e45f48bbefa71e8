//! The pipeline spec: what the user asks for, parsed and validated before any pixel is touched.
//!
//! A pipeline is written as a string (`resize:800x600:fit=cover/sharpen:1/format:webp`) or as
//! JSON (`[{"op":"resize","width":800,"height":600,"fit":"cover"}, ...]`); both parse into the
//! same [`Pipeline`]. Every op has one name used everywhere: the spec keyword, the [`Op`]
//! variant, the CPU file `cpu/<name>.rs` and the shader `shaders/<name>.wgsl`.
//!
//! [`Pipeline`]'s `Display` writes the canonical string form and [`Pipeline::to_json`] the JSON
//! form; parsing either gives back an equal pipeline.

mod args;
mod display;
mod parse;
mod table;

pub use table::{EXAMPLES, OP_NAMES, usage};

use crate::codec::Format;
use crate::error::SpecError;

/// A validated sequence of ops, applied in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    ops: Vec<Op>,
}

impl Pipeline {
    /// Parses a pipeline written as a string or, when it starts with `[`, as JSON.
    pub fn parse(text: &str) -> Result<Self, SpecError> {
        let trimmed = text.trim_start();
        if trimmed.starts_with('[') { parse::parse_json(trimmed) } else { parse::parse_text(text) }
    }

    /// Parses the JSON form: an array of objects each with an `"op"` field.
    pub fn from_json(value: &serde_json::Value) -> Result<Self, SpecError> {
        parse::parse_json_value(value)
    }

    /// Builds a pipeline from ops, checking the rules that span ops (at most one `format`).
    pub fn new(ops: Vec<Op>) -> Result<Self, SpecError> {
        if ops.is_empty() {
            return Err(SpecError::Empty);
        }
        if ops.iter().filter(|op| matches!(op, Op::Format(_))).count() > 1 {
            return Err(SpecError::Duplicate { op: "pipeline".into(), arg: "format".into() });
        }
        Ok(Pipeline { ops })
    }

    /// The ops in order.
    pub fn ops(&self) -> &[Op] {
        &self.ops
    }

    /// The output settings the pipeline names, if any.
    pub fn output(&self) -> Option<&FormatOp> {
        self.ops.iter().find_map(|op| match op {
            Op::Format(f) => Some(f),
            _ => None,
        })
    }

    /// The JSON form (an array of objects), which [`Pipeline::parse`] reads back.
    pub fn to_json(&self) -> serde_json::Value {
        display::to_json(self)
    }
}

impl std::str::FromStr for Pipeline {
    type Err = SpecError;
    fn from_str(s: &str) -> Result<Self, SpecError> {
        Pipeline::parse(s)
    }
}

/// One operation of the pipeline with its validated parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// `resize:WxH`: scale, with a fit mode, filter and options.
    Resize(Resize),
    /// `crop:X,Y,W,H`: cut out a rectangle.
    Crop(Crop),
    /// `rotate:90|180|270`: clockwise.
    Rotate(Rotate),
    /// `flip:h|v`: mirror.
    Flip(Flip),
    /// `blur:SIGMA`: Gaussian blur.
    Blur(Blur),
    /// `boxblur:R`: mean over a (2R+1)² box.
    Boxblur(Boxblur),
    /// `sharpen:SIGMA`: unsharp mask.
    Sharpen(Sharpen),
    /// `edges`: Sobel gradient magnitude.
    Edges,
    /// `emboss`: 3x3 emboss around mid grey.
    Emboss,
    /// `convolve:NxN:k,...`: custom kernel.
    Convolve(Convolve),
    /// `median:R`: median over a (2R+1)² window.
    Median(Median),
    /// `brightness:F`: add F*255.
    Brightness(Brightness),
    /// `contrast:F`: stretch around 128.
    Contrast(Contrast),
    /// `exposure:EV`: scale linear light by 2^EV.
    Exposure(Exposure),
    /// `gamma:G`: power curve.
    Gamma(Gamma),
    /// `saturation:F`: blend with luma grey.
    Saturation(Saturation),
    /// `hue:DEG`: rotate hue.
    Hue(Hue),
    /// `levels:B,W[,G]` or `levels:auto`.
    Levels(Levels),
    /// `equalize`: global histogram equalisation of luma.
    Equalize,
    /// `clahe`: contrast-limited adaptive histogram equalisation of luma.
    Clahe(Clahe),
    /// `temperature:K`: white-balance shift.
    Temperature(Temperature),
    /// `grayscale`: Rec.601 luma.
    Grayscale,
    /// `sepia`: sepia tone matrix.
    Sepia,
    /// `invert`: 255 - v.
    Invert,
    /// `enhance`: the auto-enhance preset (see [`Op::enhance_steps`]).
    Enhance,
    /// `format:jpeg|png|webp|avif`: output encoding.
    Format(FormatOp),
}

impl Op {
    /// The op's spec keyword, which is also the name of its CPU file and shader.
    pub fn name(&self) -> &'static str {
        match self {
            Op::Resize(_) => "resize",
            Op::Crop(_) => "crop",
            Op::Rotate(_) => "rotate",
            Op::Flip(_) => "flip",
            Op::Blur(_) => "blur",
            Op::Boxblur(_) => "boxblur",
            Op::Sharpen(_) => "sharpen",
            Op::Edges => "edges",
            Op::Emboss => "emboss",
            Op::Convolve(_) => "convolve",
            Op::Median(_) => "median",
            Op::Brightness(_) => "brightness",
            Op::Contrast(_) => "contrast",
            Op::Exposure(_) => "exposure",
            Op::Gamma(_) => "gamma",
            Op::Saturation(_) => "saturation",
            Op::Hue(_) => "hue",
            Op::Levels(_) => "levels",
            Op::Equalize => "equalize",
            Op::Clahe(_) => "clahe",
            Op::Temperature(_) => "temperature",
            Op::Grayscale => "grayscale",
            Op::Sepia => "sepia",
            Op::Invert => "invert",
            Op::Enhance => "enhance",
            Op::Format(_) => "format",
        }
    }

    /// What `enhance` stands for, in order: auto levels, gentle local contrast, a little
    /// saturation and a light sharpening. Fixed, so the preset is deterministic and both
    /// backends run exactly the same steps.
    pub fn enhance_steps() -> [Op; 4] {
        [
            Op::Levels(Levels::Auto),
            Op::Clahe(Clahe { tiles: 8, clip: 1.25 }),
            Op::Saturation(Saturation { factor: 1.1 }),
            Op::Sharpen(Sharpen { sigma: 1.0, amount: 0.5, threshold: 2 }),
        ]
    }
}

/// How `resize` fits the image to the requested box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fit {
    /// Fit within the box, keep the aspect ratio (default).
    #[default]
    Inside,
    /// Fit within the box and pad to exactly the box with `bg`.
    Contain,
    /// Fill the box, cropping the overflow at `gravity`.
    Cover,
    /// Stretch to the box, ignoring the aspect ratio.
    Fill,
    /// Cover the box without cropping.
    Outside,
}

/// Resampling filter of `resize`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Filter {
    /// Lanczos with 3 lobes (default).
    #[default]
    Lanczos3,
    /// Mitchell-Netravali, B = C = 1/3.
    Mitchell,
    /// Catmull-Rom cubic (B = 0, C = 1/2), as Pillow's and most tools' "bicubic".
    Bicubic,
    /// Triangle (linear interpolation, widened when shrinking).
    Bilinear,
    /// Nearest neighbour: the source pixel under each output pixel's centre.
    Nearest,
}

/// Where `cover` crops and `contain` places the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Gravity {
    /// Centred (default).
    #[default]
    Center,
    /// Top edge.
    North,
    /// Bottom edge.
    South,
    /// Right edge.
    East,
    /// Left edge.
    West,
    /// Top right.
    Northeast,
    /// Top left.
    Northwest,
    /// Bottom right.
    Southeast,
    /// Bottom left.
    Southwest,
}

impl Gravity {
    /// Offsets (x, y) that place an `inner` box within an `outer` box, both as (w, h).
    pub fn offset(self, outer: (u32, u32), inner: (u32, u32)) -> (u32, u32) {
        let ex = outer.0.saturating_sub(inner.0);
        let ey = outer.1.saturating_sub(inner.1);
        let (fx, fy) = match self {
            Gravity::Center => (1, 1),
            Gravity::North => (1, 0),
            Gravity::South => (1, 2),
            Gravity::East => (2, 1),
            Gravity::West => (0, 1),
            Gravity::Northeast => (2, 0),
            Gravity::Northwest => (0, 0),
            Gravity::Southeast => (2, 2),
            Gravity::Southwest => (0, 2),
        };
        (ex * fx / 2, ey * fy / 2)
    }
}

/// Parameters of `resize`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Resize {
    /// Box width; `None` follows the aspect ratio.
    pub width: Option<u32>,
    /// Box height; `None` follows the aspect ratio.
    pub height: Option<u32>,
    /// Fit mode.
    pub fit: Fit,
    /// Resampling filter.
    pub filter: Filter,
    /// Resample in linear light (decode sRGB, resample, re-encode).
    pub linear: bool,
    /// Allow upscaling.
    pub enlarge: bool,
    /// Anchor for `cover` crops and `contain` padding.
    pub gravity: Gravity,
    /// Padding colour for `contain` (RGBA); `None` is transparent, or white where the output
    /// format has no alpha.
    pub bg: Option<[u8; 4]>,
}

impl Resize {
    /// Largest width or height `resize` accepts.
    pub const MAX_SIDE: u32 = 65_535;

    /// A `resize` with the default options.
    pub fn new(width: Option<u32>, height: Option<u32>) -> Self {
        Resize {
            width,
            height,
            fit: Fit::Inside,
            filter: Filter::Lanczos3,
            linear: true,
            enlarge: false,
            gravity: Gravity::Center,
            bg: None,
        }
    }
}

/// Parameters of `crop`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crop {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width (>= 1).
    pub width: u32,
    /// Height (>= 1).
    pub height: u32,
}

/// Clockwise rotation of `rotate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotate {
    /// 90 degrees clockwise.
    R90,
    /// Half a turn.
    R180,
    /// 270 degrees clockwise (90 anticlockwise).
    R270,
}

impl Rotate {
    /// The angle in degrees.
    pub fn degrees(self) -> u32 {
        match self {
            Rotate::R90 => 90,
            Rotate::R180 => 180,
            Rotate::R270 => 270,
        }
    }
}

/// Axis of `flip`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flip {
    /// Mirror left-right.
    H,
    /// Mirror top-bottom.
    V,
}

/// Parameters of `blur`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Blur {
    /// Standard deviation in pixels, 0 < sigma <= 100.
    pub sigma: f32,
}

/// Parameters of `boxblur`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Boxblur {
    /// Box radius: the box is (2R+1)², 1 <= R <= 1000.
    pub radius: u32,
}

/// Parameters of `sharpen`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sharpen {
    /// Standard deviation of the blur that is subtracted, 0 < sigma <= 100.
    pub sigma: f32,
    /// Strength, 0..=10 (default 1).
    pub amount: f32,
    /// Differences smaller than this (0..=255) are left alone (default 0).
    pub threshold: u8,
}

/// Parameters of `convolve`.
#[derive(Debug, Clone, PartialEq)]
pub struct Convolve {
    /// Kernel side, odd, 3..=15.
    pub size: u32,
    /// size² weights, row-major.
    pub weights: Vec<f32>,
    /// Divisor; `None` means the sum of the weights, or 1 where that is 0.
    pub divisor: Option<f32>,
    /// Added after dividing.
    pub bias: f32,
}

impl Convolve {
    /// The divisor in effect.
    pub fn effective_divisor(&self) -> f32 {
        self.divisor.unwrap_or_else(|| {
            let sum: f32 = self.weights.iter().sum();
            if sum == 0.0 { 1.0 } else { sum }
        })
    }

    /// The fixed emboss kernel: a 3x3 gradient towards the bottom right, around mid grey.
    pub fn emboss() -> Self {
        Convolve {
            size: 3,
            weights: vec![-1.0, -1.0, 0.0, -1.0, 0.0, 1.0, 0.0, 1.0, 1.0],
            divisor: Some(1.0),
            bias: 128.0,
        }
    }
}

/// Parameters of `median`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Median {
    /// Window radius: the window is (2R+1)², 1 <= R <= 7.
    pub radius: u32,
}

/// Parameters of `brightness`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Brightness {
    /// Added as a fraction of full scale, -1..=1.
    pub amount: f32,
}

/// Parameters of `contrast`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Contrast {
    /// Slope around 128, 0..=10.
    pub factor: f32,
}

/// Parameters of `exposure`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Exposure {
    /// Stops, -10..=10.
    pub ev: f32,
}

/// Parameters of `gamma`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gamma {
    /// 0.1..=10; above 1 brightens.
    pub gamma: f32,
}

/// Parameters of `saturation`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Saturation {
    /// 0 (grey) ..=10; 1 leaves the image unchanged.
    pub factor: f32,
}

/// Parameters of `hue`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hue {
    /// Rotation of the HSV hue, -360..=360 degrees.
    pub degrees: f32,
}

/// Parameters of `levels`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Levels {
    /// Black and white points from the luma histogram, clipping 0.5% at each end.
    Auto,
    /// Map `black..white` to 0..255 with midtone gamma.
    Manual {
        /// Input black point, 0..=254.
        black: u8,
        /// Input white point, black < white <= 255.
        white: u8,
        /// Midtone gamma, 0.1..=10 (default 1).
        gamma: f32,
    },
}

/// Parameters of `clahe`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Clahe {
    /// Tiles per side, 1..=64 (default 8).
    pub tiles: u32,
    /// Contrast limit, as a multiple of the flat histogram's height, 0.1..=100 (default 2).
    pub clip: f32,
}

/// Parameters of `temperature`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Temperature {
    /// -100 (cooler) ..= 100 (warmer).
    pub amount: f32,
}

/// Parameters of `format`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FormatOp {
    /// Output format: one that glint writes.
    pub format: Format,
    /// Lossy quality 1..=100 (default 82); `None` when the format has no quality setting.
    pub quality: Option<u8>,
    /// Progressive JPEG.
    pub progressive: bool,
    /// Lossless WebP.
    pub lossless: bool,
}

impl FormatOp {
    /// Default lossy quality.
    pub const DEFAULT_QUALITY: u8 = 82;

    /// The format's defaults.
    pub fn new(format: Format) -> Self {
        FormatOp {
            format,
            quality: format.is_lossy().then_some(Self::DEFAULT_QUALITY),
            progressive: false,
            lossless: false,
        }
    }
}
