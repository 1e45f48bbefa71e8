// crop:X,Y,W,H: copies the rectangle (cpu/crop.rs).
#import shared/frame

// Keep in sync with `CropParams` in kernels/src/gpu/params.rs.
struct Params {
    frame: Frame,
    x: u32,
    y: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

@compute @workgroup_size(16, 16)
fn crop(@builtin(global_invocation_id) id: vec3<u32>) {
    let f = params.frame;
    if (id.x >= f.cols || id.y >= f.rows) {
        return;
    }
    let x = f.x0 + id.x;
    let y = f.y0 + id.y;
    dst[dst_at(f, x, y)] = src[src_at(f, x + params.x, y + params.y)];
}
