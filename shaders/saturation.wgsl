// saturation:F: each channel moved from the pixel's Rec.601 luma grey by F (cpu/saturation.rs).
#import shared/frame
#import shared/pixel

// Keep in sync with `SaturationParams` in kernels/src/gpu/params.rs.
struct Params {
    frame: Frame,
    factor: f32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

@compute @workgroup_size(16, 16)
fn saturation(@builtin(global_invocation_id) id: vec3<u32>) {
    let f = params.frame;
    if (id.x >= f.cols || id.y >= f.rows) {
        return;
    }
    let x = f.x0 + id.x;
    let y = f.y0 + id.y;
    let p = src[src_at(f, x, y)];
    let v = unpack(p);
    let grey = 0.299 * v.x + 0.587 * v.y + 0.114 * v.z;
    let o = vec3<f32>(grey) + params.factor * (v.xyz - vec3<f32>(grey));
    dst[dst_at(f, x, y)] = with_rgb(p, to_byte(o.x), to_byte(o.y), to_byte(o.z));
}
