//! The op table: for every op, how it is written (usage), which arguments it takes, how the
//! text form's positional values map to named arguments, and how the arguments become an
//! [`Op`] with every value range-checked.

use super::args::{Args, Value};
use super::{
    Blur, Boxblur, Brightness, Clahe, Contrast, Convolve, Crop, Exposure, Filter, Fit, Flip, FormatOp, Gamma, Gravity,
    Hue, Levels, Median, Op, Resize, Rotate, Saturation, Sharpen, Temperature,
};
use crate::codec::Format;
use crate::error::SpecError;

/// One op's entry.
pub(super) struct OpDef {
    pub name: &'static str,
    pub usage: &'static str,
    /// Names of every argument, positional ones first, in the order positional values fill them.
    pub args: &'static [&'static str],
    /// How positional values of the text form are split into named arguments.
    pub positional: Positional,
    pub build: fn(&mut Args) -> Result<Op, SpecError>,
}

/// The shape of an op's positional values in the text form.
#[derive(Clone, Copy)]
pub(super) enum Positional {
    /// Each value fills the next argument of `args`, up to `n` of them.
    Each(usize),
    /// `WxH`, either side may be empty: `width`, `height`.
    Size,
    /// `X,Y,W,H`.
    Rect,
    /// `NxN` then the weights.
    Kernel,
    /// `auto` or `B,W[,G]`.
    Levels,
}

const FITS: &[(&str, Fit)] = &[
    ("inside", Fit::Inside),
    ("contain", Fit::Contain),
    ("cover", Fit::Cover),
    ("fill", Fit::Fill),
    ("outside", Fit::Outside),
];
const FILTERS: &[(&str, Filter)] = &[
    ("lanczos3", Filter::Lanczos3),
    ("mitchell", Filter::Mitchell),
    ("bicubic", Filter::Bicubic),
    ("bilinear", Filter::Bilinear),
    ("nearest", Filter::Nearest),
];
const GRAVITIES: &[(&str, Gravity)] = &[
    ("center", Gravity::Center),
    ("north", Gravity::North),
    ("south", Gravity::South),
    ("east", Gravity::East),
    ("west", Gravity::West),
    ("northeast", Gravity::Northeast),
    ("northwest", Gravity::Northwest),
    ("southeast", Gravity::Southeast),
    ("southwest", Gravity::Southwest),
];
const FORMATS: &[(&str, Format)] = &[
    ("jpeg", Format::Jpeg),
    ("jpg", Format::Jpeg),
    ("png", Format::Png),
    ("webp", Format::Webp),
    ("avif", Format::Avif),
];

