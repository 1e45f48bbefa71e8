// blur:SIGMA: separable Gaussian (cpu/blur.rs): blur_h fills a band of scratch rows (with a
// halo of `radius` rows each side), blur_v sums them down and, for images with alpha,
// un-premultiplies. Weights come from the host (derived/gaussian.rs).
#import shared/frame
#import shared/pixel
#import shared/separable

// Keep in sync with `BlurParams` in kernels/src/gpu/params.rs.
struct Params {
    frame: Frame,
    radius: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;
@group(0) @binding(3) var<storage, read> weights: array<f32>;
@group(0) @binding(4) var<storage, read_write> scratch: array<vec4<f32>>;

@compute @workgroup_size(16, 16)
fn blur_h(@builtin(global_invocation_id) id: vec3<u32>) {
    gaussian_h(id, params.frame.has_alpha != 0u);
}

@compute @workgroup_size(16, 16)
fn blur_v(@builtin(global_invocation_id) id: vec3<u32>) {
    let f = params.frame;
    if (id.x >= f.width || id.y >= f.rows) {
        return;
    }
    var acc = vec4<f32>(0.0);
    for (var k = 0u; k < 2u * params.radius + 1u; k++) {
        acc += weights[k] * scratch[(id.y + k) * f.width + id.x];
    }
    var out: vec4<f32>;
    if (f.has_alpha != 0u) {
        let a = acc.w;
        let k = select(0.0, 255.0 / a, a > 0.0);
        out = vec4<f32>(acc.xyz * k, a);
    } else {
        out = vec4<f32>(acc.xyz, 255.0);
    }
    dst[dst_at(f, id.x, f.y0 + id.y)] = pack(out);
}
