//! Criterion benches: every op on each backend (one example per op, on a 1024x768 test card),
//! and decode / encode of a real photograph. Run with `cargo bench --bench ops`. The GPU
//! figures cover upload, kernels and read-back together (`glint bench` times them apart); they
//! are left out when the host has no GPU adapter.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use glint_kernels::gpu::{self, AdapterPolicy};
use glint_kernels::spec::{EXAMPLES, OP_NAMES};
use glint_kernels::{Backend, Image, Limits, Pipeline, codec};

fn ops(c: &mut Criterion) {
    let image = Image::test_card(1024, 768);
    let limits = Limits::default();
    let mut group = c.benchmark_group("op");
    group.throughput(Throughput::Elements(u64::from(image.width()) * u64::from(image.height())));
    group.sample_size(20);
    let gpu = gpu::shared(AdapterPolicy::Any).ok();
    for (name, spec) in OP_NAMES.iter().zip(EXAMPLES) {
        let Ok(pipeline) = Pipeline::parse(spec) else { continue };
        group.bench_with_input(BenchmarkId::new(*name, Backend::Cpu.name()), &pipeline, |b, p| {
            b.iter_batched(|| image.clone(), |img| p.run(img, Backend::Cpu, &limits), criterion::BatchSize::LargeInput);
        });
        if let Some(ctx) = &gpu {
            group.bench_with_input(BenchmarkId::new(*name, Backend::Gpu.name()), &pipeline, |b, p| {
                b.iter(|| gpu::run(ctx, p, &image));
            });
        }
    }
    group.finish();
}

fn codecs(c: &mut Criterion) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/flower.png");
    let Ok(png) = std::fs::read(path) else { return };
    let limits = Limits::default();
    let Ok(decoded) = codec::decode(&png, &limits) else { return };
    let mut group = c.benchmark_group("codec");
    group.bench_function("decode/png", |b| b.iter(|| codec::decode(&png, &limits)));
    for spec in ["format:jpeg", "format:png", "format:webp", "format:webp:lossless=true"] {
        let Some(out) = Pipeline::parse(spec).ok().and_then(|p| p.output().copied()) else { continue };
        group.bench_function(format!("encode/{spec}"), |b| b.iter(|| codec::encode(&decoded.image, &out)));
    }
    group.finish();
}

criterion_group!(benches, ops, codecs);
criterion_main!(benches);
