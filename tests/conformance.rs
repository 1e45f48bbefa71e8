//! CPU vs GPU conformance: every op of the contract, with several parameter sets, on real
//! photographs (RGB and RGBA), must agree within 1 per channel on every available backend; so
//! must random chains of ops. The GPU runs the real shaders on whatever adapter the host has
//! (Mesa's lavapipe in CI); finding no adapter is a failure, never a skip.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail by panicking")]

mod common;

use std::sync::Arc;

use common::{compare, load_fixture};
use glint_kernels::gpu::{self, AdapterPolicy, Context};
use glint_kernels::spec::OP_NAMES;
use glint_kernels::{Backend, Image, Limits, Pipeline};

fn context() -> Arc<Context> {
    gpu::shared(AdapterPolicy::Any).unwrap_or_else(|e| {
        panic!("{e}: the GPU tests need an adapter (in CI: Mesa's lavapipe, Debian package mesa-vulkan-drivers)")
    })
}

fn cpu(spec: &str, image: &Image) -> Image {
    Pipeline::parse(spec).unwrap().run(image.clone(), Backend::Cpu, &Limits::default()).unwrap()
}

fn on_gpu(ctx: &Context, spec: &str, image: &Image) -> Image {
    gpu::run(ctx, &Pipeline::parse(spec).unwrap(), image).unwrap_or_else(|e| panic!("{spec}: {e}"))
}

/// Parameter sets per op, sized for the 256x192 and 128x128 fixtures.
const CASES: &[(&str, &[&str])] = &[
    (
        "resize",
        &[
            "resize:101x77:fit=fill",
            "resize:101x77:fit=fill:linear=false",
            "resize:90x:filter=mitchell",
            "resize:x70:filter=bicubic",
            "resize:64x64:fit=cover:gravity=east:filter=bilinear",
            "resize:120x50:fit=contain:bg=ff8000",
            "resize:120x50:fit=contain",
            "resize:203x171:fit=fill:enlarge=true",
            "resize:300x:enlarge=true:filter=nearest",
            "resize:77x33:fit=fill:filter=nearest",
        ],
    ),
    ("crop", &["crop:10,20,100,60", "crop:0,0,1,1"]),
    ("rotate", &["rotate:90", "rotate:180", "rotate:270"]),
    ("flip", &["flip:h", "flip:v"]),
    ("blur", &["blur:0.6", "blur:2", "blur:7.5"]),
    ("boxblur", &["boxblur:1", "boxblur:6", "boxblur:40"]),
    ("sharpen", &["sharpen:1", "sharpen:2.5:amount=2:threshold=4"]),
    ("edges", &["edges"]),
    ("emboss", &["emboss"]),
    (
        "convolve",
        &[
            "convolve:3x3:0,-1,0,-1,5,-1,0,-1,0",
            "convolve:3x3:1,2,0,0,0,0,0,0,-1:bias=20",
            "convolve:5x5:1,1,1,1,1,1,1,1,1,1,1,1,3,1,1,1,1,1,1,1,1,1,1,1,1:divisor=7.5",
        ],
    ),
    ("median", &["median:1", "median:3", "median:7"]),
    ("brightness", &["brightness:0.2", "brightness:-0.4"]),
    ("contrast", &["contrast:1.6", "contrast:0.3"]),
    ("exposure", &["exposure:0.8", "exposure:-1.5"]),
    ("gamma", &["gamma:2.2", "gamma:0.45"]),
    ("saturation", &["saturation:0", "saturation:1.7"]),
    ("hue", &["hue:45", "hue:-120", "hue:300"]),
    ("levels", &["levels:auto", "levels:20,230,1.4"]),
    ("equalize", &["equalize"]),
    ("clahe", &["clahe", "clahe:tiles=5:clip=3.5", "clahe:tiles=1:clip=1"]),
    ("temperature", &["temperature:60", "temperature:-80"]),
    ("grayscale", &["grayscale"]),
    ("sepia", &["sepia"]),
    ("invert", &["invert"]),
    ("enhance", &["enhance"]),
    ("format", &["format:webp"]),
];

