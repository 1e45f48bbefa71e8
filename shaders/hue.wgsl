// hue:DEG: the HSV hue rotated by `shift` sixths of a turn, saturation and value kept
// (cpu/hue.rs, same steps).
#import shared/frame
#import shared/pixel

// Keep in sync with `HueParams` in kernels/src/gpu/params.rs.
struct Params {
    frame: Frame,
    shift: f32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

fn rem6(x: f32) -> f32 {
    let m = x - 6.0 * floor(x / 6.0);
    return select(m, 0.0, m >= 6.0);
}

@compute @workgroup_size(16, 16)
fn hue(@builtin(global_invocation_id) id: vec3<u32>) {
    let f = params.frame;
    if (id.x >= f.cols || id.y >= f.rows) {
        return;
    }
    let x = f.x0 + id.x;
    let y = f.y0 + id.y;
    let p = src[src_at(f, x, y)];
    let v = unpack(p);
    let mx = max(max(v.x, v.y), v.z);
    let mn = min(min(v.x, v.y), v.z);
    let chroma = mx - mn;
    if (chroma == 0.0) {
        dst[dst_at(f, x, y)] = p;
        return;
    }
    var h: f32;
    if (mx == v.x) {
        h = rem6((v.y - v.z) / chroma);
    } else if (mx == v.y) {
        h = (v.z - v.x) / chroma + 2.0;
    } else {
        h = (v.x - v.y) / chroma + 4.0;
    }
    h = rem6(h + params.shift);
    let hm2 = h - 2.0 * floor(h / 2.0);
    let c2 = chroma * (1.0 - abs(hm2 - 1.0));
    var rgb: vec3<f32>;
    switch (u32(h)) {
        case 0u: { rgb = vec3<f32>(chroma, c2, 0.0); }
        case 1u: { rgb = vec3<f32>(c2, chroma, 0.0); }
        case 2u: { rgb = vec3<f32>(0.0, chroma, c2); }
        case 3u: { rgb = vec3<f32>(0.0, c2, chroma); }
        case 4u: { rgb = vec3<f32>(c2, 0.0, chroma); }
        default: { rgb = vec3<f32>(chroma, 0.0, c2); }
    }
    rgb += vec3<f32>(mn);
    dst[dst_at(f, x, y)] = with_rgb(p, to_byte(rgb.x), to_byte(rgb.y), to_byte(rgb.z));
}