pub(super) fn fit_name(f: Fit) -> &'static str {
    name_of(FITS, f)
}
pub(super) fn filter_name(f: Filter) -> &'static str {
    name_of(FILTERS, f)
}
pub(super) fn gravity_name(g: Gravity) -> &'static str {
    name_of(GRAVITIES, g)
}
fn name_of<T: PartialEq + Copy>(table: &[(&'static str, T)], v: T) -> &'static str {
    table.iter().find(|(_, t)| *t == v).map_or("?", |(n, _)| *n)
}

macro_rules! ops {
    ($($name:literal, $usage:literal, $example:literal, [$($arg:literal),*], $pos:expr, $build:expr;)*) => {
        pub(super) const TABLE: &[OpDef] = &[
            $(OpDef { name: $name, usage: $usage, args: &[$($arg),*], positional: $pos, build: $build },)*
        ];
        /// A typical use of every op, in the order of [`OP_NAMES`].
        pub const EXAMPLES: &[&str] = &[$($example),*];
        /// Every op name, in the order of the contract.
        pub const OP_NAMES: &[&str] = &[$($name),*];
    };
}

ops! {
    "resize", "resize:WxH[:fit=inside|contain|cover|fill|outside][:filter=lanczos3|mitchell|bicubic|bilinear|nearest][:linear=true|false][:enlarge=false|true][:gravity=center|north|...][:bg=RRGGBB[AA]]", "resize:800x600:fit=cover",
        ["width", "height", "fit", "filter", "linear", "enlarge", "gravity", "bg"], Positional::Size, build_resize;
    "crop", "crop:X,Y,W,H", "crop:10,10,400,300", ["x", "y", "width", "height"], Positional::Rect, build_crop;
    "rotate", "rotate:90|180|270", "rotate:90", ["angle"], Positional::Each(1), build_rotate;
    "flip", "flip:h|v", "flip:h", ["axis"], Positional::Each(1), build_flip;
    "blur", "blur:SIGMA (0 < SIGMA <= 100)", "blur:3", ["sigma"], Positional::Each(1), build_blur;
    "boxblur", "boxblur:R (1 <= R <= 1000)", "boxblur:5", ["radius"], Positional::Each(1), build_boxblur;
    "sharpen", "sharpen:SIGMA[:amount=1.0][:threshold=0]", "sharpen:1.5:amount=0.8", ["sigma", "amount", "threshold"], Positional::Each(1), build_sharpen;
    "edges", "edges", "edges", [], Positional::Each(0), |_| Ok(Op::Edges);
    "emboss", "emboss", "emboss", [], Positional::Each(0), |_| Ok(Op::Emboss);
    "convolve", "convolve:NxN:k,k,...[:divisor=SUM][:bias=0] (N odd, 3..15, N*N weights)", "convolve:3x3:0,-1,0,-1,5,-1,0,-1,0", ["size", "kernel", "divisor", "bias"], Positional::Kernel, build_convolve;
    "median", "median:R (1 <= R <= 7)", "median:2", ["radius"], Positional::Each(1), build_median;
    "brightness", "brightness:F (-1 <= F <= 1)", "brightness:0.1", ["amount"], Positional::Each(1), build_brightness;
    "contrast", "contrast:F (0 <= F <= 10)", "contrast:1.3", ["factor"], Positional::Each(1), build_contrast;
    "exposure", "exposure:EV (-10 <= EV <= 10)", "exposure:0.5", ["ev"], Positional::Each(1), build_exposure;
    "gamma", "gamma:G (0.1 <= G <= 10)", "gamma:1.4", ["gamma"], Positional::Each(1), build_gamma;
    "saturation", "saturation:F (0 <= F <= 10)", "saturation:1.3", ["factor"], Positional::Each(1), build_saturation;
    "hue", "hue:DEG (-360 <= DEG <= 360)", "hue:30", ["degrees"], Positional::Each(1), build_hue;
    "levels", "levels:B,W[,G] or levels:auto", "levels:10,240,1.2", ["black", "white", "gamma", "auto"], Positional::Levels, build_levels;
    "equalize", "equalize", "equalize", [], Positional::Each(0), |_| Ok(Op::Equalize);
    "clahe", "clahe[:tiles=8][:clip=2.0]", "clahe:tiles=8:clip=2", ["tiles", "clip"], Positional::Each(0), build_clahe;
    "temperature", "temperature:K (-100 <= K <= 100)", "temperature:25", ["amount"], Positional::Each(1), build_temperature;
    "grayscale", "grayscale", "grayscale", [], Positional::Each(0), |_| Ok(Op::Grayscale);
    "sepia", "sepia", "sepia", [], Positional::Each(0), |_| Ok(Op::Sepia);
    "invert", "invert", "invert", [], Positional::Each(0), |_| Ok(Op::Invert);
    "enhance", "enhance", "enhance", [], Positional::Each(0), |_| Ok(Op::Enhance);
    "format", "format:jpeg|png|webp|avif[:q=1..100][:progressive=true][:lossless=true]", "format:webp:q=80", ["format", "q", "progressive", "lossless"], Positional::Each(1), build_format;
}

/// How an op is written, for help texts; `None` for an unknown name.
pub fn usage(name: &str) -> Option<&'static str> {
    lookup(name).map(|d| d.usage)
}

pub(super) fn lookup(name: &str) -> Option<&'static OpDef> {
    TABLE.iter().find(|d| d.name == name)
}

pub(super) fn unknown_op(name: &str) -> SpecError {
    SpecError::UnknownOp { name: name.into(), known: OP_NAMES.join(", ") }
}

/// Maps the text form's positional values onto named arguments.
pub(super) fn fill_positional(def: &OpDef, values: &[&str], args: &mut Args) -> Result<(), SpecError> {
    let extra = |v: &str| SpecError::ExtraValue { op: def.name.into(), value: v.into(), usage: def.usage.into() };
    let text = |s: &str| Value::Text(s.trim().to_string());
    match def.positional {
        Positional::Each(n) => {
            if let Some(v) = values.get(n) {
                return Err(extra(v));
            }
            for (name, v) in def.args.iter().zip(values) {
                args.insert(name, text(v))?;
            }
        }
        Positional::Size => {
            if let Some(v) = values.get(1) {
                return Err(extra(v));
            }
            if let Some(v) = values.first() {
                let Some((w, h)) = v.split_once('x') else {
                    return Err(SpecError::Invalid {
                        op: def.name.into(),
                        arg: "size".into(),
                        value: (*v).into(),
                        allowed: "WxH, with W or H possibly empty (800x600, 800x, x600)".into(),
                    });
                };
                if !w.trim().is_empty() {
                    args.insert("width", text(w))?;
                }
                if !h.trim().is_empty() {
                    args.insert("height", text(h))?;
                }
            }
        }
        Positional::Rect => {
            if let Some(v) = values.get(1) {
                return Err(extra(v));
            }
            if let Some(v) = values.first() {
                let parts: Vec<&str> = v.split(',').collect();
                if parts.len() != 4 {
                    return Err(SpecError::Invalid {
                        op: def.name.into(),
                        arg: "rectangle".into(),
                        value: (*v).into(),
                        allowed: "X,Y,W,H: four whole numbers".into(),
                    });
                }
                for (name, p) in ["x", "y", "width", "height"].iter().zip(parts) {
                    args.insert(name, text(p))?;
                }
            }
        }
        Positional::Kernel => {
            if let Some(v) = values.get(2) {
                return Err(extra(v));
            }
            if let Some(v) = values.first() {
                let n = match v.split_once('x') {
                    Some((a, b)) if a.trim() == b.trim() => a,
                    _ => {
                        return Err(SpecError::Invalid {
                            op: def.name.into(),
                            arg: "size".into(),
                            value: (*v).into(),
                            allowed: "NxN, a square kernel with odd N from 3 to 15".into(),
                        });
                    }
                };
                args.insert("size", text(n))?;
            }
            if let Some(v) = values.get(1) {
                args.insert("kernel", text(v))?;
            }
        }
        Positional::Levels => {
            if let Some(v) = values.get(1) {
                return Err(extra(v));
            }
            if let Some(v) = values.first() {
                if v.trim() == "auto" {
                    args.insert("auto", Value::Bool(true))?;
                } else {
                    let parts: Vec<&str> = v.split(',').collect();
                    if !(2..=3).contains(&parts.len()) {
                        return Err(SpecError::Invalid {
                            op: def.name.into(),
                            arg: "levels".into(),
                            value: (*v).into(),
                            allowed: "auto, or B,W[,G]".into(),
                        });
                    }
                    for (name, p) in ["black", "white", "gamma"].iter().zip(parts) {
                        args.insert(name, text(p))?;
                    }
                }
            }
        }
    }
    Ok(())
}

fn req<T>(args: &Args, name: &str, v: Option<T>) -> Result<T, SpecError> {
    v.ok_or_else(|| args.missing(name))
}

fn build_resize(a: &mut Args) -> Result<Op, SpecError> {
    let width = a.int("width", 1, Resize::MAX_SIDE)?;
    let height = a.int("height", 1, Resize::MAX_SIDE)?;
    if width.is_none() && height.is_none() {
        return Err(a.missing("width or height"));
    }
    let mut r = Resize::new(width, height);
    r.fit = a.choice("fit", FITS)?.unwrap_or_default();
    r.filter = a.choice("filter", FILTERS)?.unwrap_or_default();
    r.linear = a.boolean("linear")?.unwrap_or(true);
    r.enlarge = a.boolean("enlarge")?.unwrap_or(false);
    r.gravity = a.choice("gravity", GRAVITIES)?.unwrap_or_default();
    if let Some(bg) = a.text("bg")? {
        r.bg = Some(
            parse_hex_colour(&bg)
                .ok_or_else(|| a.invalid("bg", &Value::Text(bg.clone()), "RRGGBB or RRGGBBAA in hex"))?,
        );
    }
    Ok(Op::Resize(r))
}

/// `RRGGBB` or `RRGGBBAA` (an optional leading `#` is accepted).
fn parse_hex_colour(s: &str) -> Option<[u8; 4]> {
    let s = s.strip_prefix('#').unwrap_or(s);
    if !(s.len() == 6 || s.len() == 8) || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&s[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?, if s.len() == 8 { byte(6)? } else { 255 }])
}

