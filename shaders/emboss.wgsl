// emboss: the fixed emboss kernel around mid grey (cpu/emboss.rs), weights from the host
// (spec::Convolve::emboss).
#import shared/frame
#import shared/pixel
#import shared/kernel

// Keep in sync with `EmbossParams` in kernels/src/gpu/params.rs.
struct Params {
    frame: Frame,
    size: u32,
    divisor: f32,
    bias: f32,
    _pad0: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;
@group(0) @binding(3) var<storage, read> weights: array<f32>;

@compute @workgroup_size(16, 16)
fn emboss(@builtin(global_invocation_id) id: vec3<u32>) {
    apply_kernel(id);
}
