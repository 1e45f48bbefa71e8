// Where a dispatch works: the whole images' sizes and the band (rows y0..y0+rows, columns
// x0..x0+cols of the output) this dispatch covers. `src` and `dst` may be bound as sub-ranges of
// the image buffers (to respect the device's binding limits): element 0 of `src` is input pixel
// `in_base` and element 0 of `dst` is output pixel `out_base`.
// Keep in sync with `Frame` in kernels/src/gpu/params.rs.
struct Frame {
    width: u32,
    height: u32,
    in_width: u32,
    in_height: u32,
    x0: u32,
    y0: u32,
    cols: u32,
    rows: u32,
    in_base: u32,
    out_base: u32,
    has_alpha: u32,
    _pad: u32,
}

// Index into `src` of input pixel (x, y).
fn src_at(f: Frame, x: u32, y: u32) -> u32 {
    return y * f.in_width + x - f.in_base;
}

// Index into `dst` of output pixel (x, y).
fn dst_at(f: Frame, x: u32, y: u32) -> u32 {
    return y * f.width + x - f.out_base;
}
