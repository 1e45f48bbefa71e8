//! Running pipelines on the device: every image is uploaded once, all its steps are recorded
//! into one submission (several images can share it), and each result is read back once.
//! Errors are captured with error scopes and device callbacks and come back as [`GpuError`];
//! the caller falls back to the CPU.

use std::time::{Duration, Instant};

use super::context::{Context, Fault, GpuError};
use super::record::{DeviceImage, Recorder};
use super::{filter, geometry, tone};
use crate::image::Image;
use crate::pipeline::Step;
use crate::spec::{Levels, Op, Pipeline};

/// Runs `pipeline` on `image` on the device, blocking until the result is back.
pub fn run(ctx: &Context, pipeline: &Pipeline, image: &Image) -> Result<Image, GpuError> {
    pollster::block_on(run_async(ctx, pipeline, image))
}

/// Runs `pipeline` on `image`; awaiting never blocks the caller's thread (the context's poller
/// thread drives the device), so async servers can call it from their worker threads.
pub async fn run_async(ctx: &Context, pipeline: &Pipeline, image: &Image) -> Result<Image, GpuError> {
    run_batch_async(ctx, &[(pipeline, image)])
        .await
        .pop()
        .unwrap_or_else(|| Err(GpuError::Validation("empty batch".into())))
}

/// Runs several pipelines on several images in one submission; one result per job, in order.
pub async fn run_batch_async(ctx: &Context, jobs: &[(&Pipeline, &Image)]) -> Vec<Result<Image, GpuError>> {
    let validation = ctx.device.push_error_scope(wgpu::ErrorFilter::Validation);
    let memory = ctx.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
    let mut rec = Recorder::new(ctx);
    let recorded: Vec<Result<(u32, u32, bool, wgpu::Buffer), GpuError>> = jobs
        .iter()
        .map(|(pipeline, image)| {
            let mut img = rec.upload(image)?;
            for step in pipeline.steps() {
                img = record_step(&mut rec, &step, img)?;
            }
            let staging = rec.read_back(&img)?;
            let meta = (img.width, img.height, img.alpha, staging);
            rec.retire(img.buffer);
            Ok(meta)
        })
        .collect();
    let (commands, release) = rec.finish();
    ctx.queue.submit([commands]);
    if ctx.take_fault() == Some(Fault::DestroyDeviceAfterSubmit) {
        ctx.device.destroy();
    }
    let scope_error = match (pollster::block_on(memory.pop()), pollster::block_on(validation.pop())) {
        (Some(e), _) => Some(GpuError::OutOfMemory(e.to_string())),
        (None, Some(e)) => Some(GpuError::Validation(e.to_string())),
        (None, None) => None,
    };

    let mut results = Vec::with_capacity(recorded.len());
    for r in recorded {
        let result = match (r, &scope_error) {
            (Err(e), _) => Err(e),
            (Ok(_), Some(e)) => Err(e.clone()),
            (Ok((w, h, alpha, staging)), None) => {
                let read = read(ctx, &staging, w, h, alpha).await;
                staging.unmap();
                ctx.give_buffer(staging);
                read
            }
        };
        results.push(result);
    }
    if let Some(e) = &scope_error {
        ctx.mark_broken(e.to_string());
    }
    if !ctx.is_healthy() {
        // Whatever came back after a fault cannot be trusted.
        let e = ctx.failure();
        return results.into_iter().map(|_| Err(e.clone())).collect();
    }
    for b in release {
        ctx.give_buffer(b);
    }
    results
}

async fn read(ctx: &Context, staging: &wgpu::Buffer, w: u32, h: u32, alpha: bool) -> Result<Image, GpuError> {
    let mapped = ctx.map_read(staging).await;
    if let Err(e) = mapped {
        ctx.mark_broken(e.to_string());
        return Err(e);
    }
    let len = u64::from(w) * u64::from(h) * 4;
    let view = staging.get_mapped_range(..len).map_err(|e| GpuError::Lost(e.to_string()))?;
    let data: Vec<u8> =
        if alpha { view.to_vec() } else { view.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect() };
    drop(view);
    Image::from_raw(w, h, if alpha { 4 } else { 3 }, data).map_err(|e| GpuError::Validation(e.to_string()))
}

