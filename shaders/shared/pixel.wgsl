// Pixels are RGBA8 packed in one u32, red in the low byte (keep in sync with
// kernels/src/gpu/frame.rs). Results are rounded to nearest, ties to even, like the CPU side.

fn unpack(p: u32) -> vec4<f32> {
    return vec4<f32>(f32(p & 255u), f32((p >> 8u) & 255u), f32((p >> 16u) & 255u), f32(p >> 24u));
}

fn to_byte(x: f32) -> u32 {
    return u32(clamp(round(x), 0.0, 255.0));
}

fn pack(v: vec4<f32>) -> u32 {
    return to_byte(v.x) | (to_byte(v.y) << 8u) | (to_byte(v.z) << 16u) | (to_byte(v.w) << 24u);
}

// Replaces the colour of `p`, keeping its alpha byte.
fn with_rgb(p: u32, r: u32, g: u32, b: u32) -> u32 {
    return r | (g << 8u) | (b << 16u) | (p & 0xff000000u);
}

// Rec.601 luma in OpenCV's 14-bit fixed point (as kernels/src/derived/histogram.rs).
fn luma(p: u32) -> u32 {
    return ((p & 255u) * 4899u + ((p >> 8u) & 255u) * 9617u + ((p >> 16u) & 255u) * 1868u + 8192u) >> 14u;
}
