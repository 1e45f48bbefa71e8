// sharpen:SIGMA: unsharp mask (cpu/sharpen.rs): sharpen_h is the Gaussian's horizontal half,
// sharpen_v finishes the blur and applies in + amount * (in - blur) where the difference
// reaches the threshold. Alpha kept.
#import shared/frame
#import shared/pixel
#import shared/separable

// Keep in sync with `SharpenParams` in kernels/src/gpu/params.rs.
struct Params {
    frame: Frame,
    radius: u32,
    amount: f32,
    threshold: f32,
    _pad0: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;
@group(0) @binding(3) var<storage, read> weights: array<f32>;
@group(0) @binding(4) var<storage, read_write> scratch: array<vec4<f32>>;

@compute @workgroup_size(16, 16)
fn sharpen_h(@builtin(global_invocation_id) id: vec3<u32>) {
    gaussian_h(id, false);
}

@compute @workgroup_size(16, 16)
fn sharpen_v(@builtin(global_invocation_id) id: vec3<u32>) {
    let f = params.frame;
    if (id.x >= f.width || id.y >= f.rows) {
        return;
    }
    var acc = vec4<f32>(0.0);
    for (var k = 0u; k < 2u * params.radius + 1u; k++) {
        acc += weights[k] * scratch[(id.y + k) * f.width + id.x];
    }
    let y = f.y0 + id.y;
    let p = src[src_at(f, id.x, y)];
    let v = unpack(p);
    var o = vec3<u32>(0u);
    for (var c = 0u; c < 3u; c++) {
        let diff = v[c] - acc[c];
        o[c] = select(to_byte(v[c] + params.amount * diff), u32(v[c]), abs(diff) < params.threshold);
    }
    dst[dst_at(f, id.x, y)] = with_rgb(p, o.x, o.y, o.z);
}
