// median:R: the median of each channel over a (2R+1)² window, edges replicated (cpu/median.rs,
// same algorithm and results): each invocation slides a histogram along a run of CHUNK pixels,
// one column out and one in per step, and tracks the median incrementally. Counts never pass
// 225, so the 256 bins are packed four to a u32.
#import shared/frame

// Keep in sync with `MedianParams` in kernels/src/gpu/params.rs.
struct Params {
    frame: Frame,
    radius: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

const CHUNK: u32 = 16u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

var<private> hist: array<u32, 64>;

fn count(v: u32) -> u32 {
    return (hist[v >> 2u] >> ((v & 3u) * 8u)) & 255u;
}

fn bump(v: u32, up: bool) {
    let one = 1u << ((v & 3u) * 8u);
    if (up) {
        hist[v >> 2u] += one;
    } else {
        hist[v >> 2u] -= one;
    }
}

fn channel(f: Frame, x: i32, y: i32, c: u32) -> u32 {
    let p = src[src_at(f, u32(clamp(x, 0, i32(f.in_width) - 1)), u32(clamp(y, 0, i32(f.in_height) - 1)))];
    return (p >> (c * 8u)) & 255u;
}

@compute @workgroup_size(16, 16)
fn median(@builtin(global_invocation_id) id: vec3<u32>) {
    let f = params.frame;
    let x_start = id.x * CHUNK;
    if (x_start >= f.width || id.y >= f.rows) {
        return;
    }
    let y = i32(f.y0 + id.y);
    let r = i32(params.radius);
    let side = 2u * params.radius + 1u;
    let half = side * side / 2u;
    let x_end = min(x_start + CHUNK, f.width);
    let channels = select(3u, 4u, f.has_alpha != 0u);
    for (var c = 0u; c < channels; c++) {
        for (var i = 0u; i < 64u; i++) {
            hist[i] = 0u;
        }
        for (var dy = -r; dy <= r; dy++) {
            for (var dx = -r; dx <= r; dx++) {
                bump(channel(f, i32(x_start) + dx, y + dy, c), true);
            }
        }
        var m = 0u;
        var below = 0u;
        for (var x = x_start; x < x_end; x++) {
            if (x > x_start) {
                for (var dy = -r; dy <= r; dy++) {
                    let gone = channel(f, i32(x) - 1 - r, y + dy, c);
                    let new_v = channel(f, i32(x) + r, y + dy, c);
                    bump(gone, false);
                    bump(new_v, true);
                    below = below + select(0u, 1u, new_v < m) - select(0u, 1u, gone < m);
                }
            }
            while (below + count(m) <= half) {
                below += count(m);
                m += 1u;
            }
            while (below > half) {
                m -= 1u;
                below -= count(m);
            }
            let i = dst_at(f, x, u32(y));
            let p = src[src_at(f, x, u32(y))];
            let shift = c * 8u;
            let base = select(dst[i] & ~(255u << shift), p, c == 0u);
            dst[i] = (base & ~(255u << shift)) | (m << shift);
        }
    }
}
