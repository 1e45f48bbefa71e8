//! Decoding and encoding: every format and variant the engine reads, EXIF orientation, ICC
//! conversion, the limits, bad input, and what the encoders write (and leave out).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail by panicking")]

mod common;

use common::{compare, fixture, load, load_fixture};
use glint_kernels::codec::{decode, probe};
use glint_kernels::{DecodeError, Format, Image, Limits, Pipeline, process};

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn decoded(name: &str) -> Image {
    decode(&bytes(name), &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}")).image
}

#[test]
fn jpeg_variants() {
    let hopper = load_fixture("hopper.png");
    // Baseline JPEG: the PNG fixture is Pillow's (libjpeg-turbo's) decode of the same file.
    let d = compare(&decoded("decode/hopper.jpg"), &hopper);
    println!("baseline JPEG vs libjpeg-turbo decode: max {} PSNR {:.1} dB", d.max, d.psnr);
    assert!(d.psnr > 40.0);
    let grey = decoded("decode/pillow_hopper_gray.jpg");
    assert!(grey.is_grey() && grey.width() == 128);
    let progressive = decoded("decode/imagers_progressive_test.jpg");
    assert!(progressive.width() > 0);
    // CMYK (Adobe, inverted) against Pillow's RGB rendering of it.
    let d = compare(&decoded("decode/pillow_cmyk.jpg"), &decoded("decode/pillow_cmyk_reference_rgb.jpg"));
    println!("CMYK JPEG vs reference RGB: max {} PSNR {:.1} dB", d.max, d.psnr);
    assert!(d.psnr > 30.0);
}

#[test]
fn png_variants_decode_to_the_same_pixels() {
    // PngSuite encodes the same pictures at several depths, with and without interlacing.
    for (a, b) in [
        ("basn0g08", "basi0g08"),
        ("basn2c16", "basi2c16"),
        ("basn6a08", "basi6a08"),
        ("basn3p08", "basi3p08"),
        ("basn6a16", "basi6a16"),
    ] {
        let (x, y) = (decoded(&format!("decode/{a}.png")), decoded(&format!("decode/{b}.png")));
        assert_eq!(compare(&x, &y).max, 0, "{a} vs {b}");
    }
    for name in
        ["basn0g01", "basn0g02", "basn0g04", "basn3p01", "basn3p02", "basn3p04", "basn2c08", "s01n3p01", "s39i3p04"]
    {
        let img = decoded(&format!("decode/{name}.png"));
        assert!(!img.has_alpha(), "{name}");
    }
    for name in ["basn4a08", "basn6a16", "tbrn2c08", "tbbn3p08", "tp1n3p08"] {
        assert!(decoded(&format!("decode/{name}.png")).has_alpha(), "{name} has transparency");
    }
    assert!(decoded("decode/basn0g16.png").is_grey());
}

#[test]
fn webp_gif_tiff() {
    assert!(!decoded("decode/imagers_lossy_simple-rgb.webp").has_alpha());
    assert!(decoded("decode/imagers_lossless_simple.webp").width() > 0);
    assert!(decoded("decode/imagers_lossy_alpha.webp").has_alpha());
    let gif = decoded("decode/pillow_hopper.gif");
    assert_eq!((gif.width(), gif.height()), (128, 128));
    // Animated: the first frame.
    assert!(decoded("decode/pillow_iss634_anim.gif").width() > 0);
    assert_eq!(compare(&decoded("decode/hopper.tif"), &load_fixture("hopper.png")).max, 0);
}

/// The eight ways to lay out a square image (the EXIF orientations).
fn dihedral(img: &Image) -> Vec<(String, Image)> {
    let run = |spec: &str| common::run(spec, img);
    let mut out = vec![("identity".to_string(), img.clone())];
    for spec in ["rotate:90", "rotate:180", "rotate:270", "flip:h", "flip:v", "rotate:90/flip:h", "rotate:270/flip:h"] {
        out.push((spec.to_string(), run(spec)));
    }
    out
}

