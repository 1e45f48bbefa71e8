// flip:h / flip:v: mirror left-right or top-bottom (cpu/flip.rs).
#import shared/frame

// Keep in sync with `FlipParams` in kernels/src/gpu/params.rs.
struct Params {
    frame: Frame,
    vertical: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

@compute @workgroup_size(16, 16)
fn flip(@builtin(global_invocation_id) id: vec3<u32>) {
    let f = params.frame;
    if (id.x >= f.cols || id.y >= f.rows) {
        return;
    }
    let x = f.x0 + id.x;
    let y = f.y0 + id.y;
    var s = vec2<u32>(f.width - 1u - x, y);
    if (params.vertical != 0u) {
        s = vec2<u32>(x, f.height - 1u - y);
    }
    dst[dst_at(f, x, y)] = src[src_at(f, s.x, s.y)];
}
