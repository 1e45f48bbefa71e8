//! Running a [`Pipeline`] on an image: the ops are planned first (output size of every step
//! checked against the limits, `enhance` expanded, consecutive per-channel tone ops fused into
//! one table pass), then executed on a backend.

use crate::cpu;
use crate::derived::resample;
use crate::derived::tone::{self, ChannelLuts};
use crate::error::OpError;
use crate::gpu;
use crate::image::Image;
use crate::limits::Limits;
use crate::spec::{Op, Pipeline, Rotate};

/// Where ops execute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The CPU implementations, on all cores.
    Cpu,
    /// The WGSL shaders on the process's GPU context ([`gpu::shared`]), whatever adapter it
    /// holds; a GPU fault makes that request run on the CPU instead.
    Gpu,
}

impl Backend {
    /// Lower-case name, as in `--backend`.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Cpu => "cpu",
            Backend::Gpu => "gpu",
        }
    }
}

/// A result and how it was made.
#[derive(Debug)]
pub struct Execution {
    /// The resulting image.
    pub image: Image,
    /// The backend that produced it.
    pub backend: Backend,
    /// Why the GPU was asked but the CPU did the work, if that happened.
    pub fallback: Option<String>,
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
        self.execute(image, backend, limits).map(|e| e.image)
    }

    /// Runs the pipeline on `image` and reports which backend did the work. On the GPU, a
    /// device fault or an image too large for the device makes this request run on the CPU
    /// (the fault also marks the context for rebuilding before the next request).
    pub fn execute(&self, image: Image, backend: Backend, limits: &Limits) -> Result<Execution, OpError> {
        self.output_size(image.width(), image.height(), limits)?;
        if backend == Backend::Gpu {
            let ctx = gpu::shared(gpu::AdapterPolicy::Any)?;
            match gpu::run(&ctx, self, &image) {
                Ok(image) => return Ok(Execution { image, backend: Backend::Gpu, fallback: None }),
                Err(e) => {
                    if !matches!(e, gpu::GpuError::TooLarge(_)) {
                        ctx.mark_broken(e.to_string());
                    }
                    let image = self.run_cpu(image)?;
                    return Ok(Execution { image, backend: Backend::Cpu, fallback: Some(e.to_string()) });
                }
            }
        }
        Ok(Execution { image: self.run_cpu(image)?, backend: Backend::Cpu, fallback: None })
    }

    fn run_cpu(&self, image: Image) -> Result<Image, OpError> {
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
