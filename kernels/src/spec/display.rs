//! Writing a pipeline back out: the canonical text form (`Display`) and the JSON form. Defaults
//! are left out of the text form, so the shortest correct spelling is what gets printed.

use std::fmt::{self, Display, Formatter, Write as _};

use serde_json::{Map, Value as J, json};

use super::table::{filter_name, fit_name, gravity_name};
use super::{Convolve, FormatOp, Levels, Op, Pipeline, Resize};

impl Display for Pipeline {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, op) in self.ops.iter().enumerate() {
            if i > 0 {
                f.write_char('/')?;
            }
            write!(f, "{op}")?;
        }
        Ok(())
    }
}

impl Display for Op {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())?;
        match self {
            Op::Resize(r) => write_resize(f, r),
            Op::Crop(c) => write!(f, ":{},{},{},{}", c.x, c.y, c.width, c.height),
            Op::Rotate(r) => write!(f, ":{}", r.degrees()),
            Op::Flip(a) => f.write_str(if *a == super::Flip::H { ":h" } else { ":v" }),
            Op::Blur(b) => write!(f, ":{}", b.sigma),
            Op::Boxblur(b) => write!(f, ":{}", b.radius),
            Op::Sharpen(s) => {
                write!(f, ":{}", s.sigma)?;
                if s.amount != 1.0 {
                    write!(f, ":amount={}", s.amount)?;
                }
                if s.threshold != 0 {
                    write!(f, ":threshold={}", s.threshold)?;
                }
                Ok(())
            }
            Op::Convolve(c) => write_convolve(f, c),
            Op::Median(m) => write!(f, ":{}", m.radius),
            Op::Brightness(b) => write!(f, ":{}", b.amount),
            Op::Contrast(c) => write!(f, ":{}", c.factor),
            Op::Exposure(e) => write!(f, ":{}", e.ev),
            Op::Gamma(g) => write!(f, ":{}", g.gamma),
            Op::Saturation(s) => write!(f, ":{}", s.factor),
            Op::Hue(h) => write!(f, ":{}", h.degrees),
            Op::Levels(Levels::Auto) => f.write_str(":auto"),
            Op::Levels(Levels::Manual { black, white, gamma }) => {
                write!(f, ":{black},{white}")?;
                if *gamma != 1.0 {
                    write!(f, ",{gamma}")?;
                }
                Ok(())
            }
            Op::Clahe(c) => {
                if c.tiles != 8 {
                    write!(f, ":tiles={}", c.tiles)?;
                }
                if c.clip != 2.0 {
                    write!(f, ":clip={}", c.clip)?;
                }
                Ok(())
            }
            Op::Temperature(t) => write!(f, ":{}", t.amount),
            Op::Format(o) => write_format(f, o),
            Op::Edges | Op::Emboss | Op::Equalize | Op::Grayscale | Op::Sepia | Op::Invert | Op::Enhance => Ok(()),
        }
    }
}

fn write_resize(f: &mut Formatter<'_>, r: &Resize) -> fmt::Result {
    f.write_char(':')?;
    if let Some(w) = r.width {
        write!(f, "{w}")?;
    }
    f.write_char('x')?;
    if let Some(h) = r.height {
        write!(f, "{h}")?;
    }
    let d = Resize::new(r.width, r.height);
    if r.fit != d.fit {
        write!(f, ":fit={}", fit_name(r.fit))?;
    }
    if r.filter != d.filter {
        write!(f, ":filter={}", filter_name(r.filter))?;
    }
    if r.linear != d.linear {
        write!(f, ":linear={}", r.linear)?;
    }
    if r.enlarge != d.enlarge {
        write!(f, ":enlarge={}", r.enlarge)?;
    }
    if r.gravity != d.gravity {
        write!(f, ":gravity={}", gravity_name(r.gravity))?;
    }
    if let Some(bg) = r.bg {
        write!(f, ":bg={}", hex_colour(bg))?;
    }
    Ok(())
}

fn hex_colour(c: [u8; 4]) -> String {
    if c[3] == 255 {
        format!("{:02x}{:02x}{:02x}", c[0], c[1], c[2])
    } else {
        format!("{:02x}{:02x}{:02x}{:02x}", c[0], c[1], c[2], c[3])
    }
}

