// edges: Sobel gradient magnitude of R, G and B, edges replicated, alpha kept (cpu/edges.rs).
#import shared/frame
#import shared/pixel

// Keep in sync with `EdgesParams` in kernels/src/gpu/params.rs.
struct Params {
    frame: Frame,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

fn px(f: Frame, x: i32, y: i32) -> vec3<i32> {
    let p = src[src_at(f, u32(clamp(x, 0, i32(f.in_width) - 1)), u32(clamp(y, 0, i32(f.in_height) - 1)))];
    return vec3<i32>(i32(p & 255u), i32((p >> 8u) & 255u), i32((p >> 16u) & 255u));
}

@compute @workgroup_size(16, 16)
fn edges(@builtin(global_invocation_id) id: vec3<u32>) {
    let f = params.frame;
    if (id.x >= f.cols || id.y >= f.rows) {
        return;
    }
    let x = i32(f.x0 + id.x);
    let y = i32(f.y0 + id.y);
    let gx = (px(f, x + 1, y - 1) + 2 * px(f, x + 1, y) + px(f, x + 1, y + 1)) - (px(f, x - 1, y - 1) + 2 * px(f, x - 1, y) + px(f, x - 1, y + 1));
    let gy = (px(f, x - 1, y + 1) + 2 * px(f, x, y + 1) + px(f, x + 1, y + 1)) - (px(f, x - 1, y - 1) + 2 * px(f, x, y - 1) + px(f, x + 1, y - 1));
    let m = sqrt(vec3<f32>(gx * gx + gy * gy));
    let p = src[src_at(f, u32(x), u32(y))];
    dst[dst_at(f, u32(x), u32(y))] = with_rgb(p, to_byte(m.x), to_byte(m.y), to_byte(m.z));
}
