//! GPU fault handling, in a test binary of its own because it breaks the process's shared GPU
//! context on purpose: a device destroyed in the middle of a run must not crash anything, the
//! request must still get the right result (from the CPU), and the next request must get a
//! freshly built, working context.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail by panicking")]

mod common;

use common::{compare, load_fixture};
use glint_kernels::gpu::{self, AdapterPolicy, Fault};
use glint_kernels::{Backend, Limits, Pipeline};

#[test]
fn a_device_destroyed_mid_run_falls_back_and_recovers() {
    let limits = Limits::default();
    let image = load_fixture("flower.png");
    let p = Pipeline::parse("resize:180x/blur:2/clahe/sharpen:1").unwrap();
    let expected = p.run(image.clone(), Backend::Cpu, &limits).unwrap();

    let first = gpu::shared(AdapterPolicy::Any).unwrap_or_else(|e| panic!("{e}: the GPU tests need an adapter"));
    let healthy = p.execute(image.clone(), Backend::Gpu, &limits).unwrap();
    assert_eq!(healthy.backend, Backend::Gpu, "a healthy device does the work");
    // Each op agrees with the CPU within 1 per channel (tests/conformance.rs); through clahe's
    // histogram a 1 can become more, so this chain is only compared loosely across backends.
    assert!(compare(&healthy.image, &expected).psnr >= 40.0);

    first.inject_fault(Fault::DestroyDeviceAfterSubmit);
    let done = p.execute(image.clone(), Backend::Gpu, &limits).unwrap();
    assert_eq!(done.backend, Backend::Cpu, "the faulted request is retried on the CPU");
    assert!(done.fallback.as_deref().is_some_and(|r| r.contains("lost")), "{:?}", done.fallback);
    assert_eq!(done.image, expected, "and its result is right");
    assert!(!first.is_healthy());

    let done = p.execute(image, Backend::Gpu, &limits).unwrap();
    assert_eq!(done.backend, Backend::Gpu, "the next request gets a rebuilt context");
    assert_eq!(done.image, healthy.image, "and the same result as before the fault");
    let second = gpu::shared(AdapterPolicy::Any).unwrap();
    assert!(second.is_healthy() && !std::sync::Arc::ptr_eq(&first, &second));
}
