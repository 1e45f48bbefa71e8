//! The files of the corpus's `corrupt/` and `malicious/` folders that are valid images, shared
//! by `tests/hostile.rs` (through the binary) and `tests/extended.rs` (in process).
//!
//! The rule behind the list: glint refuses a file when the format leaves some pixel undefined
//! (truncation, frames outside the screen, palette indices without a colour) or when it is
//! built to exhaust resources (declared sizes, frame floods, metadata that inflates without
//! bound); it accepts a file whose pixels are all defined even when metadata or data no pixel
//! depends on is damaged or hostile, since metadata is never trusted and always stripped.

/// Files of `corrupt/` and `malicious/` that are valid images, and why glint accepts them.
/// Everything else in those folders must be refused.
pub const ACCEPTED: &[(&str, &str)] = &[
    (
        "corrupt/imagers_issue_1455_undersized.gif",
        "two frames smaller than the screen, both inside it: valid GIF (the bug was a decoder's compositing)",
    ),
    (
        "corrupt/imagers_regression_panic.webp",
        "a valid lossless WebP (libwebp decodes it); it once made a decoder panic, which is the point of keeping it",
    ),
    (
        "corrupt/pillow_idat_after_image_end.png",
        "the image is complete; a second copy of the data follows it, which libpng ignores (no pixel depends on it)",
    ),
    (
        "corrupt/pillow_sugarshack_bad_mpo_header.jpg",
        "an MPO photo: the primary image is a complete JPEG; only the multi-picture metadata is damaged",
    ),
    (
        "corrupt/pillow_unknown_compression_method.png",
        "only the iCCP profile names an unknown compression method: unreadable profiles are ignored, as browsers do",
    ),
    (
        "malicious/fuzzdb_POC_phpinfo-metadata.jpg",
        "hostile EXIF text; the pixels are a valid JPEG and metadata is stripped",
    ),
    ("malicious/ianare_36-memory_error.jpg", "a real photo with huge EXIF counts; the EXIF is never trusted"),
    ("malicious/ianare_invalid_image00971.jpg", "a valid JPEG with looping EXIF offsets; only the orientation is read"),
    ("malicious/pillow_exif-ifd-offset.jpg", "a valid JPEG with an odd EXIF offset"),
    ("malicious/pillow_exif_typeerror.jpg", "a valid JPEG with mistyped EXIF tags"),
    ("malicious/pillow_invalid-exif.jpg", "a valid JPEG with an invalid EXIF IFD"),
    ("malicious/vips_big-height.webp", "a valid 99-frame animation, under the frame limit; the first frame is used"),
    (
        "malicious/vips_looks-like-svg.webp",
        "a valid WebP whose bytes also look like SVG: the magic bytes say WebP, so it is decoded as WebP",
    ),
];
