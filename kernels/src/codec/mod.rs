//! Reading and writing image files: format sniffing, decoding under limits (EXIF orientation
//! and ICC colour applied), and encoding with metadata stripped.

mod color;
mod decode;
mod encode;
mod gif;
mod jpeg;
mod png;
mod webp;

pub use decode::{DecodeOptions, Decoded, Probe, decode, decode_with, probe};
pub use encode::{encode, output_format};

/// A file format glint knows of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// JPEG (JFIF/EXIF), read and written.
    Jpeg,
    /// PNG, read and written.
    Png,
    /// WebP, read and written (lossy and lossless).
    Webp,
    /// GIF, read (first frame).
    Gif,
    /// TIFF, read.
    Tiff,
    /// AVIF, written.
    Avif,
}

impl Format {
    /// Lower-case name, as in the `format:` op.
    pub fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "jpeg",
            Format::Png => "png",
            Format::Webp => "webp",
            Format::Gif => "gif",
            Format::Tiff => "tiff",
            Format::Avif => "avif",
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Tiff => "tif",
            other => other.name(),
        }
    }

    /// The MIME type.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
            Format::Gif => "image/gif",
            Format::Tiff => "image/tiff",
            Format::Avif => "image/avif",
        }
    }

    /// The format a file extension names (case-insensitive), if glint knows it.
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "jpg" | "jpeg" | "jpe" | "jfif" => Some(Format::Jpeg),
            "png" => Some(Format::Png),
            "webp" => Some(Format::Webp),
            "gif" => Some(Format::Gif),
            "tif" | "tiff" => Some(Format::Tiff),
            "avif" => Some(Format::Avif),
            _ => None,
        }
    }

    /// Whether glint can write this format.
    pub fn is_writable(self) -> bool {
        matches!(self, Format::Jpeg | Format::Png | Format::Webp | Format::Avif)
    }

    /// Whether glint can read this format.
    pub fn is_readable(self) -> bool {
        matches!(self, Format::Jpeg | Format::Png | Format::Webp | Format::Gif | Format::Tiff)
    }

    /// Whether the format's encoder takes a quality.
    pub fn is_lossy(self) -> bool {
        matches!(self, Format::Jpeg | Format::Webp | Format::Avif)
    }

    /// Whether the format can carry an alpha channel.
    pub fn has_alpha(self) -> bool {
        !matches!(self, Format::Jpeg)
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What the first bytes of a file say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    /// A format glint knows.
    Known(Format),
    /// A recognised format glint does not read, by name.
    Other(&'static str),
    /// Nothing recognisable.
    Unknown,
}

/// Identifies a file by its magic bytes, never by its name.
pub fn sniff(bytes: &[u8]) -> Sniffed {
    let starts = |sig: &[u8]| bytes.starts_with(sig);
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return Sniffed::Known(Format::Jpeg);
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Sniffed::Known(Format::Png);
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Sniffed::Known(Format::Gif);
    }
    if bytes.len() >= 12 && starts(b"RIFF") && &bytes[8..12] == b"WEBP" {
        return Sniffed::Known(Format::Webp);
    }
    if starts(b"II*\0") || starts(b"MM\0*") {
        return Sniffed::Known(Format::Tiff);
    }
    if starts(b"II+\0") || starts(b"MM\0+") {
        return Sniffed::Other("BigTIFF");
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        return match &bytes[8..12] {
            b"avif" | b"avis" => Sniffed::Known(Format::Avif),
            b"heic" | b"heix" | b"mif1" | b"msf1" | b"hevc" => Sniffed::Other("HEIF"),
            _ => Sniffed::Other("ISO media"),
        };
    }
    if starts(b"BM") {
        return Sniffed::Other("BMP");
    }
    if starts(&[0, 0, 1, 0]) {
        return Sniffed::Other("ICO");
    }
    if starts(b"8BPS") {
        return Sniffed::Other("PSD");
    }
    if starts(b"%PDF") {
        return Sniffed::Other("PDF");
    }
    if starts(&[0xFF, 0x0A]) || starts(b"\0\0\0\x0cJXL ") {
        return Sniffed::Other("JPEG XL");
    }
    if looks_like_svg(bytes) {
        return Sniffed::Other("SVG");
    }
    Sniffed::Unknown
}

/// SVG is text: look for an `<svg` element near the start, after any XML prologue.
fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let t = text.trim_start_matches('\u{feff}').trim_start();
    (t.starts_with("<?xml") || t.starts_with("<svg") || t.starts_with("<!doctype svg") || t.starts_with("<!--"))
        && text.contains("<svg")
}
