//! Recording GPU work: images on the device, and dispatches over bands of rows.
//!
//! Every dispatch covers a band of output rows and binds only the rows of its input and output
//! that the band touches (as sub-ranges of the image buffers), plus scratch sized for the band.
//! Bands are as tall as the device's storage-binding limit allows, so an image larger than that
//! limit is processed in several bands (with halos for the filters) instead of being refused;
//! on a large GPU one band is the whole image.

use bytemuck::Pod;
use wgpu::util::DeviceExt;

use super::context::{Context, GpuError};
use super::params::Frame;
use crate::image::Image;

/// An image on the device: packed RGBA8 pixels (red in the low byte), one u32 each.
pub(crate) struct DeviceImage {
    pub buffer: wgpu::Buffer,
    pub width: u32,
    pub height: u32,
    /// Whether the image carries alpha (the CPU side's fourth channel); without it the alpha
    /// bytes are 255 and ignored.
    pub alpha: bool,
}

impl DeviceImage {
    pub fn bytes(&self) -> u64 {
        u64::from(self.width) * u64::from(self.height) * 4
    }
}

/// What a binding is bound to.
#[derive(Clone, Copy)]
pub(crate) enum Resource<'a> {
    /// A whole buffer.
    Whole(&'a wgpu::Buffer),
    /// `size` bytes of a buffer from `offset`.
    Range(&'a wgpu::Buffer, u64, u64),
}

/// Buffer usage of images and scratch.
pub(crate) const STORAGE: wgpu::BufferUsages =
    wgpu::BufferUsages::STORAGE.union(wgpu::BufferUsages::COPY_SRC).union(wgpu::BufferUsages::COPY_DST);

/// Collects the commands of one submission.
pub(crate) struct Recorder<'c> {
    pub ctx: &'c Context,
    encoder: wgpu::CommandEncoder,
    /// Small buffers (parameters, tables) that must outlive the submission.
    keep: Vec<wgpu::Buffer>,
    /// Pooled buffers to give back once the submission has completed.
    release: Vec<wgpu::Buffer>,
}

impl<'c> Recorder<'c> {
    pub fn new(ctx: &'c Context) -> Self {
        let encoder = ctx.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("glint") });
        Recorder { ctx, encoder, keep: Vec::new(), release: Vec::new() }
    }

    /// Queues the image's upload (ahead of this recorder's commands) into a device image.
    pub fn upload(&mut self, image: &Image) -> Result<DeviceImage, GpuError> {
        let out = self.new_image(image.width(), image.height(), image.has_alpha())?;
        let packed: Vec<u8> = if image.has_alpha() {
            image.data().to_vec()
        } else {
            image.data().chunks_exact(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect()
        };
        self.ctx.queue.write_buffer(&out.buffer, 0, &packed);
        Ok(out)
    }

    /// A new device image (contents undefined until written).
    pub fn new_image(&mut self, width: u32, height: u32, alpha: bool) -> Result<DeviceImage, GpuError> {
        let buffer = self.ctx.take_buffer(u64::from(width) * u64::from(height) * 4, STORAGE)?;
        Ok(DeviceImage { buffer, width, height, alpha })
    }

    /// Scratch storage of `bytes`, returned to the pool after the submission.
    pub fn scratch(&mut self, bytes: u64) -> Result<wgpu::Buffer, GpuError> {
        if bytes > self.ctx.binding_limit() {
            return Err(GpuError::TooLarge(format!("{bytes} bytes of scratch in one binding")));
        }
        self.ctx.take_buffer(bytes, STORAGE)
    }

    /// Storage holding `data` (weights, tables).
    pub fn table<T: Pod>(&mut self, data: &[T]) -> wgpu::Buffer {
        let contents = bytemuck::cast_slice(data);
        let buffer = self.ctx.device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("glint table"),
            contents: if contents.is_empty() { &[0; 4] } else { contents },
            usage: wgpu::BufferUsages::STORAGE,
        });
        self.keep.push(buffer.clone());
        buffer
    }

    /// Storage of `bytes` zeroed by this submission (histograms).
    pub fn zeroed(&mut self, bytes: u64) -> Result<wgpu::Buffer, GpuError> {
        let buffer = self.ctx.take_buffer(bytes, STORAGE)?;
        self.encoder.clear_buffer(&buffer, 0, None);
        Ok(buffer)
    }

    /// Hands a pooled buffer back once this submission is done with it.
    pub fn retire(&mut self, buffer: wgpu::Buffer) {
        self.release.push(buffer);
    }

    /// Records one dispatch of `entry` with `params` at binding 0 and `resources` at theirs.
    /// Every binding the entry point uses must be supplied.
    pub fn dispatch<P: Pod>(
        &mut self,
        entry: &str,
        params: &P,
        resources: &[(u32, Resource<'_>)],
        groups: [u32; 3],
    ) -> Result<(), GpuError> {
        let compiled = self.ctx.pipeline(entry)?;
        let uniform = self.ctx.device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some(entry),
            contents: bytemuck::bytes_of(params),
            usage: wgpu::BufferUsages::UNIFORM,
        });
        let mut entries = Vec::with_capacity(compiled.entry.bindings.len());
        for b in compiled.entry.bindings {
            let resource = if b.binding == 0 {
                uniform.as_entire_binding()
            } else {
                match resources.iter().find(|(n, _)| *n == b.binding) {
                    Some((_, Resource::Whole(buf))) => buf.as_entire_binding(),
                    Some((_, Resource::Range(buf, offset, size))) => {
                        wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                            buffer: buf,
                            offset: *offset,
                            size: wgpu::BufferSize::new(*size),
                        })
                    }
                    None => {
                        return Err(GpuError::Validation(format!(
                            "{entry}: nothing bound to binding {} ({})",
                            b.binding, b.name
                        )));
                    }
                }
            };
            entries.push(wgpu::BindGroupEntry { binding: b.binding, resource });
        }
        let group = self.ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(entry),
            layout: &compiled.layout,
            entries: &entries,
        });
        {
            let mut pass = self
                .encoder
                .begin_compute_pass(&wgpu::ComputePassDescriptor { label: Some(entry), timestamp_writes: None });
            pass.set_pipeline(&compiled.pipeline);
            pass.set_bind_group(0, &group, &[]);
            pass.dispatch_workgroups(groups[0].max(1), groups[1].max(1), groups[2].max(1));
        }
        self.keep.push(uniform);
        Ok(())
    }

    /// Records a copy of the image into a mappable buffer.
    pub fn read_back(&mut self, image: &DeviceImage) -> Result<wgpu::Buffer, GpuError> {
        let staging =
            self.ctx.take_buffer(image.bytes(), wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST)?;
        self.encoder.copy_buffer_to_buffer(&image.buffer, 0, &staging, 0, image.bytes());
        Ok(staging)
    }

    /// The recorded commands, and the pooled buffers to give back after they complete.
    pub fn finish(self) -> (wgpu::CommandBuffer, Vec<wgpu::Buffer>) {
        drop(self.keep);
        (self.encoder.finish(), self.release)
    }

    /// The binding of rows `y0..y1` of `image`: a sub-range starting at an offset the device
    /// accepts, and the index of the first pixel it holds.
    pub fn rows<'i>(&self, image: &'i DeviceImage, y0: u32, y1: u32) -> (Resource<'i>, u32) {
        let row = u64::from(image.width) * 4;
        let align = self.ctx.offset_alignment.max(4);
        let start = u64::from(y0) * row;
        let start = start - start % align;
        let end = (u64::from(y1) * row).max(start + 4);
        ((Resource::Range(&image.buffer, start, end - start)), (start / 4) as u32)
    }

    /// The largest band height in `1..=total` whose bindings all fit the binding limit;
    /// `bytes(rows)` gives the largest binding a band of that height needs.
    pub fn band_rows(&self, total: u32, bytes: impl Fn(u32) -> u64) -> Result<u32, GpuError> {
        let limit = self.ctx.binding_limit().saturating_sub(self.ctx.offset_alignment);
        if bytes(1) > limit {
            return Err(GpuError::TooLarge(format!(
                "one row needs {} bytes in one binding; this device allows {limit}",
                bytes(1)
            )));
        }
        let (mut lo, mut hi) = (1u32, total.max(1));
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            if bytes(mid) <= limit { lo = mid } else { hi = mid - 1 }
        }
        Ok(lo)
    }
}

