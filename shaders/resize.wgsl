// resize: separable resampling with host weights (derived/resample.rs), as cpu/resize.rs does,
// in the order `vertical_first` picks there: enlarging, resize_h resamples the band's source
// rows along x into scratch (linear light and premultiplied alpha as asked) and resize_v
// resamples down and converts back to 8 bits; shrinking, resize_vfirst resamples down at the
// input's width into scratch and resize_hsecond along x, converting back to 8 bits;
// resize_nearest copies the chosen source pixels; resize_pad places the result on the
// `contain` canvas.
#import shared/frame
#import shared/pixel

// Keep in sync with `ResizeParams` in kernels/src/gpu/params.rs. `first_row` is the input row
// held in scratch row 0; `place_x`/`place_y` and `bg` serve resize_pad.
struct Params {
    frame: Frame,
    taps_x: u32,
    taps_y: u32,
    linear: u32,
    first_row: u32,
    place_x: u32,
    place_y: u32,
    bg: u32,
    _pad0: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;
@group(0) @binding(3) var<storage, read> x_starts: array<u32>;
@group(0) @binding(4) var<storage, read> x_weights: array<f32>;
@group(0) @binding(5) var<storage, read> y_starts: array<u32>;
@group(0) @binding(6) var<storage, read> y_weights: array<f32>;
// Linear light of each 8-bit sRGB value, and 8-bit sRGB of linear light sampled at 1/65535
// steps, four bytes per u32 (derived/tone.rs): the same tables the CPU uses.
@group(0) @binding(7) var<storage, read> to_linear: array<f32, 256>;
@group(0) @binding(8) var<storage, read> to_srgb: array<u32, 16384>;
@group(0) @binding(9) var<storage, read_write> scratch: array<vec4<f32>>;

// One source pixel as four floats in 0..1: linear light when asked, colour premultiplied by
// alpha (alpha 1 without it).
fn load_px(p: u32) -> vec4<f32> {
    let s = unpack(p);
    let a = select(1.0, s.w / 255.0, params.frame.has_alpha != 0u);
    var c: vec3<f32>;
    if (params.linear != 0u) {
        c = vec3<f32>(to_linear[u32(s.x)], to_linear[u32(s.y)], to_linear[u32(s.z)]);
    } else {
        c = s.xyz / 255.0;
    }
    return vec4<f32>(c * a, a);
}

fn encode_linear(l: f32) -> u32 {
    let i = min(u32(clamp(l, 0.0, 1.0) * 65535.0 + 0.5), 65535u);
    return (to_srgb[i >> 2u] >> ((i & 3u) * 8u)) & 255u;
}

// A resampled pixel back to 8 bits: un-premultiplied, re-encoded to sRGB when linear.
fn store_px(acc: vec4<f32>) -> u32 {
    let alpha = params.frame.has_alpha != 0u;
    let a = select(1.0, clamp(acc.w, 0.0, 1.0), alpha);
    let k = select(0.0, 1.0 / a, a > 0.0);
    var rgb: vec3<u32>;
    for (var c = 0u; c < 3u; c++) {
        let v = acc[c] * k;
        if (params.linear != 0u) {
            rgb[c] = encode_linear(v);
        } else {
            rgb[c] = to_byte(v * 255.0);
        }
    }
    let out_a = select(255u, to_byte(a * 255.0), alpha);
    return rgb.x | (rgb.y << 8u) | (rgb.z << 16u) | (out_a << 24u);
}

// Horizontal first (enlarging): the band's source rows along x into scratch (`width`, the
// output's, wide and `rows` rows: the source rows this band needs).
@compute @workgroup_size(16, 16)
fn resize_h(@builtin(global_invocation_id) id: vec3<u32>) {
    let f = params.frame;
    if (id.x >= f.width || id.y >= f.rows) {
        return;
    }
    let y = params.first_row + id.y;
    let start = x_starts[id.x];
    var acc = vec4<f32>(0.0);
    for (var t = 0u; t < params.taps_x; t++) {
        acc += x_weights[id.x * params.taps_x + t] * load_px(src[src_at(f, start + t, y)]);
    }
    scratch[id.y * f.width + id.x] = acc;
}

// Then down the scratch rows to the band's output rows.
@compute @workgroup_size(16, 16)
fn resize_v(@builtin(global_invocation_id) id: vec3<u32>) {
    let f = params.frame;
    if (id.x >= f.width || id.y >= f.rows) {
        return;
    }
    let y = f.y0 + id.y;
    let start = y_starts[y] - params.first_row;
    var acc = vec4<f32>(0.0);
    for (var t = 0u; t < params.taps_y; t++) {
        acc += y_weights[y * params.taps_y + t] * scratch[(start + t) * f.width + id.x];
    }
    dst[dst_at(f, id.x, y)] = store_px(acc);
}

// Vertical first (shrinking): the band's output rows resampled along y at the input's full
// width into scratch (`in_width` wide, one row per output row of the band).
@compute @workgroup_size(16, 16)
fn resize_vfirst(@builtin(global_invocation_id) id: vec3<u32>) {
    let f = params.frame;
    if (id.x >= f.in_width || id.y >= f.rows) {
        return;
    }
    let y = f.y0 + id.y;
    let start = y_starts[y];
    var acc = vec4<f32>(0.0);
    for (var t = 0u; t < params.taps_y; t++) {
        acc += y_weights[y * params.taps_y + t] * load_px(src[src_at(f, id.x, start + t)]);
    }
    scratch[id.y * f.in_width + id.x] = acc;
}

// Then along x to the band's output pixels.
@compute @workgroup_size(16, 16)
fn resize_hsecond(@builtin(global_invocation_id) id: vec3<u32>) {
    let f = params.frame;
    if (id.x >= f.width || id.y >= f.rows) {
        return;
    }
    let start = x_starts[id.x];
    var acc = vec4<f32>(0.0);
    for (var t = 0u; t < params.taps_x; t++) {
        acc += x_weights[id.x * params.taps_x + t] * scratch[id.y * f.in_width + start + t];
    }
    dst[dst_at(f, id.x, f.y0 + id.y)] = store_px(acc);
}

@compute @workgroup_size(16, 16)
fn resize_nearest(@builtin(global_invocation_id) id: vec3<u32>) {
    let f = params.frame;
    if (id.x >= f.width || id.y >= f.rows) {
        return;
    }
    let y = f.y0 + id.y;
    dst[dst_at(f, id.x, y)] = src[src_at(f, x_starts[id.x], y_starts[y])];
}

@compute @workgroup_size(16, 16)
fn resize_pad(@builtin(global_invocation_id) id: vec3<u32>) {
    let f = params.frame;
    if (id.x >= f.width || id.y >= f.rows) {
        return;
    }
    let y = f.y0 + id.y;
    let inside = id.x >= params.place_x && id.x < params.place_x + f.in_width && y >= params.place_y && y < params.place_y + f.in_height;
    var p = params.bg;
    if (inside) {
        p = src[src_at(f, id.x - params.place_x, y - params.place_y)];
    }
    dst[dst_at(f, id.x, y)] = p;
}
