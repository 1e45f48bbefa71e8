// boxblur:R: the mean over a (2R+1)² box, edges replicated, exact in integers like
// cpu/boxblur.rs (so the results are identical). Each invocation slides a running sum over a
// run of CHUNK pixels, so the cost per pixel stays nearly independent of R. With alpha, colour
// is summed premultiplied (c * a); those sums can pass 2^32, so they are kept as 64-bit
// (low, high) pairs.
#import shared/frame

// Keep in sync with `BoxblurParams` in kernels/src/gpu/params.rs.
struct Params {
    frame: Frame,
    radius: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

const CHUNK: u32 = 32u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;
// Horizontal sums of the band's rows and halo: R, G, B (premultiplied with alpha) and A.
@group(0) @binding(3) var<storage, read_write> scratch: array<vec4<u32>>;

// A pixel's contribution to the sums.
fn term(p: u32, alpha: bool) -> vec4<u32> {
    let v = vec4<u32>(p & 255u, (p >> 8u) & 255u, (p >> 16u) & 255u, p >> 24u);
    if (alpha) {
        return vec4<u32>(v.xyz * v.w, v.w);
    }
    return v;
}

@compute @workgroup_size(64, 4)
fn boxblur_h(@builtin(global_invocation_id) id: vec3<u32>) {
    let f = params.frame;
    let r = params.radius;
    let x_start = id.x * CHUNK;
    if (x_start >= f.width || id.y >= f.rows + 2u * r) {
        return;
    }
    let y = u32(clamp(i32(f.y0) - i32(r) + i32(id.y), 0, i32(f.in_height) - 1));
    let alpha = f.has_alpha != 0u;
    let last = i32(f.width) - 1;
    var sum = vec4<u32>(0u);
    for (var dx = -i32(r); dx <= i32(r); dx++) {
        sum += term(src[src_at(f, u32(clamp(i32(x_start) + dx, 0, last)), y)], alpha);
    }
    let x_end = min(x_start + CHUNK, f.width);
    for (var x = x_start; x < x_end; x++) {
        scratch[id.y * f.width + x] = sum;
        sum += term(src[src_at(f, u32(min(i32(x + r + 1u), last)), y)], alpha);
        sum -= term(src[src_at(f, u32(max(i32(x) - i32(r), 0)), y)], alpha);
    }
}

fn add64(a: vec2<u32>, b: u32) -> vec2<u32> {
    let lo = a.x + b;
    return vec2<u32>(lo, a.y + select(0u, 1u, lo < b));
}

fn sub64(a: vec2<u32>, b: u32) -> vec2<u32> {
    return vec2<u32>(a.x - b, a.y - select(0u, 1u, a.x < b));
}

// d * q as a 64-bit (low, high) pair, for q < 256.
fn mul_small(d: u32, q: u32) -> vec2<u32> {
    let lo16 = (d & 0xffffu) * q;
    let hi16 = (d >> 16u) * q;
    let lo = lo16 + (hi16 << 16u);
    return vec2<u32>(lo, (hi16 >> 16u) + select(0u, 1u, lo < lo16));
}

fn le64(a: vec2<u32>, b: vec2<u32>) -> bool {
    return a.y < b.y || (a.y == b.y && a.x <= b.x);
}

// floor(n / d) for a quotient known to be below 256.
fn div_small(n: vec2<u32>, d: u32) -> u32 {
    var q = 0u;
    for (var bit = 128u; bit > 0u; bit >>= 1u) {
        if (le64(mul_small(d, q | bit), n)) {
            q |= bit;
        }
    }
    return q;
}

@compute @workgroup_size(64, 4)
fn boxblur_v(@builtin(global_invocation_id) id: vec3<u32>) {
    let f = params.frame;
    let r = params.radius;
    let j_start = id.y * CHUNK;
    if (id.x >= f.width || j_start >= f.rows) {
        return;
    }
    let side = 2u * r + 1u;
    let n = side * side;
    let alpha = f.has_alpha != 0u;
    // Scratch row j + k holds image row y0 + j + k - r.
    var sum = vec4<u32>(0u);
    var wide = array<vec2<u32>, 3>(vec2<u32>(0u), vec2<u32>(0u), vec2<u32>(0u));
    for (var k = 0u; k < side; k++) {
        let s = scratch[(j_start + k) * f.width + id.x];
        sum += s;
        for (var c = 0u; c < 3u; c++) {
            wide[c] = add64(wide[c], s[c]);
        }
    }
    let j_end = min(j_start + CHUNK, f.rows);
    for (var j = j_start; j < j_end; j++) {
        var p: u32;
        if (alpha) {
            let sa = sum.w;
            var rgb = vec3<u32>(0u);
            if (sa > 0u) {
                for (var c = 0u; c < 3u; c++) {
                    rgb[c] = div_small(add64(wide[c], sa / 2u), sa);
                }
            }
            p = rgb.x | (rgb.y << 8u) | (rgb.z << 16u) | (((sa + n / 2u) / n) << 24u);
        } else {
            let v = (sum + vec4<u32>(n / 2u)) / n;
            p = v.x | (v.y << 8u) | (v.z << 16u) | (255u << 24u);
        }
        dst[dst_at(f, id.x, f.y0 + j)] = p;
        if (j + 1u < j_end) {
            let add = scratch[(j + side) * f.width + id.x];
            let sub = scratch[j * f.width + id.x];
            sum = sum + add - sub;
            for (var c = 0u; c < 3u; c++) {
                wide[c] = sub64(add64(wide[c], add[c]), sub[c]);
            }
        }
    }
}
