// The horizontal half of a separable Gaussian (blur, sharpen): scratch row j of the band holds
// input row y0 - radius + j (clamped to the image) convolved along x with `weights`, edges
// replicated, colour premultiplied by alpha when `premultiply`. The importing shader declares
// `params` (with `frame` and `radius`), `src`, `weights` and `scratch`.

fn gaussian_h(id: vec3<u32>, premultiply: bool) {
    let f = params.frame;
    let r = params.radius;
    let band_rows = f.rows + 2u * r;
    if (id.x >= f.width || id.y >= band_rows) {
        return;
    }
    let y = u32(clamp(i32(f.y0) - i32(r) + i32(id.y), 0, i32(f.in_height) - 1));
    var acc = vec4<f32>(0.0);
    for (var k = 0u; k < 2u * r + 1u; k++) {
        let x = u32(clamp(i32(id.x) + i32(k) - i32(r), 0, i32(f.in_width) - 1));
        var v = unpack(src[src_at(f, x, y)]);
        if (premultiply) {
            let a = v.w / 255.0;
            v = vec4<f32>(v.xyz * a, v.w);
        }
        acc += weights[k] * v;
    }
    scratch[id.y * f.width + id.x] = acc;
}
