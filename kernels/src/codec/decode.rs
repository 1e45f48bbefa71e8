//! Decoding: bytes in, an upright 8-bit sRGB [`Image`] out.
//!
//! The order matters for safety: the byte limit is checked before anything is parsed, the
//! format is taken from the magic bytes only, the pixel limit is checked against the header's
//! dimensions before the pixel buffer is allocated, and the decoder itself runs under an
//! allocation cap, so no input can make glint allocate beyond the limits in force.

use std::io::Cursor;

use image::codecs::{gif::GifDecoder, jpeg::JpegDecoder, png::PngDecoder, tiff::TiffDecoder, webp::WebPDecoder};
use image::metadata::Orientation;
use image::{ColorType, ImageDecoder, ImageError};

use super::{Format, Sniffed, sniff};
use super::{color, gif, jpeg, png, webp};
use crate::cpu;
use crate::error::DecodeError;
use crate::image::Image;
use crate::limits::Limits;
use crate::spec::{Flip, Rotate};

/// A decoded input.
#[derive(Debug)]
pub struct Decoded {
    /// The pixels, upright and in sRGB.
    pub image: Image,
    /// The format the input was in.
    pub format: Format,
    /// The EXIF orientation (1-8) that was applied.
    pub orientation: u8,
    /// Whether an embedded ICC profile was converted to sRGB.
    pub icc_converted: bool,
    /// How much the image was shrunk while decoding (1: not at all; 2, 4 or 8 for JPEG
    /// shrink-on-load, see [`DecodeOptions::at_least`]).
    pub shrink: u32,
}

/// How to decode.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DecodeOptions {
    /// The smallest upright size the caller needs. Formats that can decode smaller for less
    /// work (JPEG, by 1/2, 1/4 or 1/8) may return any size at least this large.
    pub at_least: Option<(u32, u32)>,
}

/// What the header says, without decoding pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    /// The format.
    pub format: Format,
    /// Width as stored.
    pub width: u32,
    /// Height as stored.
    pub height: u32,
    /// EXIF orientation 1-8 (width and height swap for 5-8).
    pub orientation: u8,
}

impl Probe {
    /// Width and height once the orientation is applied.
    pub fn upright_size(&self) -> (u32, u32) {
        if self.orientation >= 5 { (self.height, self.width) } else { (self.width, self.height) }
    }
}

/// Reads the header: format, dimensions and orientation, checked against the limits.
pub fn probe(bytes: &[u8], limits: &Limits) -> Result<Probe, DecodeError> {
    let format = check_input(bytes, limits)?;
    if format == Format::Jpeg {
        let markers = jpeg::walk(bytes)?;
        let (width, height) = jpeg::dimensions(bytes)?;
        check_pixels(width, height, format, limits)?;
        let orientation = exif_orientation(markers.exif.as_deref()).to_exif();
        return Ok(Probe { format, width, height, orientation });
    }
    let mut decoder = open(format, bytes, limits)?.decoder;
    let (width, height) = checked_dimensions(decoder.as_ref(), format, limits)?;
    let orientation = orientation(decoder.as_mut()).to_exif();
    Ok(Probe { format, width, height, orientation })
}

/// Decodes an image file held in memory.
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<Decoded, DecodeError> {
    decode_with(bytes, limits, &DecodeOptions::default())
}

/// Decodes an image file held in memory, with options.
pub fn decode_with(bytes: &[u8], limits: &Limits, options: &DecodeOptions) -> Result<Decoded, DecodeError> {
    let format = check_input(bytes, limits)?;
    if format == Format::Jpeg {
        let markers = jpeg::walk(bytes)?;
        // CMYK and YCCK go through the other decoder, which converts them to RGB.
        if !markers.cmyk {
            return decode_jpeg(bytes, limits, options, &markers);
        }
    }
    let Opened { mut decoder, png } = open(format, bytes, limits)?;
    let (width, height) = checked_dimensions(decoder.as_ref(), format, limits)?;
    if let Some(header) = png.filter(png::Header::needs_index_check) {
        png::check_palette_indices(bytes, &header)?;
    }

    // Bound everything the decoder allocates: the pixels plus a margin for its own tables.
    let mut caps = image::Limits::default();
    caps.max_alloc = Some(decoder.total_bytes().saturating_add(64 << 20));
    decoder.set_limits(caps).map_err(|e| map_error(format, e, limits))?;

    // Damaged metadata must not cost the picture: a bad profile or EXIF block is ignored.
    let icc = decoder.icc_profile().ok().flatten();
    let orientation = orientation(decoder.as_mut());
    let color_type = decoder.color_type();

    let mut buf = alloc(decoder.total_bytes(), format)?;
    decoder.read_image_boxed(&mut buf).map_err(|e| map_error(format, e, limits))?;

    let (image, icc_converted) = to_srgb8(buf, width, height, color_type, icc.as_deref(), format)?;
    let image = apply_orientation(image, orientation);
    Ok(Decoded { image, format, orientation: orientation.to_exif(), icc_converted, shrink: 1 })
}

