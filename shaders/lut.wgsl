// The per-channel tone ops (brightness, contrast, exposure, gamma, manual levels, invert,
// temperature, and runs of them fused): each channel through its table, computed once on the
// host (kernels/src/derived/tone.rs) or on the device (levels:auto). Alpha untouched.
#import shared/frame
#import shared/pixel

// Keep in sync with `LutParams` in kernels/src/gpu/params.rs.
struct Params {
    frame: Frame,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;
// 768 entries: the R, G and B tables, one byte value per u32.
@group(0) @binding(3) var<storage, read> luts: array<u32, 768>;

@compute @workgroup_size(16, 16)
fn lut(@builtin(global_invocation_id) id: vec3<u32>) {
    let f = params.frame;
    if (id.x >= f.cols || id.y >= f.rows) {
        return;
    }
    let x = f.x0 + id.x;
    let y = f.y0 + id.y;
    let p = src[src_at(f, x, y)];
    dst[dst_at(f, x, y)] = with_rgb(p, luts[p & 255u], luts[256u + ((p >> 8u) & 255u)], luts[512u + ((p >> 16u) & 255u)]);
}
