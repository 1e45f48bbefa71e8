//! The wgpu context, built once per process and reused by every request: instance, adapter,
//! device and queue, the compiled pipelines (compiled on first use), a pool of buffers, and a
//! poller thread that drives the device so callers can await results without blocking.
//!
//! Faults never panic: uncaptured errors and device loss mark the context unhealthy, the
//! request that hit them fails with a [`GpuError`] (the pipeline retries it on the CPU), and
//! [`shared`] builds a fresh context for the next request.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use std::future::Future;

use super::shaders::{self, BindingKind, EntryPoint};
use crate::error::OpError;

/// Why GPU work could not be done.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GpuError {
    /// No adapter matches the policy.
    #[error("no GPU adapter found{0}")]
    NoAdapter(&'static str),
    /// The adapter refused to open a device.
    #[error("could not open the GPU device: {0}")]
    Device(String),
    /// wgpu rejected a command (a glint bug or an unexpected driver limit).
    #[error("GPU validation error: {0}")]
    Validation(String),
    /// The device ran out of memory.
    #[error("GPU out of memory: {0}")]
    OutOfMemory(String),
    /// The device was lost (driver reset, destroyed) during the work.
    #[error("GPU device lost: {0}")]
    Lost(String),
    /// The image or an intermediate is larger than the device can hold in one buffer.
    #[error("image too large for this GPU: {0}")]
    TooLarge(String),
}

impl From<GpuError> for OpError {
    fn from(e: GpuError) -> Self {
        OpError::Backend(e.to_string())
    }
}

/// Which adapters may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdapterPolicy {
    /// Hardware GPUs only (`--backend auto`): a software rasteriser is never worth the transfer.
    HardwareOnly,
    /// Any adapter, software ones (Mesa's lavapipe) included (`--backend gpu`, tests).
    Any,
}

/// A description of the adapter in use, for `glint info` and logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdapterSummary {
    /// Adapter name, e.g. "NVIDIA H200" or "llvmpipe (LLVM 15.0.6, 256 bits)".
    pub name: String,
    /// "discrete", "integrated", "virtual", "software (CPU)" or "other".
    pub kind: &'static str,
    /// Whether this is a software rasteriser running on the CPU.
    pub software: bool,
    /// Graphics API backend, e.g. "Vulkan".
    pub backend: String,
    /// Driver name and version.
    pub driver: String,
    /// Largest storage buffer binding, bytes (what decides tiling).
    pub max_binding: u64,
    /// Largest buffer, bytes.
    pub max_buffer: u64,
}

/// A compiled entry point and the layout built from its reflected bindings.
pub(crate) struct Compiled {
    pub pipeline: wgpu::ComputePipeline,
    pub layout: wgpu::BindGroupLayout,
    pub entry: &'static EntryPoint,
}

/// Health shared with the device callbacks.
#[derive(Default)]
struct Health {
    broken: AtomicBool,
    reason: Mutex<Option<String>>,
}

impl Health {
    fn fail(&self, reason: String) {
        self.broken.store(true, Ordering::SeqCst);
        *lock(&self.reason) = Some(reason);
    }
}

/// Deliberate faults, for the tests that prove recovery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Destroy the device after the next submission, before its results are read.
    DestroyDeviceAfterSubmit,
}

/// The process-wide GPU context.
pub struct Context {
    pub(crate) device: wgpu::Device,
    pub(crate) queue: wgpu::Queue,
    summary: AdapterSummary,
    /// The binding size the executor plans bands for (the device's, or a lower test override).
    binding_limit: AtomicU64,
    pub(crate) max_buffer: u64,
    pub(crate) offset_alignment: u64,
    pipelines: Mutex<HashMap<&'static str, Arc<Compiled>>>,
    pool: Mutex<Vec<(wgpu::BufferUsages, wgpu::Buffer)>>,
    health: Arc<Health>,
    poller: Arc<Poller>,
    fault: Mutex<Option<Fault>>,
}

