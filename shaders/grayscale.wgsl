// grayscale: every channel set to the pixel's Rec.601 luma (cpu/grayscale.rs).
#import shared/frame
#import shared/pixel

// Keep in sync with `GrayscaleParams` in kernels/src/gpu/params.rs.
struct Params {
    frame: Frame,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

@compute @workgroup_size(16, 16)
fn grayscale(@builtin(global_invocation_id) id: vec3<u32>) {
    let f = params.frame;
    if (id.x >= f.cols || id.y >= f.rows) {
        return;
    }
    let x = f.x0 + id.x;
    let y = f.y0 + id.y;
    let p = src[src_at(f, x, y)];
    let v = unpack(p);
    let g = to_byte(0.299 * v.x + 0.587 * v.y + 0.114 * v.z);
    dst[dst_at(f, x, y)] = with_rgb(p, g, g, g);
}
