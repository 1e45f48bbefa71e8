//! The uniform parameter struct of every shader, `#[repr(C)]` and `Pod` so it is uploaded as
//! is. Each mirrors the `Params` struct of its shader field for field (keep them in sync: the
//! tests compare every size with the one naga reflects from the WGSL), padded to 16 bytes.

use bytemuck::{Pod, Zeroable};

/// Where a dispatch works. Keep in sync with `Frame` in shaders/shared/frame.wgsl.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable)]
pub struct Frame {
    /// Output image width.
    pub width: u32,
    /// Output image height.
    pub height: u32,
    /// Input image width.
    pub in_width: u32,
    /// Input image height.
    pub in_height: u32,
    /// First output column of this dispatch.
    pub x0: u32,
    /// First output row of this dispatch.
    pub y0: u32,
    /// Output columns covered.
    pub cols: u32,
    /// Output rows covered.
    pub rows: u32,
    /// Input pixel index of element 0 of the `src` binding.
    pub in_base: u32,
    /// Output pixel index of element 0 of the `dst` binding.
    pub out_base: u32,
    /// 1 when the image carries alpha (premultiply, keep it), else 0.
    pub has_alpha: u32,
    /// Padding to 16 bytes.
    pub _pad: u32,
}

macro_rules! params {
    ($($(#[$doc:meta])* $name:ident { $($field:ident: $ty:ty),* $(,)? })*) => {
        $(
            $(#[$doc])*
            #[repr(C)]
            #[derive(Debug, Clone, Copy, Default, Pod, Zeroable)]
            #[allow(missing_docs, reason = "each field is documented in the shader it mirrors")]
            pub struct $name {
                pub frame: Frame,
                $(pub $field: $ty,)*
            }
        )*
    };
}

params! {
    /// shaders/lut.wgsl.
    LutParams {}
    /// shaders/saturation.wgsl.
    SaturationParams { factor: f32, _pad0: u32, _pad1: u32, _pad2: u32 }
    /// shaders/grayscale.wgsl.
    GrayscaleParams {}
    /// shaders/sepia.wgsl.
    SepiaParams {}
    /// shaders/hue.wgsl.
    HueParams { shift: f32, _pad0: u32, _pad1: u32, _pad2: u32 }
    /// shaders/levels.wgsl.
    LevelsParams {}
    /// shaders/equalize.wgsl.
    EqualizeParams {}
    /// shaders/clahe.wgsl.
    ClaheParams { tiles: u32, tile_w: u32, tile_h: u32, limit: u32 }
    /// shaders/blur.wgsl.
    BlurParams { radius: u32, _pad0: u32, _pad1: u32, _pad2: u32 }
    /// shaders/sharpen.wgsl.
    SharpenParams { radius: u32, amount: f32, threshold: f32, _pad0: u32 }
    /// shaders/boxblur.wgsl.
    BoxblurParams { radius: u32, _pad0: u32, _pad1: u32, _pad2: u32 }
    /// shaders/edges.wgsl.
    EdgesParams {}
    /// shaders/convolve.wgsl.
    ConvolveParams { size: u32, divisor: f32, bias: f32, _pad0: u32 }
    /// shaders/emboss.wgsl.
    EmbossParams { size: u32, divisor: f32, bias: f32, _pad0: u32 }
    /// shaders/median.wgsl.
    MedianParams { radius: u32, _pad0: u32, _pad1: u32, _pad2: u32 }
    /// shaders/resize.wgsl.
    ResizeParams { taps_x: u32, taps_y: u32, linear: u32, first_row: u32, place_x: u32, place_y: u32, bg: u32, _pad0: u32 }
    /// shaders/crop.wgsl.
    CropParams { x: u32, y: u32, _pad0: u32, _pad1: u32 }
    /// shaders/rotate.wgsl.
    RotateParams { degrees: u32, _pad0: u32, _pad1: u32, _pad2: u32 }
    /// shaders/flip.wgsl.
    FlipParams { vertical: u32, _pad0: u32, _pad1: u32, _pad2: u32 }
}

/// The size of each shader's parameter struct on the Rust side, by shader name.
pub fn sizes() -> [(&'static str, usize); 19] {
    use std::mem::size_of;
    [
        ("lut", size_of::<LutParams>()),
        ("saturation", size_of::<SaturationParams>()),
        ("grayscale", size_of::<GrayscaleParams>()),
        ("sepia", size_of::<SepiaParams>()),
        ("hue", size_of::<HueParams>()),
        ("levels", size_of::<LevelsParams>()),
        ("equalize", size_of::<EqualizeParams>()),
        ("clahe", size_of::<ClaheParams>()),
        ("blur", size_of::<BlurParams>()),
        ("sharpen", size_of::<SharpenParams>()),
        ("boxblur", size_of::<BoxblurParams>()),
        ("edges", size_of::<EdgesParams>()),
        ("convolve", size_of::<ConvolveParams>()),
        ("emboss", size_of::<EmbossParams>()),
        ("median", size_of::<MedianParams>()),
        ("resize", size_of::<ResizeParams>()),
        ("crop", size_of::<CropParams>()),
        ("rotate", size_of::<RotateParams>()),
        ("flip", size_of::<FlipParams>()),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::shaders::{BindingKind, SHADERS};
    use super::*;

    #[test]
    fn every_params_struct_matches_its_shader() {
        let sizes = sizes();
        assert_eq!(sizes.len(), SHADERS.len(), "one params struct per shader");
        for shader in SHADERS {
            let (_, rust) = sizes
                .iter()
                .find(|(n, _)| *n == shader.name)
                .unwrap_or_else(|| panic!("no params for {}", shader.name));
            for ep in shader.entry_points {
                for b in ep.bindings.iter().filter(|b| b.kind == BindingKind::Uniform) {
                    assert_eq!(b.binding, 0, "{}: uniform at binding 0", ep.name);
                    assert_eq!(b.size as usize, *rust, "{}: WGSL Params is {} bytes, Rust {rust}", ep.name, b.size);
                    assert_eq!(rust % 16, 0, "{}: padded to 16 bytes", shader.name);
                }
            }
        }
        assert_eq!(size_of::<Frame>(), 48);
    }
}