#[test]
fn exif_orientations_come_out_upright() {
    let upright = decoded("decode/hopper.jpg");
    for n in 2..=8 {
        for ext in ["jpg", "webp"] {
            let name = format!("decode/pillow_hopper_orientation_{n}.{ext}");
            let d = decode(&bytes(&name), &Limits::default()).unwrap();
            assert_eq!(d.orientation, n, "{name}");
            // Upright means: closer to the reference than any other layout of the same pixels.
            let scores: Vec<(String, f64)> =
                dihedral(&d.image).into_iter().map(|(how, img)| (how, compare(&img, &upright).psnr)).collect();
            let best = scores.iter().max_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
            assert_eq!(best.0, "identity", "{name}: {scores:?}");
            assert!(best.1 > 28.0, "{name}: {scores:?}");
        }
    }
}

#[test]
fn icc_profiles_are_converted_to_srgb() {
    let srgb = load_fixture("hopper.png");
    for name in ["decode/hopper_p3.png", "decode/hopper_p3_16.png"] {
        let d = decode(&bytes(name), &Limits::default()).unwrap();
        assert!(d.icc_converted, "{name}");
        let diff = compare(&d.image, &srgb);
        println!("{name} -> sRGB vs original: max {} PSNR {:.1} dB", diff.max, diff.psnr);
        assert!(diff.psnr > 40.0, "{name}: {:.1} dB", diff.psnr);
    }
    // A file without a profile (or with an sRGB one) is left alone.
    assert!(!decode(&bytes("decode/hopper.jpg"), &Limits::default()).unwrap().icc_converted);
}

#[test]
fn limits_are_enforced_from_the_header() {
    let data = bytes("decode/hopper.jpg");
    let small = Limits { max_pixels: 128 * 127, ..Limits::default() };
    let err = decode(&data, &small).unwrap_err();
    assert!(matches!(err, DecodeError::TooManyPixels { width: 128, height: 128, .. }), "{err}");
    assert!(err.to_string().contains("GLINT_MAX_PIXELS"));
    let err = probe(&data, &small).unwrap_err();
    assert!(matches!(err, DecodeError::TooManyPixels { .. }));
    let tiny = Limits { max_bytes: 100, ..Limits::default() };
    assert!(matches!(decode(&data, &tiny).unwrap_err(), DecodeError::TooManyBytes { .. }));
    assert!(Limits::from_lookup(|k| (k == "GLINT_MAX_PIXELS").then(|| "lots".to_string())).is_err());
    assert_eq!(Limits::from_lookup(|k| (k == "GLINT_MAX_BYTES").then(|| "1000".to_string())).unwrap().max_bytes, 1000);
}

#[test]
fn bad_input_fails_with_a_reason() {
    let limits = Limits::default();
    let cases: [(&str, &[u8], &str); 4] = [
        ("empty", b"", "empty input"),
        ("text", b"hello, this is not an image", "not an image"),
        ("bmp", b"BM\x36\0\0\0\0\0\0\0", "BMP"),
        ("avif", b"\0\0\0\x1cftypavif\0\0\0\0", "AVIF"),
    ];
    for (what, data, needle) in cases {
        let err = decode(data, &limits).unwrap_err().to_string();
        assert!(err.contains(needle), "{what}: {err}");
    }
    for (name, needle) in [
        ("corrupt/pillow_truncated_jpeg.jpg", "truncated"),
        ("corrupt/pillow_broken.png", "png"),
        ("corrupt/imgpng_x_unexpected_eof.png", "png"),
        ("corrupt/xc1n0g08.png", "png"),
        ("corrupt/imgproxy_xss_test1.svg", "SVG"),
    ] {
        let err = decode(&bytes(name), &limits).unwrap_err().to_string();
        assert!(err.contains(needle), "{name}: {err}");
    }
    // Every prefix of a valid file fails cleanly or decodes; none panics.
    let data = bytes("decode/hopper.jpg");
    for cut in (0..data.len()).step_by(97) {
        let _ = decode(&data[..cut], &limits);
    }
}