fn write_convolve(f: &mut Formatter<'_>, c: &Convolve) -> fmt::Result {
    write!(f, ":{0}x{0}:", c.size)?;
    for (i, w) in c.weights.iter().enumerate() {
        if i > 0 {
            f.write_char(',')?;
        }
        write!(f, "{w}")?;
    }
    if let Some(d) = c.divisor {
        write!(f, ":divisor={d}")?;
    }
    if c.bias != 0.0 {
        write!(f, ":bias={}", c.bias)?;
    }
    Ok(())
}

fn write_format(f: &mut Formatter<'_>, o: &FormatOp) -> fmt::Result {
    write!(f, ":{}", o.format.name())?;
    if let Some(q) = o.quality.filter(|q| *q != FormatOp::DEFAULT_QUALITY) {
        write!(f, ":q={q}")?;
    }
    if o.progressive {
        f.write_str(":progressive=true")?;
    }
    if o.lossless {
        f.write_str(":lossless=true")?;
    }
    Ok(())
}

/// A float as JSON, through its shortest decimal so `0.1` stays `0.1`.
fn num(x: f32) -> J {
    x.to_string().parse::<f64>().map_or(J::Null, |v| json!(v))
}

pub(super) fn to_json(p: &Pipeline) -> J {
    J::Array(p.ops.iter().map(op_json).collect())
}

fn op_json(op: &Op) -> J {
    let mut m = Map::new();
    m.insert("op".into(), json!(op.name()));
    let mut put = |k: &str, v: J| {
        m.insert(k.into(), v);
    };
    match op {
        Op::Resize(r) => {
            if let Some(w) = r.width {
                put("width", json!(w));
            }
            if let Some(h) = r.height {
                put("height", json!(h));
            }
            put("fit", json!(fit_name(r.fit)));
            put("filter", json!(filter_name(r.filter)));
            put("linear", json!(r.linear));
            put("enlarge", json!(r.enlarge));
            put("gravity", json!(gravity_name(r.gravity)));
            if let Some(bg) = r.bg {
                put("bg", json!(hex_colour(bg)));
            }
        }
        Op::Crop(c) => {
            put("x", json!(c.x));
            put("y", json!(c.y));
            put("width", json!(c.width));
            put("height", json!(c.height));
        }
        Op::Rotate(r) => put("angle", json!(r.degrees())),
        Op::Flip(a) => put("axis", json!(if *a == super::Flip::H { "h" } else { "v" })),
        Op::Blur(b) => put("sigma", num(b.sigma)),
        Op::Boxblur(b) => put("radius", json!(b.radius)),
        Op::Sharpen(s) => {
            put("sigma", num(s.sigma));
            put("amount", num(s.amount));
            put("threshold", json!(s.threshold));
        }
        Op::Convolve(c) => {
            put("size", json!(c.size));
            put("kernel", J::Array(c.weights.iter().map(|w| num(*w)).collect()));
            if let Some(d) = c.divisor {
                put("divisor", num(d));
            }
            put("bias", num(c.bias));
        }
        Op::Median(m) => put("radius", json!(m.radius)),
        Op::Brightness(b) => put("amount", num(b.amount)),
        Op::Contrast(c) => put("factor", num(c.factor)),
        Op::Exposure(e) => put("ev", num(e.ev)),
        Op::Gamma(g) => put("gamma", num(g.gamma)),
        Op::Saturation(s) => put("factor", num(s.factor)),
        Op::Hue(h) => put("degrees", num(h.degrees)),
        Op::Levels(Levels::Auto) => put("auto", json!(true)),
        Op::Levels(Levels::Manual { black, white, gamma }) => {
            put("black", json!(black));
            put("white", json!(white));
            put("gamma", num(*gamma));
        }
        Op::Clahe(c) => {
            put("tiles", json!(c.tiles));
            put("clip", num(c.clip));
        }
        Op::Temperature(t) => put("amount", num(t.amount)),
        Op::Format(o) => {
            put("format", json!(o.format.name()));
            if let Some(q) = o.quality {
                put("q", json!(q));
            }
            if o.format == crate::codec::Format::Jpeg {
                put("progressive", json!(o.progressive));
            }
            if o.format == crate::codec::Format::Webp {
                put("lossless", json!(o.lossless));
            }
        }
        Op::Edges | Op::Emboss | Op::Equalize | Op::Grayscale | Op::Sepia | Op::Invert | Op::Enhance => {}
    }
    J::Object(m)
}