/// Splits `0..total` into bands of at most `rows`.
pub(crate) fn bands(total: u32, rows: u32) -> impl Iterator<Item = (u32, u32)> {
    let rows = rows.max(1);
    (0..total.div_ceil(rows)).map(move |i| {
        let y0 = i * rows;
        (y0, rows.min(total - y0))
    })
}

/// Workgroups of 16x16 covering `cols` x `rows`.
pub(crate) fn groups16(cols: u32, rows: u32) -> [u32; 3] {
    [cols.div_ceil(16), rows.div_ceil(16), 1]
}

/// The frame of a dispatch whose output band is rows `y0..y0+rows` of `out`, reading `input`.
pub(crate) fn frame(input: &DeviceImage, out: &DeviceImage, y0: u32, rows: u32, in_base: u32, out_base: u32) -> Frame {
    Frame {
        width: out.width,
        height: out.height,
        in_width: input.width,
        in_height: input.height,
        x0: 0,
        y0,
        cols: out.width,
        rows,
        in_base,
        out_base,
        has_alpha: u32::from(out.alpha),
        _pad: 0,
    }
}

/// Runs `entry` over `input` into a new image of the same size, band by band; each band binds
/// its rows of the output and its rows plus `halo` rows above and below of the input. `extra`
/// are the bindings past `dst` (tables, weights), the same for every band.
pub(crate) fn same_size<P: Pod>(
    rec: &mut Recorder<'_>,
    entry: &str,
    input: &DeviceImage,
    halo: u32,
    extra: &[(u32, Resource<'_>)],
    params: impl Fn(Frame) -> P,
) -> Result<DeviceImage, GpuError> {
    let out = rec.new_image(input.width, input.height, input.alpha)?;
    let row = u64::from(input.width) * 4;
    let rows = rec.band_rows(input.height, |r| u64::from(r + 2 * halo) * row)?;
    for (y0, n) in bands(input.height, rows) {
        let (src, in_base) = rec.rows(input, y0.saturating_sub(halo), (y0 + n + halo).min(input.height));
        let (dst, out_base) = rec.rows(&out, y0, y0 + n);
        let mut resources = vec![(1, src), (2, dst)];
        resources.extend_from_slice(extra);
        let p = params(frame(input, &out, y0, n, in_base, out_base));
        rec.dispatch(entry, &p, &resources, groups16(input.width, n))?;
    }
    Ok(out)
}
