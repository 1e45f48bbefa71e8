//! Criterion benches of glint next to in-run peers, in the same groups so the ratios are direct:
//!
//! - `resize_12mp`: 4032x3024 RGB8 to 852x639, Lanczos3. glint (`resize:852x639:fit=fill`, with
//!   `linear=false` like the peers, and its default `linear=true`), fast_image_resize 6 (u8,
//!   and u16 through its sRGB mapper for the linear-light counterpart) and
//!   `image::imageops::resize`; glint and fast_image_resize also on one thread.
//! - `blur_12mp`: Gaussian blur, sigma 3: glint `blur:3` and `image::imageops::blur`.
//! - `pipeline_12mp`: whole jobs through `glint_kernels::process` from JPEG bytes in memory:
//!   to an 800 px wide JPEG q80 (shrink-on-load, both resize modes), and the five-op chain
//!   `resize / sharpen / levels:auto / saturation / format`; next to the `image` crate doing
//!   the first one (decode, Lanczos3, encode q80).
//!
//! The input is the 12 MP photograph of `../shared/testdata` (or the file in
//! `GLINT_BENCH_PHOTO`); without it, a 4032x3024 synthetic test card encoded as JPEG q90 stands
//! in, and a line on stderr says so. Op benches get decoded pixels; decoding is not timed.
//!
//! Run with `cargo bench --bench peers` (a filter such as `-- resize_12mp` runs one group).
//! `benches/compare.py` reads the `resize_12mp` figures from criterion's estimates.

use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use fast_image_resize as fr;
use glint_kernels::{Backend, Image, Limits, Pipeline, codec};

/// The 12 MP photograph, relative to the repository.
const PHOTO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/testdata/photos/ianare_42_IndexError_12MP.jpg");
/// Resize target of the op benches (the photo's aspect ratio, 852 px wide).
const RESIZE_TO: (u32, u32) = (852, 639);
/// The whole-job pipelines.
const THUMB: &str = "resize:800x:linear=false/format:jpeg:q=80";
const THUMB_LINEAR: &str = "resize:800x/format:jpeg:q=80";
/// The five-op chain (`benches/compare.py` runs the same one).
const CHAIN: &str = "resize:1600x1200:linear=false/sharpen:1/levels:auto/saturation:1.2/format:jpeg:q=80";

/// The input: JPEG bytes and their decoded RGB pixels.
struct Input {
    jpeg: Vec<u8>,
    image: Image,
}

fn input() -> Input {
    let path = std::env::var("GLINT_BENCH_PHOTO").unwrap_or_else(|_| PHOTO.to_string());
    let limits = Limits::default();
    if let Ok(jpeg) = std::fs::read(&path)
        && let Ok(decoded) = codec::decode(&jpeg, &limits)
    {
        eprintln!("peers bench input: {path} ({}x{})", decoded.image.width(), decoded.image.height());
        return Input { jpeg, image: decoded.image.without_alpha() };
    }
    eprintln!(
        "peers bench input: {path} is missing or unreadable (see ../shared/testdata, or set GLINT_BENCH_PHOTO); \
         using a 4032x3024 synthetic test card, JPEG q90: figures are not comparable with the photo's"
    );
    let image = Image::test_card(4032, 3024).without_alpha();
    let jpeg = Pipeline::parse("format:jpeg:q=90")
        .ok()
        .and_then(|p| p.output().copied())
        .and_then(|out| codec::encode(&image, &out).ok())
        .unwrap_or_default();
    Input { jpeg, image }
}

fn rgb(image: &Image) -> image::RgbImage {
    image::RgbImage::from_raw(image.width(), image.height(), image.data().to_vec()).unwrap_or_default()
}

fn one_thread() -> Option<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new().num_threads(1).build().ok()
}

fn parse(spec: &str) -> Pipeline {
    match Pipeline::parse(spec) {
        Ok(p) => p,
        Err(e) => panic!("bench pipeline {spec}: {e}"),
    }
}

