//! The in-memory image every op works on: 8-bit sRGB, interleaved RGB or RGBA.
//!
//! Decoders convert whatever they read (grey, palette, 16-bit, CMYK, other colour spaces) into
//! this one layout, so each op has exactly two cases to handle: with or without alpha. Alpha is
//! straight (not premultiplied) here; ops that mix neighbouring pixels premultiply internally.

use crate::error::OpError;

/// Interleaved 8-bit sRGB pixels, row-major, no padding between rows.
#[derive(Clone, PartialEq, Eq)]
pub struct Image {
    width: u32,
    height: u32,
    channels: usize,
    data: Vec<u8>,
}

impl std::fmt::Debug for Image {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Image({}x{}x{})", self.width, self.height, self.channels)
    }
}

impl Image {
    /// Wraps a pixel buffer. `channels` is 3 (RGB) or 4 (RGBA); `data` must hold exactly
    /// `width * height * channels` bytes.
    pub fn from_raw(width: u32, height: u32, channels: usize, data: Vec<u8>) -> Result<Self, OpError> {
        if !(channels == 3 || channels == 4) {
            return Err(OpError::Internal(format!("{channels} channels: only RGB and RGBA are held")));
        }
        if width == 0 || height == 0 {
            return Err(OpError::Internal(format!("empty image {width}x{height}")));
        }
        let expected = width as usize * height as usize * channels;
        if data.len() != expected {
            return Err(OpError::Internal(format!(
                "buffer of {} bytes for a {width}x{height}x{channels} image (needs {expected})",
                data.len()
            )));
        }
        Ok(Image { width, height, channels, data })
    }

    /// Wraps a buffer whose size the caller has just computed from the same dimensions.
    pub(crate) fn from_parts(width: u32, height: u32, channels: usize, data: Vec<u8>) -> Self {
        debug_assert_eq!(data.len(), width as usize * height as usize * channels);
        debug_assert!(width > 0 && height > 0 && (channels == 3 || channels == 4));
        Image { width, height, channels, data }
    }

    /// A new image filled with one colour (`rgba[3]` is ignored when `channels` is 3).
    pub fn filled(width: u32, height: u32, channels: usize, rgba: [u8; 4]) -> Self {
        let px = &rgba[..channels.clamp(3, 4)];
        let data = px.repeat(width as usize * height as usize);
        Image { width, height, channels: px.len(), data }
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// 3 for RGB, 4 for RGBA.
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// Whether the image carries an alpha channel.
    pub fn has_alpha(&self) -> bool {
        self.channels == 4
    }

    /// Bytes per row.
    pub fn stride(&self) -> usize {
        self.width as usize * self.channels
    }

    /// Number of pixels.
    pub fn pixel_count(&self) -> usize {
        self.width as usize * self.height as usize
    }

    /// The pixel bytes.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The pixel bytes, mutable.
    pub fn data_mut(&mut self) -> &mut [u8] {
        &mut self.data
    }

    /// Gives up the pixel buffer.
    pub fn into_raw(self) -> Vec<u8> {
        self.data
    }

    /// One row of pixels.
    pub fn row(&self, y: usize) -> &[u8] {
        let s = self.stride();
        &self.data[y * s..(y + 1) * s]
    }

    /// The same pixels with an opaque alpha channel added (a copy if one is needed).
    pub fn with_alpha(self) -> Image {
        if self.has_alpha() {
            return self;
        }
        let mut data = Vec::with_capacity(self.pixel_count() * 4);
        for px in self.data.chunks_exact(3) {
            data.extend_from_slice(&[px[0], px[1], px[2], 255]);
        }
        Image { width: self.width, height: self.height, channels: 4, data }
    }

    /// The same pixels without the alpha channel (dropped, not composited).
    pub fn without_alpha(self) -> Image {
        if !self.has_alpha() {
            return self;
        }
        let mut data = Vec::with_capacity(self.pixel_count() * 3);
        for px in self.data.chunks_exact(4) {
            data.extend_from_slice(&px[..3]);
        }
        Image { width: self.width, height: self.height, channels: 3, data }
    }

    /// True when every pixel is fully opaque (or there is no alpha channel).
    pub fn is_opaque(&self) -> bool {
        !self.has_alpha() || self.data.chunks_exact(4).all(|px| px[3] == 255)
    }

    /// True when every pixel has R == G == B: such an image can be written as greyscale.
    pub fn is_grey(&self) -> bool {
        self.data.chunks_exact(self.channels).all(|px| px[0] == px[1] && px[1] == px[2])
    }

    /// Composites onto an opaque background colour and drops alpha (for formats without it).
    pub fn flatten(self, bg: [u8; 3]) -> Image {
        if !self.has_alpha() {
            return self;
        }
        let mut data = Vec::with_capacity(self.pixel_count() * 3);
        for px in self.data.chunks_exact(4) {
            let a = u32::from(px[3]);
            for c in 0..3 {
                let v = (u32::from(px[c]) * a + u32::from(bg[c]) * (255 - a) + 127) / 255;
                data.push(v as u8);
            }
        }
        Image { width: self.width, height: self.height, channels: 3, data }
    }

    /// A deterministic test card for benchmarks: smooth gradients with fine detail and a
    /// little noise, so no op meets a degenerate (flat or constant) input.
    pub fn test_card(width: u32, height: u32) -> Image {
        let (w, h) = (width.max(1), height.max(1));
        let mut data = Vec::with_capacity(w as usize * h as usize * 3);
        let mut seed = 0x2545_f491_u32;
        for y in 0..h {
            for x in 0..w {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                let noise = (seed & 15) as i32 - 8;
                let r = (x * 255 / w) as i32 + noise;
                let g = (y * 255 / h) as i32 - noise;
                let b = (((x / 8 + y / 8) % 2) * 160 + 40) as i32 + noise;
                data.extend([r, g, b].map(|v| v.clamp(0, 255) as u8));
            }
        }
        Image::from_parts(w, h, 3, data)
    }
}
