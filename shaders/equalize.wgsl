// equalize: the luma histogram, OpenCV's equalizeHist table (one invocation), then each pixel's
// change in luma added to R, G and B. Same steps as cpu/equalize.rs and derived/histogram.rs.
#import shared/frame
#import shared/pixel
#import shared/histogram

// Keep in sync with `EqualizeParams` in kernels/src/gpu/params.rs.
struct Params {
    frame: Frame,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;
@group(0) @binding(3) var<storage, read_write> hist: array<atomic<u32>, 256>;
@group(0) @binding(4) var<storage, read_write> map: array<u32, 256>;

@compute @workgroup_size(16, 16)
fn equalize_histogram(@builtin(global_invocation_id) id: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    add_to_histogram(id, lid);
}

@compute @workgroup_size(1)
fn equalize_map() {
    var total = 0u;
    for (var i = 0u; i < 256u; i++) {
        total += atomicLoad(&hist[i]);
        map[i] = 0u;
    }
    var first = 256u;
    for (var i = 0u; i < 256u; i++) {
        if (atomicLoad(&hist[i]) > 0u) {
            first = i;
            break;
        }
    }
    if (first == 256u) {
        return;
    }
    let n_first = atomicLoad(&hist[first]);
    if (n_first == total) {
        map[first] = first;
        return;
    }
    let scale = 255.0 / f32(total - n_first);
    var sum = 0u;
    for (var i = first + 1u; i < 256u; i++) {
        sum += atomicLoad(&hist[i]);
        map[i] = u32(clamp(round(f32(sum) * scale), 0.0, 255.0));
    }
}

@compute @workgroup_size(16, 16)
fn equalize_apply(@builtin(global_invocation_id) id: vec3<u32>) {
    let f = params.frame;
    if (id.x >= f.cols || id.y >= f.rows) {
        return;
    }
    let x = f.x0 + id.x;
    let y = f.y0 + id.y;
    let p = src[src_at(f, x, y)];
    let l = luma(p);
    let d = i32(map[l]) - i32(l);
    let r = u32(clamp(i32(p & 255u) + d, 0, 255));
    let g = u32(clamp(i32((p >> 8u) & 255u) + d, 0, 255));
    let b = u32(clamp(i32((p >> 16u) & 255u) + d, 0, 255));
    dst[dst_at(f, x, y)] = with_rgb(p, r, g, b);
}
