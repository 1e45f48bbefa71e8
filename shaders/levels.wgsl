// levels:auto: the luma histogram of the image, then (one invocation) the black and white
// points that clip 0.5% at each end and the stretch table, which the lut shader applies.
// Same steps as cpu/levels.rs and derived/histogram.rs. Manual levels is a host table (lut).
#import shared/frame
#import shared/pixel
#import shared/histogram

// Keep in sync with `LevelsParams` in kernels/src/gpu/params.rs.
struct Params {
    frame: Frame,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(3) var<storage, read_write> hist: array<atomic<u32>, 256>;
@group(0) @binding(4) var<storage, read_write> luts: array<u32, 768>;

@compute @workgroup_size(16, 16)
fn levels_histogram(@builtin(global_invocation_id) id: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    add_to_histogram(id, lid);
}

@compute @workgroup_size(1)
fn levels_map() {
    var total = 0u;
    for (var i = 0u; i < 256u; i++) {
        total += atomicLoad(&hist[i]);
    }
    let clip = total / 200u;
    var lo = 256u;
    var acc = 0u;
    for (var i = 0u; i < 256u; i++) {
        acc += atomicLoad(&hist[i]);
        if (acc > clip) {
            lo = i;
            break;
        }
    }
    var hi = 0u;
    acc = 0u;
    for (var i = 255i; i >= 0i; i--) {
        acc += atomicLoad(&hist[u32(i)]);
        if (acc > clip) {
            hi = u32(i);
            break;
        }
    }
    let stretch = lo < hi;
    let b = f32(lo);
    let w = f32(hi);
    for (var v = 0u; v < 256u; v++) {
        var o = v;
        if (stretch) {
            o = to_byte(255.0 * ((clamp(f32(v), b, w) - b) / (w - b)));
        }
        luts[v] = o;
        luts[256u + v] = o;
        luts[512u + v] = o;
    }
}