/// A YCbCr, RGB or grey JPEG through libjpeg-turbo, shrunk while decoding when the caller
/// needs less than the full size.
fn decode_jpeg(
    bytes: &[u8],
    limits: &Limits,
    options: &DecodeOptions,
    markers: &jpeg::Markers,
) -> Result<Decoded, DecodeError> {
    let orientation = exif_orientation(markers.exif.as_deref());
    let (width, height) = jpeg::dimensions(bytes)?;
    check_pixels(width, height, Format::Jpeg, limits)?;
    // The caller's minimum is upright; the decoder works on the stored layout.
    let at_least = options.at_least.map(|(w, h)| if orientation.to_exif() >= 5 { (h, w) } else { (w, h) });
    let pixels = jpeg::decode_rgb(bytes, at_least, markers.restarts.as_ref())?;
    let mut data = pixels.data;
    let icc_converted =
        markers.icc.as_deref().is_some_and(|icc| color::to_srgb_8(icc, &mut data, 3, pixels.width as usize));
    let image = Image::from_raw(pixels.width, pixels.height, 3, data)
        .map_err(|e| DecodeError::Corrupt { format: "jpeg", reason: e.to_string() })?;
    let image = apply_orientation(image, orientation);
    Ok(Decoded {
        image,
        format: Format::Jpeg,
        orientation: orientation.to_exif(),
        icc_converted,
        shrink: pixels.shrink,
    })
}

/// The orientation an EXIF block gives; absent, out of range (0, 9+) or unreadable is upright.
fn exif_orientation(exif: Option<&[u8]>) -> Orientation {
    exif.and_then(Orientation::from_exif_chunk).unwrap_or(Orientation::NoTransforms)
}

/// The EXIF orientation; absent, out of range (0, 9+) or unreadable means upright.
fn orientation(decoder: &mut dyn ImageDecoder) -> Orientation {
    let Ok(Some(exif)) = decoder.exif_metadata() else { return Orientation::NoTransforms };
    // WebP files written by some tools keep JPEG's "Exif\0\0" prefix before the TIFF header.
    exif_orientation(Some(exif.strip_prefix(b"Exif\0\0").unwrap_or(&exif)))
}

fn check_input(bytes: &[u8], limits: &Limits) -> Result<Format, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    if bytes.len() as u64 > limits.max_bytes {
        return Err(DecodeError::TooManyBytes { bytes: bytes.len() as u64, max: limits.max_bytes });
    }
    match sniff(bytes) {
        Sniffed::Known(f) if f.is_readable() => Ok(f),
        Sniffed::Known(f) => Err(DecodeError::UnsupportedFormat(format!(
            "{}, which glint writes but does not read",
            f.name().to_uppercase()
        ))),
        Sniffed::Other(name) => Err(DecodeError::UnsupportedFormat(name.to_string())),
        Sniffed::Unknown => Err(DecodeError::Unrecognised),
    }
}

/// An opened decoder, after the structural checks of its format.
struct Opened<'a> {
    decoder: Box<dyn ImageDecoder + 'a>,
    /// The PNG header walk, for the checks that need the pixels.
    png: Option<png::Header>,
}

/// Runs the format's structural walk (cheap, no pixel allocation: frame counts and bounds,
/// metadata sizes), then opens its decoder.
fn open<'a>(format: Format, bytes: &'a [u8], limits: &Limits) -> Result<Opened<'a>, DecodeError> {
    let png = match format {
        Format::Png => Some(png::check(bytes)?),
        Format::Gif => {
            gif::walk(bytes)?;
            None
        }
        Format::Webp => {
            webp::walk(bytes)?;
            None
        }
        _ => None,
    };
    Ok(Opened { decoder: open_decoder(format, bytes, limits)?, png })
}

fn open_decoder<'a>(
    format: Format,
    bytes: &'a [u8],
    limits: &Limits,
) -> Result<Box<dyn ImageDecoder + 'a>, DecodeError> {
    let cursor = Cursor::new(bytes);
    let err = |e| map_error(format, e, limits);
    Ok(match format {
        Format::Jpeg => Box::new(JpegDecoder::new(cursor).map_err(err)?),
        Format::Png => {
            // PNG reads its header chunks (text, profiles) while opening: cap that too.
            let mut caps = image::Limits::default();
            caps.max_alloc = Some(64 << 20);
            Box::new(PngDecoder::with_limits(cursor, caps).map_err(err)?)
        }
        Format::Gif => Box::new(GifDecoder::new(cursor).map_err(err)?),
        Format::Webp => Box::new(WebPDecoder::new(cursor).map_err(err)?),
        Format::Tiff => Box::new(TiffDecoder::new(cursor).map_err(err)?),
        Format::Avif => return Err(DecodeError::UnsupportedFormat("AVIF".into())),
    })
}

fn checked_dimensions(decoder: &dyn ImageDecoder, format: Format, limits: &Limits) -> Result<(u32, u32), DecodeError> {
    let (width, height) = decoder.dimensions();
    check_pixels(width, height, format, limits)?;
    Ok((width, height))
}