fn build_crop(a: &mut Args) -> Result<Op, SpecError> {
    let x = a.int("x", 0, u32::MAX)?;
    let y = a.int("y", 0, u32::MAX)?;
    let w = a.int("width", 1, u32::MAX)?;
    let h = a.int("height", 1, u32::MAX)?;
    Ok(Op::Crop(Crop {
        x: req(a, "x", x)?,
        y: req(a, "y", y)?,
        width: req(a, "width", w)?,
        height: req(a, "height", h)?,
    }))
}

fn build_rotate(a: &mut Args) -> Result<Op, SpecError> {
    let Some(v) = a.take("angle") else { return Err(a.missing("angle")) };
    let deg = match &v {
        Value::Text(s) => s.trim().parse::<i64>().ok(),
        Value::Num(n) if n.fract() == 0.0 => Some(*n as i64),
        _ => None,
    };
    match deg {
        Some(90) => Ok(Op::Rotate(Rotate::R90)),
        Some(180) => Ok(Op::Rotate(Rotate::R180)),
        Some(270) => Ok(Op::Rotate(Rotate::R270)),
        _ => Err(a.invalid("angle", &v, "90, 180 or 270 (clockwise)")),
    }
}

fn build_flip(a: &mut Args) -> Result<Op, SpecError> {
    let axis = a.choice("axis", &[("h", Flip::H), ("v", Flip::V)])?;
    Ok(Op::Flip(req(a, "axis", axis)?))
}

