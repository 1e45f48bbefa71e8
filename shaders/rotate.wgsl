// rotate:90|180|270: clockwise quarter turns (cpu/rotate.rs, same mapping).
#import shared/frame

// Keep in sync with `RotateParams` in kernels/src/gpu/params.rs.
struct Params {
    frame: Frame,
    degrees: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

@compute @workgroup_size(16, 16)
fn rotate(@builtin(global_invocation_id) id: vec3<u32>) {
    let f = params.frame;
    if (id.x >= f.cols || id.y >= f.rows) {
        return;
    }
    let ox = f.x0 + id.x;
    let oy = f.y0 + id.y;
    var s: vec2<u32>;
    switch (params.degrees) {
        case 90u: { s = vec2<u32>(oy, f.in_height - 1u - ox); }
        case 180u: { s = vec2<u32>(f.in_width - 1u - ox, f.in_height - 1u - oy); }
        default: { s = vec2<u32>(f.in_width - 1u - oy, ox); }
    }
    dst[dst_at(f, ox, oy)] = src[src_at(f, s.x, s.y)];
}