/// Refuses a declared size that is empty or over the pixel limit.
fn check_pixels(width: u32, height: u32, format: Format, limits: &Limits) -> Result<(), DecodeError> {
    if width == 0 || height == 0 {
        return Err(DecodeError::Corrupt {
            format: format.name(),
            reason: format!("image declares a size of {width}x{height}"),
        });
    }
    let pixels = u64::from(width) * u64::from(height);
    if pixels > limits.max_pixels {
        return Err(DecodeError::TooManyPixels {
            width: width.into(),
            height: height.into(),
            pixels,
            max: limits.max_pixels,
        });
    }
    Ok(())
}

/// Allocates the decode buffer without aborting the process if memory is short.
fn alloc(len: u64, format: Format) -> Result<Vec<u8>, DecodeError> {
    let too_big = || DecodeError::Corrupt {
        format: format.name(),
        reason: format!("cannot allocate {len} bytes for the pixels"),
    };
    let len = usize::try_from(len).map_err(|_| too_big())?;
    let mut buf = Vec::new();
    buf.try_reserve_exact(len).map_err(|_| too_big())?;
    buf.resize(len, 0);
    Ok(buf)
}

fn map_error(format: Format, e: ImageError, limits: &Limits) -> DecodeError {
    match e {
        ImageError::Limits(l) => DecodeError::Corrupt {
            format: format.name(),
            reason: format!("decoding would exceed the memory allowed for a {}-pixel image ({l})", limits.max_pixels),
        },
        ImageError::Unsupported(u) => {
            DecodeError::UnsupportedFeature(format!("{} feature: {u}", format.name().to_uppercase()))
        }
        ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            DecodeError::Corrupt { format: format.name(), reason: "file is truncated".into() }
        }
        other => DecodeError::Corrupt { format: format.name(), reason: other.to_string() },
    }
}

/// Converts any decoded layout to 8-bit RGB(A) in sRGB, converting from the embedded ICC
/// profile first (at full precision) where there is one.
fn to_srgb8(
    buf: Vec<u8>,
    width: u32,
    height: u32,
    color_type: ColorType,
    icc: Option<&[u8]>,
    format: Format,
) -> Result<(Image, bool), DecodeError> {
    let internal = |e: crate::error::OpError| DecodeError::Corrupt { format: format.name(), reason: e.to_string() };
    let (channels, bytes_per_sample) = (
        color_type.channel_count() as usize,
        color_type.bytes_per_pixel() as usize / color_type.channel_count() as usize,
    );
    let grey = matches!(color_type, ColorType::L8 | ColorType::La8 | ColorType::L16 | ColorType::La16);
    let has_alpha = color_type.has_alpha();
    let out_channels = if has_alpha { 4 } else { 3 };

    let mut converted = false;
    let data: Vec<u8> = match bytes_per_sample {
        1 => {
            let mut data = buf;
            if let (false, Some(icc)) = (grey, icc) {
                converted = color::to_srgb_8(icc, &mut data, channels, width as usize);
            }
            if grey { expand_grey(&data, has_alpha) } else { data }
        }
        2 => {
            let mut samples: Vec<u16> = buf.chunks_exact(2).map(|b| u16::from_ne_bytes([b[0], b[1]])).collect();
            drop(buf);
            if let (false, Some(icc)) = (grey, icc) {
                converted = color::to_srgb_16(icc, &mut samples, channels, width as usize);
            }
            let narrow: Vec<u8> = samples.iter().map(|&v| ((u32::from(v) * 255 + 32_767) / 65_535) as u8).collect();
            if grey { expand_grey(&narrow, has_alpha) } else { narrow }
        }
        4 => buf
            .chunks_exact(4)
            .map(|b| (f32::from_ne_bytes([b[0], b[1], b[2], b[3]]).clamp(0.0, 1.0) * 255.0).round() as u8)
            .collect(),
        _ => {
            return Err(DecodeError::UnsupportedFeature(format!(
                "{} with {color_type:?} pixels",
                format.name().to_uppercase()
            )));
        }
    };
    Ok((Image::from_raw(width, height, out_channels, data).map_err(internal)?, converted))
}

fn expand_grey(data: &[u8], has_alpha: bool) -> Vec<u8> {
    if has_alpha {
        data.chunks_exact(2).flat_map(|p| [p[0], p[0], p[0], p[1]]).collect()
    } else {
        data.iter().flat_map(|&v| [v, v, v]).collect()
    }
}

fn apply_orientation(image: Image, o: Orientation) -> Image {
    match o {
        Orientation::NoTransforms => image,
        Orientation::Rotate90 => cpu::rotate::rotate(&image, Rotate::R90),
        Orientation::Rotate180 => cpu::rotate::rotate(&image, Rotate::R180),
        Orientation::Rotate270 => cpu::rotate::rotate(&image, Rotate::R270),
        Orientation::FlipHorizontal => cpu::flip::flip(image, Flip::H),
        Orientation::FlipVertical => cpu::flip::flip(image, Flip::V),
        Orientation::Rotate90FlipH => cpu::flip::flip(cpu::rotate::rotate(&image, Rotate::R90), Flip::H),
        Orientation::Rotate270FlipH => cpu::flip::flip(cpu::rotate::rotate(&image, Rotate::R270), Flip::H),
    }
}