fn resize(c: &mut Criterion) {
    let input = input();
    let src = &input.image;
    let (dw, dh) = RESIZE_TO;
    let limits = Limits::default();
    let mut group = c.benchmark_group("resize_12mp");
    group.throughput(Throughput::Elements(u64::from(src.width()) * u64::from(src.height())));
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));

    let encoded = parse(&format!("resize:{dw}x{dh}:fit=fill:linear=false"));
    let linear = parse(&format!("resize:{dw}x{dh}:fit=fill"));
    let glint = |p: &Pipeline| p.run(src.clone(), Backend::Cpu, &limits);
    group.bench_function("glint", |b| {
        b.iter_batched(|| src.clone(), |img| encoded.run(img, Backend::Cpu, &limits), BatchSize::LargeInput)
    });

    let Ok(fir_src) =
        fr::images::Image::from_vec_u8(src.width(), src.height(), src.data().to_vec(), fr::PixelType::U8x3)
    else {
        panic!("fast_image_resize refused a {}x{} RGB8 image", src.width(), src.height());
    };
    let options = fr::ResizeOptions::new().resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Lanczos3));
    let fir = |resizer: &mut fr::Resizer| {
        let mut dst = fr::images::Image::new(dw, dh, fr::PixelType::U8x3);
        resizer.resize(&fir_src, &mut dst, &options).map(|()| dst)
    };
    let mut resizer = fr::Resizer::new();
    group.bench_function("fast_image_resize", |b| b.iter(|| fir(&mut resizer)));

    group.bench_function("glint_linear", |b| {
        b.iter_batched(|| src.clone(), |img| linear.run(img, Backend::Cpu, &limits), BatchSize::LargeInput)
    });
    // fast_image_resize's linear-light route: sRGB u8 to linear u16, resize, back to sRGB u8.
    let mapper = fr::create_srgb_mapper();
    group.bench_function("fast_image_resize_linear", |b| {
        b.iter(|| -> Result<fr::images::Image<'static>, Box<dyn std::error::Error>> {
            let mut lin = fr::images::Image::new(src.width(), src.height(), fr::PixelType::U16x3);
            mapper.forward_map(&fir_src, &mut lin)?;
            let mut small = fr::images::Image::new(dw, dh, fr::PixelType::U16x3);
            resizer.resize(&lin, &mut small, &options)?;
            let mut dst = fr::images::Image::new(dw, dh, fr::PixelType::U8x3);
            mapper.backward_map(&small, &mut dst)?;
            Ok(dst)
        });
    });

    let img = rgb(src);
    group.bench_function("image", |b| {
        b.iter(|| image::imageops::resize(&img, dw, dh, image::imageops::FilterType::Lanczos3));
    });

    if let Some(pool) = one_thread() {
        group.bench_function("glint_1thread", |b| b.iter(|| pool.install(|| glint(&encoded))));
        group.bench_function("fast_image_resize_1thread", |b| b.iter(|| pool.install(|| fir(&mut resizer))));
    }
    group.finish();
}

fn blur(c: &mut Criterion) {
    let input = input();
    let src = &input.image;
    let limits = Limits::default();
    let mut group = c.benchmark_group("blur_12mp");
    group.throughput(Throughput::Elements(u64::from(src.width()) * u64::from(src.height())));
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    let blur = parse("blur:3");
    group.bench_function("glint", |b| {
        b.iter_batched(|| src.clone(), |img| blur.run(img, Backend::Cpu, &limits), BatchSize::LargeInput)
    });
    let img = rgb(src);
    group.bench_function("image", |b| b.iter(|| image::imageops::blur(&img, 3.0)));
    if let Some(pool) = one_thread() {
        group.bench_function("glint_1thread", |b| {
            b.iter_batched(
                || src.clone(),
                |img| pool.install(|| blur.run(img, Backend::Cpu, &limits)),
                BatchSize::LargeInput,
            );
        });
    }
    group.finish();
}

fn pipeline(c: &mut Criterion) {
    let input = input();
    let limits = Limits::default();
    let mut group = c.benchmark_group("pipeline_12mp");
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    for (name, spec) in [("thumb_800", THUMB), ("thumb_800_linear", THUMB_LINEAR), ("chain_5op", CHAIN)] {
        let p = parse(spec);
        group.bench_function(name, |b| b.iter(|| glint_kernels::process(&input.jpeg, &p, Backend::Cpu, &limits, None)));
    }
    group.bench_function("image_thumb_800", |b| {
        b.iter(|| -> Result<Vec<u8>, image::ImageError> {
            let img = image::load_from_memory_with_format(&input.jpeg, image::ImageFormat::Jpeg)?.into_rgb8();
            let h = (f64::from(img.height()) * 800.0 / f64::from(img.width())).round() as u32;
            let small = image::imageops::resize(&img, 800, h.max(1), image::imageops::FilterType::Lanczos3);
            let mut out = Vec::new();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80).encode_image(&small)?;
            Ok(out)
        });
    });
    group.finish();
}

criterion_group!(benches, resize, blur, pipeline);
criterion_main!(benches);
