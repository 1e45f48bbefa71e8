// sepia: the classic sepia matrix (cpu/sepia.rs).
#import shared/frame
#import shared/pixel

// Keep in sync with `SepiaParams` in kernels/src/gpu/params.rs.
struct Params {
    frame: Frame,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

@compute @workgroup_size(16, 16)
fn sepia(@builtin(global_invocation_id) id: vec3<u32>) {
    let f = params.frame;
    if (id.x >= f.cols || id.y >= f.rows) {
        return;
    }
    let x = f.x0 + id.x;
    let y = f.y0 + id.y;
    let p = src[src_at(f, x, y)];
    let v = unpack(p);
    let r = 0.393 * v.x + 0.769 * v.y + 0.189 * v.z;
    let g = 0.349 * v.x + 0.686 * v.y + 0.168 * v.z;
    let b = 0.272 * v.x + 0.534 * v.y + 0.131 * v.z;
    dst[dst_at(f, x, y)] = with_rgb(p, to_byte(r), to_byte(g), to_byte(b));
}