/// Records one step; the input image is consumed (its buffer returns to the pool).
fn record_step(rec: &mut Recorder<'_>, step: &Step, img: DeviceImage) -> Result<DeviceImage, GpuError> {
    let op = match step {
        Step::Luts(luts) => return tone::lut(rec, img, luts),
        Step::Op(op) => op,
    };
    match op {
        Op::Resize(p) => geometry::resize(rec, img, p),
        Op::Crop(p) => geometry::crop(rec, img, p),
        Op::Rotate(p) => geometry::rotate(rec, img, *p),
        Op::Flip(p) => geometry::flip(rec, img, *p),
        Op::Blur(p) => filter::blur(rec, img, p),
        Op::Boxblur(p) => filter::boxblur(rec, img, p),
        Op::Sharpen(p) => filter::sharpen(rec, img, p),
        Op::Edges => filter::edges(rec, img),
        Op::Emboss => filter::emboss(rec, img),
        Op::Convolve(p) => filter::convolve(rec, img, p),
        Op::Median(p) => filter::median(rec, img, p),
        Op::Saturation(p) => tone::saturation(rec, img, p),
        Op::Hue(p) => tone::hue(rec, img, p),
        Op::Levels(Levels::Auto) => tone::levels_auto(rec, img),
        Op::Equalize => tone::equalize(rec, img),
        Op::Clahe(p) => tone::clahe(rec, img, p),
        Op::Grayscale => tone::grayscale(rec, img),
        Op::Sepia => tone::sepia(rec, img),
        // Per-channel tone ops arrive fused as `Step::Luts`; `enhance` is expanded and
        // `format` dropped by `Pipeline::steps`.
        Op::Brightness(_)
        | Op::Contrast(_)
        | Op::Exposure(_)
        | Op::Gamma(_)
        | Op::Levels(Levels::Manual { .. })
        | Op::Invert
        | Op::Temperature(_)
        | Op::Enhance
        | Op::Format(_) => Err(GpuError::Validation(format!("{} is not a device step", op.name()))),
    }
}

/// Time spent in each phase of one run, for `glint bench`.
#[derive(Debug, Clone, Copy, Default)]
pub struct PhaseTimes {
    /// Host to device copy of the input.
    pub upload: Duration,
    /// All the pipeline's kernels.
    pub kernels: Duration,
    /// Device to host copy of the result.
    pub readback: Duration,
    /// Bytes uploaded.
    pub upload_bytes: u64,
    /// Bytes read back.
    pub readback_bytes: u64,
}

/// Runs `pipeline` with each phase submitted and waited for on its own, and times them.
pub fn time_phases(ctx: &Context, pipeline: &Pipeline, image: &Image) -> Result<PhaseTimes, GpuError> {
    pollster::block_on(async {
        let mut times = PhaseTimes::default();
        let t = Instant::now();
        let mut rec = Recorder::new(ctx);
        let mut img = rec.upload(image)?;
        let (commands, mut release) = rec.finish();
        ctx.queue.submit([commands]);
        ctx.after_submitted_work().await?;
        times.upload = t.elapsed();
        times.upload_bytes = img.bytes();

        let t = Instant::now();
        let mut rec = Recorder::new(ctx);
        for step in pipeline.steps() {
            img = record_step(&mut rec, &step, img)?;
        }
        let (commands, more) = rec.finish();
        release.extend(more);
        ctx.queue.submit([commands]);
        ctx.after_submitted_work().await?;
        times.kernels = t.elapsed();

        let t = Instant::now();
        let mut rec = Recorder::new(ctx);
        let staging = rec.read_back(&img)?;
        let (commands, more) = rec.finish();
        release.extend(more);
        ctx.queue.submit([commands]);
        read(ctx, &staging, img.width, img.height, img.alpha).await?;
        times.readback = t.elapsed();
        times.readback_bytes = img.bytes();
        staging.unmap();
        ctx.give_buffer(staging);
        release.push(img.buffer);
        for b in release {
            ctx.give_buffer(b);
        }
        if ctx.is_healthy() { Ok(times) } else { Err(ctx.failure()) }
    })
}