/// Bytes of idle buffers the pool keeps for reuse.
const POOL_BYTES: u64 = 1 << 30;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding one of these locks cannot leave the data inconsistent (they hold
    // plain collections), so a poisoned lock is simply taken over.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Context {
    /// Opens the best adapter the policy allows: discrete, then integrated, virtual, other, and
    /// (with [`AdapterPolicy::Any`]) software.
    pub fn create(policy: AdapterPolicy) -> Result<Arc<Context>, GpuError> {
        let instance = wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle());
        let adapters = pollster::block_on(instance.enumerate_adapters(wgpu::Backends::all()));
        let rank = |t: wgpu::DeviceType| match t {
            wgpu::DeviceType::DiscreteGpu => 0,
            wgpu::DeviceType::IntegratedGpu => 1,
            wgpu::DeviceType::VirtualGpu => 2,
            wgpu::DeviceType::Other => 3,
            wgpu::DeviceType::Cpu => 4,
        };
        let adapter = adapters
            .into_iter()
            .filter(|a| policy == AdapterPolicy::Any || a.get_info().device_type != wgpu::DeviceType::Cpu)
            .filter(|a| a.get_downlevel_capabilities().flags.contains(wgpu::DownlevelFlags::COMPUTE_SHADERS))
            .min_by_key(|a| rank(a.get_info().device_type))
            .ok_or(GpuError::NoAdapter(match policy {
                AdapterPolicy::HardwareOnly => " (hardware GPUs only)",
                AdapterPolicy::Any => "",
            }))?;
        let info = adapter.get_info();
        let limits = adapter.limits();
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("glint"),
            required_features: wgpu::Features::empty(),
            required_limits: limits.clone(),
            experimental_features: wgpu::ExperimentalFeatures::default(),
            memory_hints: wgpu::MemoryHints::Performance,
            trace: wgpu::Trace::Off,
        }))
        .map_err(|e| GpuError::Device(e.to_string()))?;

        let health = Arc::new(Health::default());
        let h = Arc::clone(&health);
        device.on_uncaptured_error(Arc::new(move |e| h.fail(e.to_string())));
        let h = Arc::clone(&health);
        device.set_device_lost_callback(move |reason, msg| h.fail(format!("{reason:?}: {msg}")));

        let kind = match info.device_type {
            wgpu::DeviceType::DiscreteGpu => "discrete",
            wgpu::DeviceType::IntegratedGpu => "integrated",
            wgpu::DeviceType::VirtualGpu => "virtual",
            wgpu::DeviceType::Cpu => "software (CPU)",
            wgpu::DeviceType::Other => "other",
        };
        let summary = AdapterSummary {
            name: info.name.clone(),
            kind,
            software: info.device_type == wgpu::DeviceType::Cpu,
            backend: format!("{:?}", info.backend),
            driver: format!("{} {}", info.driver, info.driver_info).trim().to_string(),
            max_binding: limits.max_storage_buffer_binding_size,
            max_buffer: limits.max_buffer_size,
        };
        let poller = Poller::start(device.clone())
            .map_err(|e| GpuError::Device(format!("cannot start the poller thread: {e}")))?;
        Ok(Arc::new(Context {
            binding_limit: AtomicU64::new(summary.max_binding),
            max_buffer: limits.max_buffer_size,
            offset_alignment: u64::from(limits.min_storage_buffer_offset_alignment),
            device,
            queue,
            summary,
            pipelines: Mutex::new(HashMap::new()),
            pool: Mutex::new(Vec::new()),
            health,
            poller,
            fault: Mutex::new(None),
        }))
    }

    /// The adapter in use.
    pub fn adapter(&self) -> &AdapterSummary {
        &self.summary
    }

    /// False once a fault has been seen: the context must be replaced.
    pub fn is_healthy(&self) -> bool {
        !self.health.broken.load(Ordering::SeqCst)
    }

    /// The fault that broke the context, if any.
    pub fn fault_reason(&self) -> Option<String> {
        lock(&self.health.reason).clone()
    }

    pub(crate) fn mark_broken(&self, reason: String) {
        self.health.fail(reason);
    }

    /// Plans bands for bindings of at most `bytes` (clamped to the device's own limit), so
    /// tests can force the tiling that large images need on small devices.
    pub fn set_binding_limit(&self, bytes: u64) {
        self.binding_limit.store(bytes.clamp(4096, self.summary.max_binding), Ordering::SeqCst);
    }

    pub(crate) fn binding_limit(&self) -> u64 {
        self.binding_limit.load(Ordering::SeqCst)
    }

    /// Arms a deliberate fault for the next run (tests of recovery).
    pub fn inject_fault(&self, fault: Fault) {
        *lock(&self.fault) = Some(fault);
    }

    pub(crate) fn take_fault(&self) -> Option<Fault> {
        lock(&self.fault).take()
    }

    /// Compiles every entry point now, so no request pays for it (servers call this at
    /// start-up; otherwise each pipeline is compiled on first use).
    pub fn warm_up(&self) -> Result<(), GpuError> {
        for shader in shaders::SHADERS {
            for ep in shader.entry_points {
                self.pipeline(ep.name)?;
            }
        }
        Ok(())
    }

    /// The compiled pipeline of an entry point, compiled on first use.
    pub(crate) fn pipeline(&self, entry: &str) -> Result<Arc<Compiled>, GpuError> {
        let (shader, ep) =
            shaders::find(entry).ok_or_else(|| GpuError::Validation(format!("no entry point {entry}")))?;
        if let Some(c) = lock(&self.pipelines).get(ep.name) {
            return Ok(Arc::clone(c));
        }
        let entries: Vec<wgpu::BindGroupLayoutEntry> = ep
            .bindings
            .iter()
            .map(|b| wgpu::BindGroupLayoutEntry {
                binding: b.binding,
                visibility: wgpu::ShaderStages::COMPUTE,
                ty: wgpu::BindingType::Buffer {
                    ty: match b.kind {
                        BindingKind::Uniform => wgpu::BufferBindingType::Uniform,
                        BindingKind::StorageRead => wgpu::BufferBindingType::Storage { read_only: true },
                        BindingKind::StorageReadWrite => wgpu::BufferBindingType::Storage { read_only: false },
                    },
                    has_dynamic_offset: false,
                    min_binding_size: None,
                },
                count: None,
            })
            .collect();
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let layout = self
            .device
            .create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor { label: Some(ep.name), entries: &entries });
        let pipeline_layout = self.device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some(ep.name),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let module = self.device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(shader.name),
            source: wgpu::ShaderSource::Wgsl(shader.source.into()),
        });
        let pipeline = self.device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(ep.name),
            layout: Some(&pipeline_layout),
            module: &module,
            entry_point: Some(ep.name),
            compilation_options: wgpu::PipelineCompilationOptions::default(),
            cache: None,
        });
        if let Some(e) = pollster::block_on(scope.pop()) {
            return Err(GpuError::Validation(format!("{}: {e}", ep.name)));
        }
        let compiled = Arc::new(Compiled { pipeline, layout, entry: ep });
        lock(&self.pipelines).insert(ep.name, Arc::clone(&compiled));
        Ok(compiled)
    }

    /// A buffer of at least `size` bytes for `usage`, from the pool when one fits.
    pub(crate) fn take_buffer(&self, size: u64, usage: wgpu::BufferUsages) -> Result<wgpu::Buffer, GpuError> {
        let size = size.max(16).next_multiple_of(256);
        if size > self.max_buffer {
            return Err(GpuError::TooLarge(format!(
                "a {size}-byte buffer (this device's limit is {})",
                self.max_buffer
            )));
        }
        {
            let mut pool = lock(&self.pool);
            if let Some(i) =
                pool.iter().position(|(u, b)| *u == usage && b.size() >= size && b.size() <= size.saturating_mul(2))
            {
                return Ok(pool.swap_remove(i).1);
            }
        }
        Ok(self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("glint"),
            size,
            usage,
            mapped_at_creation: false,
        }))
    }

    /// Returns a buffer for reuse (dropped if the pool is full).
    pub(crate) fn give_buffer(&self, buffer: wgpu::Buffer) {
        let mut pool = lock(&self.pool);
        let held: u64 = pool.iter().map(|(_, b)| b.size()).sum();
        if held + buffer.size() <= POOL_BYTES {
            pool.push((buffer.usage(), buffer));
        }
    }

    /// Resolves once all work submitted so far has completed (the poller drives the device).
    pub(crate) fn after_submitted_work(&self) -> Completion {
        let completion = Completion::default();
        let done = completion.clone();
        self.poller.begin();
        let poller = Arc::clone(&self.poller);
        self.queue.on_submitted_work_done(move || {
            done.complete(Ok(()));
            poller.end();
        });
        completion
    }

    /// Maps `buffer` for reading; resolves when it is mapped.
    pub(crate) fn map_read(&self, buffer: &wgpu::Buffer) -> Completion {
        let completion = Completion::default();
        let done = completion.clone();
        self.poller.begin();
        let poller = Arc::clone(&self.poller);
        buffer.map_async(wgpu::MapMode::Read, .., move |r| {
            done.complete(r.map_err(|e| GpuError::Lost(format!("reading results back: {e}"))));
            poller.end();
        });
        completion
    }

    /// The reason to give when work fails without a specific error: the device's own fault.
    pub(crate) fn failure(&self) -> GpuError {
        GpuError::Lost(self.fault_reason().unwrap_or_else(|| "the device stopped responding".into()))
    }
}

