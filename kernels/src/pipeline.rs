//! Running a [`Pipeline`] on an image: the ops are planned first (output size of every step
//! checked against the limits, `enhance` expanded, consecutive per-channel tone ops fused into
//! one table pass), then executed on a backend.

use crate::cpu;
use crate::derived::resample;
use crate::derived::tone::{self, ChannelLuts};
use crate::error::OpError;
use crate::image::Image;
use crate::limits::Limits;
use crate::spec::{Op, Pipeline, Rotate};

/// Where ops execute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The CPU implementations, on all cores.
    Cpu,
}

impl Backend {
    /// Lower-case name, as in `--backend`.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Cpu => "cpu",
        }
    }
}

/// One step of an execution plan.
#[derive(Debug, Clone)]
pub enum Step {
    /// An op as written.
    Op(Op),
    /// One or more per-channel tone ops, fused into one set of tables (boxed: 768 bytes).
    Luts(Box<ChannelLuts>),
}

impl Pipeline {
    /// The steps a backend executes: `enhance` expanded into its parts, `format` dropped (it
    /// only concerns the encoder), runs of per-channel tone ops fused.
    pub fn steps(&self) -> Vec<Step> {
        let mut steps: Vec<Step> = Vec::new();
        let mut expanded = Vec::new();
        for op in self.ops() {
            match op {
                Op::Enhance => expanded.extend(Op::enhance_steps()),
                Op::Format(_) => {}
                other => expanded.push(other.clone()),
            }
        }
        for op in expanded {
            match (tone::luts_for(&op), steps.last_mut()) {
                (Some(next), Some(Step::Luts(prev))) => **prev = prev.then(&next),
                (Some(luts), _) => steps.push(Step::Luts(Box::new(luts))),
                (None, _) => steps.push(Step::Op(op)),
            }
        }
        steps
    }

    /// The size of the result for an input of `width` x `height`, checking every intermediate
    /// image against the pixel limit and every `crop` against the image it applies to.
    pub fn output_size(&self, width: u32, height: u32, limits: &Limits) -> Result<(u32, u32), OpError> {
        let (mut w, mut h) = (width, height);
        for op in self.ops() {
            (w, h) = match op {
                Op::Resize(r) => resample::plan(r, w, h).canvas,
                Op::Crop(c) => {
                    if u64::from(c.x) + u64::from(c.width) > u64::from(w)
                        || u64::from(c.y) + u64::from(c.height) > u64::from(h)
                    {
                        return Err(OpError::CropOutside {
                            x: c.x,
                            y: c.y,
                            w: c.width,
                            h: c.height,
                            width: w,
                            height: h,
                        });
                    }
                    (c.width, c.height)
                }
                Op::Rotate(Rotate::R90 | Rotate::R270) => (h, w),
                _ => (w, h),
            };
            let pixels = u64::from(w) * u64::from(h);
            if pixels > limits.max_pixels {
                return Err(OpError::TooLarge {
                    op: op.name(),
                    width: w.into(),
                    height: h.into(),
                    max: limits.max_pixels,
                });
            }
        }
        Ok((w, h))
    }

    /// Runs the pipeline on `image`.
    pub fn run(&self, image: Image, backend: Backend, limits: &Limits) -> Result<Image, OpError> {
        self.output_size(image.width(), image.height(), limits)?;
        match backend {
            Backend::Cpu => {
                let mut image = image;
                for step in self.steps() {
                    image = match step {
                        Step::Op(op) => cpu::run(&op, image)?,
                        Step::Luts(luts) => {
                            cpu::point::apply_luts(&mut image, &luts);
                            image
                        }
                    };
                }
                Ok(image)
            }
        }
    }
}
