// clahe: OpenCV's CLAHE on luma (cpu/clahe.rs, same steps): a histogram per tile over the
// image padded by reflection, each tile's clipped and redistributed equalisation table (one
// invocation per tile), then each pixel's luma from the four nearest tiles' tables, the change
// added to R, G and B.
#import shared/frame
#import shared/pixel

// Keep in sync with `ClaheParams` in kernels/src/gpu/params.rs. For the histogram pass the
// frame's rows are rows of the padded image.
struct Params {
    frame: Frame,
    tiles: u32,
    tile_w: u32,
    tile_h: u32,
    limit: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;
@group(0) @binding(3) var<storage, read_write> hists: array<atomic<u32>>;
@group(0) @binding(4) var<storage, read_write> maps: array<u32>;

// OpenCV's BORDER_REFLECT_101 index into 0..n.
fn reflect101(i: u32, n: u32) -> u32 {
    if (n == 1u) {
        return 0u;
    }
    let period = 2u * (n - 1u);
    let m = i % period;
    return select(period - m, m, m < n);
}

@compute @workgroup_size(16, 16)
fn clahe_histogram(@builtin(global_invocation_id) id: vec3<u32>) {
    let f = params.frame;
    let padded_w = params.tile_w * params.tiles;
    if (id.x >= padded_w || id.y >= f.rows) {
        return;
    }
    let px = id.x;
    let py = f.y0 + id.y;
    let l = luma(src[src_at(f, reflect101(px, f.in_width), reflect101(py, f.in_height))]);
    let tile = (py / params.tile_h) * params.tiles + px / params.tile_w;
    atomicAdd(&hists[tile * 256u + l], 1u);
}

@compute @workgroup_size(1)
fn clahe_map(@builtin(workgroup_id) wid: vec3<u32>) {
    let tile = wid.x;
    let base = tile * 256u;
    let limit = params.limit;
    var clipped = 0u;
    for (var i = 0u; i < 256u; i++) {
        let c = atomicLoad(&hists[base + i]);
        if (c > limit) {
            clipped += c - limit;
            maps[base + i] = limit;
        } else {
            maps[base + i] = c;
        }
    }
    let batch = clipped / 256u;
    var residual = clipped - batch * 256u;
    for (var i = 0u; i < 256u; i++) {
        maps[base + i] += batch;
    }
    if (residual != 0u) {
        let step = max(256u / residual, 1u);
        for (var i = 0u; i < 256u && residual > 0u; i += step) {
            maps[base + i] += 1u;
            residual -= 1u;
        }
    }
    let scale = 255.0 / f32(params.tile_w * params.tile_h);
    var sum = 0u;
    for (var i = 0u; i < 256u; i++) {
        sum += maps[base + i];
        maps[base + i] = u32(clamp(round(f32(sum) * scale), 0.0, 255.0));
    }
}

// The two tiles whose centres bracket coordinate i, and the weight of the second.
fn bracket(i: u32, tile: u32, tiles: u32) -> vec3<f32> {
    let t = f32(i) * (1.0 / f32(tile)) - 0.5;
    let t1 = floor(t);
    let a = t - t1;
    let first = max(i32(t1), 0);
    let second = min(i32(t1) + 1, i32(tiles) - 1);
    return vec3<f32>(f32(first), f32(second), a);
}

@compute @workgroup_size(16, 16)
fn clahe_apply(@builtin(global_invocation_id) id: vec3<u32>) {
    let f = params.frame;
    if (id.x >= f.cols || id.y >= f.rows) {
        return;
    }
    let x = f.x0 + id.x;
    let y = f.y0 + id.y;
    let p = src[src_at(f, x, y)];
    let v = luma(p);
    let bx = bracket(x, params.tile_w, params.tiles);
    let by = bracket(y, params.tile_h, params.tiles);
    let t = params.tiles;
    let m11 = f32(maps[(u32(by.x) * t + u32(bx.x)) * 256u + v]);
    let m12 = f32(maps[(u32(by.x) * t + u32(bx.y)) * 256u + v]);
    let m21 = f32(maps[(u32(by.y) * t + u32(bx.x)) * 256u + v]);
    let m22 = f32(maps[(u32(by.y) * t + u32(bx.y)) * 256u + v]);
    let top = m11 * (1.0 - bx.z) + m12 * bx.z;
    let bottom = m21 * (1.0 - bx.z) + m22 * bx.z;
    let new_luma = to_byte(top * (1.0 - by.z) + bottom * by.z);
    let d = i32(new_luma) - i32(v);
    let r = u32(clamp(i32(p & 255u) + d, 0, 255));
    let g = u32(clamp(i32((p >> 8u) & 255u) + d, 0, 255));
    let b = u32(clamp(i32((p >> 16u) & 255u) + d, 0, 255));
    dst[dst_at(f, x, y)] = with_rgb(p, r, g, b);
}