impl Drop for Context {
    fn drop(&mut self) {
        self.poller.stop();
    }
}

/// A one-shot result delivered by a device callback, awaitable from any executor.
#[derive(Clone, Default)]
pub(crate) struct Completion {
    state: Arc<Mutex<CompletionState>>,
}

#[derive(Default)]
struct CompletionState {
    result: Option<Result<(), GpuError>>,
    waker: Option<std::task::Waker>,
}

impl Completion {
    fn complete(&self, r: Result<(), GpuError>) {
        let mut s = lock(&self.state);
        s.result = Some(r);
        if let Some(w) = s.waker.take() {
            w.wake();
        }
    }
}

impl Future for Completion {
    type Output = Result<(), GpuError>;
    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Self::Output> {
        let mut s = lock(&self.state);
        match s.result.take() {
            Some(r) => std::task::Poll::Ready(r),
            None => {
                s.waker = Some(cx.waker().clone());
                std::task::Poll::Pending
            }
        }
    }
}

/// A thread that polls the device while any callback is outstanding, so awaiting GPU results
/// never needs the caller's thread to block in `Device::poll`.
struct Poller {
    state: Mutex<(usize, bool)>,
    wake: Condvar,
}

impl Poller {
    fn start(device: wgpu::Device) -> std::io::Result<Arc<Poller>> {
        let poller = Arc::new(Poller { state: Mutex::new((0, false)), wake: Condvar::new() });
        let p = Arc::clone(&poller);
        std::thread::Builder::new().name("glint-gpu-poll".into()).spawn(move || {
            loop {
                {
                    let mut s = lock(&p.state);
                    while s.0 == 0 && !s.1 {
                        s = p.wake.wait(s).unwrap_or_else(PoisonError::into_inner);
                    }
                    if s.1 {
                        return;
                    }
                }
                // Blocks until the submitted work is done and its callbacks have run; an error
                // (device lost) is reported through those callbacks and the health flag.
                if device.poll(wgpu::PollType::wait_indefinitely()).is_err() {
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
            }
        })?;
        Ok(poller)
    }

    fn begin(&self) {
        let mut s = lock(&self.state);
        s.0 += 1;
        self.wake.notify_all();
    }

    fn end(&self) {
        let mut s = lock(&self.state);
        s.0 = s.0.saturating_sub(1);
    }

    fn stop(&self) {
        lock(&self.state).1 = true;
        self.wake.notify_all();
    }
}

static SHARED: Mutex<Option<Arc<Context>>> = Mutex::new(None);

/// The process's context: reused while healthy, rebuilt after a fault. A context made under
/// [`AdapterPolicy::Any`] may hold a software adapter; [`AdapterPolicy::HardwareOnly`] callers
/// get an error rather than that context.
pub fn shared(policy: AdapterPolicy) -> Result<Arc<Context>, GpuError> {
    let mut slot = lock(&SHARED);
    if let Some(ctx) = slot.as_ref().filter(|c| c.is_healthy()) {
        if policy == AdapterPolicy::HardwareOnly && ctx.adapter().software {
            return Err(GpuError::NoAdapter(" (hardware GPUs only)"));
        }
        return Ok(Arc::clone(ctx));
    }
    let ctx = Context::create(policy)?;
    *slot = Some(Arc::clone(&ctx));
    Ok(ctx)
}