#[test]
fn outputs_carry_no_metadata() {
    // The orientation-6 JPEG carries EXIF; nothing of it may reach the output.
    let input = bytes("decode/pillow_hopper_orientation_6.jpg");
    assert!(input.windows(6).any(|w| w == b"Exif\0\0"));
    let limits = Limits::default();
    for format in ["jpeg", "png", "webp"] {
        let p = Pipeline::parse(&format!("resize:64x/format:{format}")).unwrap();
        let out = process(&input, &p, glint_kernels::Backend::Cpu, &limits, None).unwrap();
        for marker in [&b"Exif"[..], b"eXIf", b"tEXt", b"iCCP", b"XMP", b"ICC_PROFILE"] {
            assert!(!out.bytes.windows(marker.len()).any(|w| w == marker), "{format} output contains {marker:?}");
        }
    }
    let p3 = bytes("decode/hopper_p3.png");
    let out =
        process(&p3, &Pipeline::parse("format:png").unwrap(), glint_kernels::Backend::Cpu, &limits, None).unwrap();
    assert!(!out.bytes.windows(4).any(|w| w == b"iCCP"), "the profile is applied, not copied");
}

#[test]
fn every_output_format_round_trips() {
    let image_bytes = bytes("decode/hopper.jpg");
    let limits = Limits::default();
    let original = load_fixture("hopper.png");
    for (spec, format, min_psnr) in [
        ("format:png", Format::Png, f64::INFINITY),
        ("format:jpeg:q=95", Format::Jpeg, 30.0),
        ("format:jpeg:progressive=true", Format::Jpeg, 28.0),
        ("format:webp:q=90", Format::Webp, 28.0),
        ("format:webp:lossless=true", Format::Webp, f64::INFINITY),
    ] {
        let out =
            process(&image_bytes, &Pipeline::parse(spec).unwrap(), glint_kernels::Backend::Cpu, &limits, None).unwrap();
        assert_eq!(out.format, format);
        let back = decode(&out.bytes, &limits).unwrap();
        assert_eq!(back.format, format, "{spec}");
        let reference = decoded("decode/hopper.jpg");
        let d = compare(&back.image, &reference);
        assert!(d.psnr >= min_psnr, "{spec}: {:.1} dB", d.psnr);
    }
    // AVIF is written (glint does not read it back): check the container signature.
    let out = process(
        &image_bytes,
        &Pipeline::parse("resize:32x/format:avif:q=60").unwrap(),
        glint_kernels::Backend::Cpu,
        &limits,
        None,
    )
    .unwrap();
    assert_eq!(&out.bytes[4..12], b"ftypavif");
    // Progressive JPEGs carry a progressive frame header (SOF2).
    let out = process(
        &image_bytes,
        &Pipeline::parse("format:jpeg:progressive=true").unwrap(),
        glint_kernels::Backend::Cpu,
        &limits,
        None,
    )
    .unwrap();
    assert!(out.bytes.windows(2).any(|w| w == [0xFF, 0xC2]));
    drop(original);
}

#[test]
fn grey_and_opaque_images_are_written_compactly() {
    let limits = Limits::default();
    let grey = bytes("decode/pillow_hopper_gray.jpg");
    let out =
        process(&grey, &Pipeline::parse("format:png").unwrap(), glint_kernels::Backend::Cpu, &limits, None).unwrap();
    // PNG colour type (byte 25): 0 = greyscale.
    assert_eq!(out.bytes[25], 0);
    let jpeg = bytes("decode/hopper.jpg");
    let out =
        process(&jpeg, &Pipeline::parse("grayscale/format:png").unwrap(), glint_kernels::Backend::Cpu, &limits, None)
            .unwrap();
    assert_eq!(out.bytes[25], 0);
    // Transparent padding becomes white in JPEG.
    let out = process(
        &jpeg,
        &Pipeline::parse("resize:64x32:fit=contain/format:jpeg").unwrap(),
        glint_kernels::Backend::Cpu,
        &limits,
        None,
    )
    .unwrap();
    let back = decode(&out.bytes, &limits).unwrap().image;
    assert!(back.row(0)[..3].iter().all(|&v| v > 250), "padding is white: {:?}", &back.row(0)[..3]);
    let _ = load(fixture("hopper.png"));
}
