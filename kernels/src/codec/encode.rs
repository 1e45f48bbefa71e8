//! Encoding: an [`Image`] to file bytes. Nothing but pixels is written: no EXIF, XMP, comments
//! or GPS, and no ICC profile (pixels are sRGB, which every viewer assumes without one).
//!
//! The encoders get the smallest faithful layout: an image whose pixels are all grey is written
//! as greyscale, and an alpha channel that is opaque everywhere is dropped. Formats without
//! alpha get the image composited onto white.

use std::borrow::Cow;

use image::codecs::avif::AvifEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{ExtendedColorType, ImageEncoder};

use super::Format;
use crate::error::EncodeError;
use crate::image::Image;
use crate::spec::FormatOp;

/// AVIF encoder speed (1 slowest .. 10 fastest): 8 keeps encoding within a request's budget
/// at a small cost in size.
const AVIF_SPEED: u8 = 8;

/// The output settings for a result: the pipeline's `format` op if it has one, else the format
/// the destination asks for (a file extension), else the input's format where glint can write
/// it, else PNG.
pub fn output_format(pipeline: Option<&FormatOp>, destination: Option<Format>, input: Format) -> FormatOp {
    if let Some(f) = pipeline {
        return *f;
    }
    let format = destination.or(Some(input)).filter(|f| f.is_writable()).unwrap_or(Format::Png);
    FormatOp::new(format)
}

/// Encodes the image with the given settings.
pub fn encode(image: &Image, out: &FormatOp) -> Result<Vec<u8>, EncodeError> {
    let fail = |reason: String| EncodeError::Failed { format: out.format.name(), reason };
    let (w, h) = (image.width(), image.height());

    // Alpha that carries nothing is dropped; formats without alpha get it composited on white.
    let keep_alpha = image.has_alpha() && out.format.has_alpha() && !image.is_opaque();
    let image: Cow<'_, Image> = match (image.has_alpha(), keep_alpha, out.format.has_alpha()) {
        (true, false, true) => Cow::Owned(image.clone().without_alpha()),
        (true, false, false) => Cow::Owned(image.clone().flatten([255, 255, 255])),
        _ => Cow::Borrowed(image),
    };
    // JPEG and PNG store grey images in one channel: a third of the size for the same pixels.
    let grey = matches!(out.format, Format::Jpeg | Format::Png) && image.is_grey();
    let pixels: Cow<'_, [u8]> = if grey {
        let step = image.channels();
        Cow::Owned(if keep_alpha {
            image.data().chunks_exact(step).flat_map(|p| [p[0], p[3]]).collect()
        } else {
            image.data().chunks_exact(step).map(|p| p[0]).collect()
        })
    } else {
        Cow::Borrowed(image.data())
    };
    let channels = pixels.len() / (w as usize * h as usize);

    match out.format {
        Format::Jpeg => {
            if w > 65_535 || h > 65_535 {
                return Err(fail(format!("{w}x{h} is beyond JPEG's 65535-pixel limit")));
            }
            let colour = if channels == 1 { jpeg_encoder::ColorType::Luma } else { jpeg_encoder::ColorType::Rgb };
            let mut bytes = Vec::new();
            let mut enc = jpeg_encoder::Encoder::new(&mut bytes, out.quality.unwrap_or(FormatOp::DEFAULT_QUALITY));
            if out.progressive {
                enc.set_progressive(true);
                enc.set_optimized_huffman_tables(true);
            }
            enc.encode(&pixels, w as u16, h as u16, colour).map_err(|e| fail(e.to_string()))?;
            Ok(bytes)
        }
        Format::Png => {
            let mut bytes = Vec::new();
            let enc = PngEncoder::new_with_quality(&mut bytes, CompressionType::Default, FilterType::Adaptive);
            enc.write_image(&pixels, w, h, extended(channels)).map_err(|e| fail(e.to_string()))?;
            Ok(bytes)
        }
        Format::Webp => {
            if w > 16_383 || h > 16_383 {
                return Err(fail(format!("{w}x{h} is beyond WebP's 16383-pixel limit")));
            }
            let layout = if keep_alpha { webp::PixelLayout::Rgba } else { webp::PixelLayout::Rgb };
            let quality = f32::from(out.quality.unwrap_or(FormatOp::DEFAULT_QUALITY));
            let mem = webp::Encoder::new(&pixels, layout, w, h)
                .encode_simple(out.lossless, quality)
                .map_err(|e| fail(format!("{e:?}")))?;
            Ok(mem.to_vec())
        }
        Format::Avif => {
            let colour = if keep_alpha { ExtendedColorType::Rgba8 } else { ExtendedColorType::Rgb8 };
            let mut bytes = Vec::new();
            let enc = AvifEncoder::new_with_speed_quality(
                &mut bytes,
                AVIF_SPEED,
                out.quality.unwrap_or(FormatOp::DEFAULT_QUALITY),
            );
            enc.write_image(&pixels, w, h, colour).map_err(|e| fail(e.to_string()))?;
            Ok(bytes)
        }
        Format::Gif | Format::Tiff => Err(fail("glint does not write this format; use jpeg, png, webp or avif".into())),
    }
}

fn extended(channels: usize) -> ExtendedColorType {
    match channels {
        1 => ExtendedColorType::L8,
        2 => ExtendedColorType::La8,
        4 => ExtendedColorType::Rgba8,
        _ => ExtendedColorType::Rgb8,
    }
}