#[test]
fn every_op_agrees_within_one() {
    let ctx = context();
    println!("adapter: {} ({}, {})", ctx.adapter().name, ctx.adapter().kind, ctx.adapter().backend);
    let names: Vec<&str> = CASES.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, OP_NAMES, "every op of the contract has cases, in order");
    let images = [
        ("flower", load_fixture("flower.png")),
        ("flower_rgba", load_fixture("flower_rgba.png")),
        ("hopper", load_fixture("hopper.png")),
    ];
    let mut failures = Vec::new();
    println!("{:<12} {:>9}  worst case", "op", "max diff");
    for (op, specs) in CASES {
        let mut worst = (0u8, String::new());
        for spec in *specs {
            for (name, image) in &images {
                let a = cpu(spec, image);
                let b = on_gpu(&ctx, spec, image);
                assert_eq!(
                    (a.width(), a.height(), a.channels()),
                    (b.width(), b.height(), b.channels()),
                    "{spec} on {name}"
                );
                let d = compare(&a, &b).max;
                if d >= worst.0 {
                    worst = (d, format!("{spec} on {name}"));
                }
                if d > 1 {
                    failures.push(format!("{spec} on {name}: max difference {d}"));
                }
            }
        }
        println!("{op:<12} {:>9}  {}", worst.0, worst.1);
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// A small deterministic generator, so a failing chain can be reproduced from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

#[test]
fn random_chains_agree() {
    let ctx = context();
    let image = load_fixture("flower.png");
    let all: Vec<&str> =
        CASES.iter().flat_map(|(_, specs)| specs.iter().copied()).filter(|s| !s.starts_with("crop:10")).collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut worst = 0u8;
    let mut over_one = Vec::new();
    for _ in 0..60 {
        let len = 1 + (rng.next() % 5) as usize;
        let chain: Vec<&str> = (0..len).map(|_| rng.pick(&all)).filter(|s| !s.starts_with("format")).collect();
        if chain.is_empty() {
            continue;
        }
        let spec = chain.join("/");
        let (a, b) = (cpu(&spec, &image), on_gpu(&ctx, &spec, &image));
        let d = compare(&a, &b);
        worst = worst.max(d.max);
        if d.max > 1 {
            over_one.push(format!("{spec}: max {} PSNR {:.1} dB", d.max, d.psnr));
        }
    }
    println!("60 random chains of 1-5 ops: worst difference {worst}");
    assert!(over_one.is_empty(), "{over_one:#?}");
}

#[test]
fn every_entry_point_compiles_on_the_device() {
    context().warm_up().unwrap();
}

#[test]
fn a_batch_equals_separate_runs() {
    let ctx = context();
    let (a, b) = (load_fixture("flower.png"), load_fixture("hopper.png"));
    let p1 = Pipeline::parse("resize:100x/sharpen:1").unwrap();
    let p2 = Pipeline::parse("clahe/hue:20").unwrap();
    let batch = pollster::block_on(gpu::run_batch_async(&ctx, &[(&p1, &a), (&p2, &b), (&p2, &a)]));
    let batch: Vec<Image> = batch.into_iter().map(Result::unwrap).collect();
    assert_eq!(batch[0], gpu::run(&ctx, &p1, &a).unwrap());
    assert_eq!(batch[1], gpu::run(&ctx, &p2, &b).unwrap());
    assert_eq!(batch[2], gpu::run(&ctx, &p2, &a).unwrap());
}

#[test]
fn tiling_under_small_binding_limits_changes_nothing() {
    // A context of its own, so lowering its limit cannot affect the other tests.
    let ctx = Context::create(AdapterPolicy::Any).unwrap();
    let image = load_fixture("flower_rgba.png");
    let specs = [
        "resize:150x100:fit=fill",
        "resize:300x250:fit=contain:enlarge=true:filter=nearest",
        "blur:3",
        "sharpen:1.5",
        "boxblur:4",
        "median:2",
        "edges",
        "convolve:5x5:1,4,6,4,1,4,16,24,16,4,6,24,36,24,6,4,16,24,16,4,1,4,6,4,1",
        "levels:auto/equalize/clahe",
        "rotate:90/rotate:270/rotate:180",
        "flip:v/crop:5,7,200,150",
        "enhance",
    ];
    let whole: Vec<Image> = specs.iter().map(|s| on_gpu(&ctx, s, &image)).collect();
    // 128 KiB bindings: the image alone is 192 KiB, and a row of f32 scratch 4 KiB, so every
    // op runs in several bands (the separable filters in bands of a few rows).
    ctx.set_binding_limit(128 * 1024);
    for (spec, expected) in specs.iter().zip(&whole) {
        let tiled = on_gpu(&ctx, spec, &image);
        assert_eq!(compare(&tiled, expected).max, 0, "{spec}: tiled result differs");
    }
}

#[test]
fn async_runs_from_many_threads() {
    let ctx = context();
    let image = load_fixture("hopper.png");
    let p = Pipeline::parse("blur:1.5/saturation:1.4").unwrap();
    let expected = gpu::run(&ctx, &p, &image).unwrap();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..3 {
                    assert_eq!(pollster::block_on(gpu::run_async(&ctx, &p, &image)).unwrap(), expected);
                }
            });
        }
    });
}