fn build_blur(a: &mut Args) -> Result<Op, SpecError> {
    let sigma = a.float("sigma", 0.0, 100.0, true)?;
    Ok(Op::Blur(Blur { sigma: req(a, "sigma", sigma)? }))
}

fn build_boxblur(a: &mut Args) -> Result<Op, SpecError> {
    let radius = a.int("radius", 1, 1000)?;
    Ok(Op::Boxblur(Boxblur { radius: req(a, "radius", radius)? }))
}

fn build_sharpen(a: &mut Args) -> Result<Op, SpecError> {
    let sigma = a.float("sigma", 0.0, 100.0, true)?;
    let sigma = req(a, "sigma", sigma)?;
    let amount = a.float("amount", 0.0, 10.0, false)?.unwrap_or(1.0);
    let threshold = a.int("threshold", 0, 255)?.unwrap_or(0) as u8;
    Ok(Op::Sharpen(Sharpen { sigma, amount, threshold }))
}

fn build_convolve(a: &mut Args) -> Result<Op, SpecError> {
    let size = a.int("size", 3, 15)?;
    let size = req(a, "size", size)?;
    if size % 2 == 0 {
        return Err(a.invalid("size", &Value::Num(f64::from(size)), "an odd number from 3 to 15"));
    }
    let weights = a.numbers("kernel")?;
    let weights = req(a, "kernel", weights)?;
    let n = (size * size) as usize;
    if weights.len() != n {
        return Err(SpecError::Invalid {
            op: a.op().into(),
            arg: "kernel".into(),
            value: format!("{} weights", weights.len()),
            allowed: format!("exactly {n} weights for a {size}x{size} kernel"),
        });
    }
    if weights.iter().any(|w| w.abs() > 1e4) {
        return Err(SpecError::Invalid {
            op: a.op().into(),
            arg: "kernel".into(),
            value: "a weight beyond 10000".into(),
            allowed: "weights from -10000 to 10000".into(),
        });
    }
    let divisor = a.float("divisor", -1e6, 1e6, false)?;
    if divisor == Some(0.0) {
        return Err(a.invalid("divisor", &Value::Num(0.0), "a non-zero number"));
    }
    let bias = a.float("bias", -1024.0, 1024.0, false)?.unwrap_or(0.0);
    Ok(Op::Convolve(Convolve { size, weights, divisor, bias }))
}

fn build_median(a: &mut Args) -> Result<Op, SpecError> {
    let radius = a.int("radius", 1, 7)?;
    Ok(Op::Median(Median { radius: req(a, "radius", radius)? }))
}

