// A square kernel applied to R, G and B as written (correlation), edges replicated:
// round(sum / divisor + bias), alpha kept. Shared by convolve and emboss; the importing shader
// declares `params` (with `frame`, `size`, `divisor`, `bias`), `src`, `dst` and `weights`.

fn apply_kernel(id: vec3<u32>) {
    let f = params.frame;
    if (id.x >= f.cols || id.y >= f.rows) {
        return;
    }
    let x = f.x0 + id.x;
    let y = f.y0 + id.y;
    let n = params.size;
    let r = i32(n / 2u);
    var acc = vec3<f32>(0.0);
    for (var ky = 0u; ky < n; ky++) {
        let sy = u32(clamp(i32(y) + i32(ky) - r, 0, i32(f.in_height) - 1));
        for (var kx = 0u; kx < n; kx++) {
            let w = weights[ky * n + kx];
            if (w == 0.0) {
                continue;
            }
            let sx = u32(clamp(i32(x) + i32(kx) - r, 0, i32(f.in_width) - 1));
            acc += w * unpack(src[src_at(f, sx, sy)]).xyz;
        }
    }
    let v = acc / params.divisor + vec3<f32>(params.bias);
    let p = src[src_at(f, x, y)];
    dst[dst_at(f, x, y)] = with_rgb(p, to_byte(v.x), to_byte(v.y), to_byte(v.z));
}