fn build_brightness(a: &mut Args) -> Result<Op, SpecError> {
    let amount = a.float("amount", -1.0, 1.0, false)?;
    Ok(Op::Brightness(Brightness { amount: req(a, "amount", amount)? }))
}

fn build_contrast(a: &mut Args) -> Result<Op, SpecError> {
    let factor = a.float("factor", 0.0, 10.0, false)?;
    Ok(Op::Contrast(Contrast { factor: req(a, "factor", factor)? }))
}

fn build_exposure(a: &mut Args) -> Result<Op, SpecError> {
    let ev = a.float("ev", -10.0, 10.0, false)?;
    Ok(Op::Exposure(Exposure { ev: req(a, "ev", ev)? }))
}

fn build_gamma(a: &mut Args) -> Result<Op, SpecError> {
    let gamma = a.float("gamma", 0.1, 10.0, false)?;
    Ok(Op::Gamma(Gamma { gamma: req(a, "gamma", gamma)? }))
}

fn build_saturation(a: &mut Args) -> Result<Op, SpecError> {
    let factor = a.float("factor", 0.0, 10.0, false)?;
    Ok(Op::Saturation(Saturation { factor: req(a, "factor", factor)? }))
}

fn build_hue(a: &mut Args) -> Result<Op, SpecError> {
    let degrees = a.float("degrees", -360.0, 360.0, false)?;
    Ok(Op::Hue(Hue { degrees: req(a, "degrees", degrees)? }))
}

fn build_levels(a: &mut Args) -> Result<Op, SpecError> {
    let auto = a.boolean("auto")?.unwrap_or(false);
    let black = a.int("black", 0, 254)?;
    let white = a.int("white", 1, 255)?;
    let gamma = a.float("gamma", 0.1, 10.0, false)?;
    if auto {
        if black.is_some() || white.is_some() || gamma.is_some() {
            return Err(SpecError::Invalid {
                op: a.op().into(),
                arg: "auto".into(),
                value: "true".into(),
                allowed: "either auto or B,W[,G], not both".into(),
            });
        }
        return Ok(Op::Levels(Levels::Auto));
    }
    let black = req(a, "black", black)? as u8;
    let white = req(a, "white", white)? as u8;
    if black >= white {
        return Err(SpecError::Invalid {
            op: a.op().into(),
            arg: "white".into(),
            value: white.to_string(),
            allowed: format!("a white point above the black point {black}"),
        });
    }
    Ok(Op::Levels(Levels::Manual { black, white, gamma: gamma.unwrap_or(1.0) }))
}

fn build_clahe(a: &mut Args) -> Result<Op, SpecError> {
    let tiles = a.int("tiles", 1, 64)?.unwrap_or(8);
    let clip = a.float("clip", 0.1, 100.0, false)?.unwrap_or(2.0);
    Ok(Op::Clahe(Clahe { tiles, clip }))
}

fn build_temperature(a: &mut Args) -> Result<Op, SpecError> {
    let amount = a.float("amount", -100.0, 100.0, false)?;
    Ok(Op::Temperature(Temperature { amount: req(a, "amount", amount)? }))
}

fn build_format(a: &mut Args) -> Result<Op, SpecError> {
    let format = a.choice("format", FORMATS)?;
    let format = req(a, "format", format)?;
    let mut out = FormatOp::new(format);
    let q = a.int("q", 1, 100)?;
    let progressive = a.boolean("progressive")?;
    let lossless = a.boolean("lossless")?;
    let only_for = |arg: &str, formats: &str| SpecError::Invalid {
        op: "format".into(),
        arg: arg.into(),
        value: format.name().into(),
        allowed: format!("{arg} applies to {formats} only"),
    };
    if let Some(q) = q {
        if !format.is_lossy() {
            return Err(only_for("q", "jpeg, webp and avif"));
        }
        out.quality = Some(q as u8);
    }
    if let Some(p) = progressive {
        if format != Format::Jpeg {
            return Err(only_for("progressive", "jpeg"));
        }
        out.progressive = p;
    }
    if let Some(l) = lossless {
        if format != Format::Webp {
            return Err(only_for("lossless", "webp"));
        }
        out.lossless = l;
    }
    Ok(Op::Format(out))
}
