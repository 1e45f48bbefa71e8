//! Backend selection, as the contract states it: `auto` uses a hardware GPU when one is present
//! and the work pays for the transfer, else the CPU, never a software rasteriser; `gpu` takes any
//! adapter, software ones included, and fails clearly without one; `cpu` never touches the GPU.
//! Every front end (CLI, HTTP server, Lambda) resolves `--backend` / `GLINT_BACKEND` here.

use std::str::FromStr;

use glint_kernels::Backend;
use glint_kernels::gpu::{self, AdapterPolicy, AdapterSummary};

/// Under `auto`, images smaller than this stay on the CPU: uploading them and reading the
/// result back costs more than the GPU saves.
pub const AUTO_GPU_MIN_PIXELS: u64 = 1_000_000;

/// True inside AWS Lambda, where there is no GPU to find and probing would only cost time.
pub fn in_lambda() -> bool {
    std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some()
}

/// Whether this host could have a hardware GPU. On Linux a GPU driver exposes device nodes
/// (DRM render nodes, NVIDIA's, WSL's); with none of them, looking for an adapter would only
/// start the Vulkan loader (tens of milliseconds) to find software rasterisers `auto` never
/// uses. Elsewhere, look.
pub fn hardware_gpu_possible() -> bool {
    if !cfg!(target_os = "linux") {
        return true;
    }
    let render_node = std::fs::read_dir("/dev/dri")
        .map(|dir| dir.flatten().any(|e| e.file_name().to_string_lossy().starts_with("renderD")))
        .unwrap_or(false);
    render_node || ["/dev/nvidiactl", "/dev/nvidia0", "/dev/dxg"].iter().any(|p| std::path::Path::new(p).exists())
}

/// What the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BackendChoice {
    /// A hardware GPU when present and worth it, else the CPU.
    #[default]
    Auto,
    /// The CPU only.
    Cpu,
    /// Any GPU adapter; an error if there is none.
    Gpu,
}

impl FromStr for BackendChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" | "" => Ok(BackendChoice::Auto),
            "cpu" => Ok(BackendChoice::Cpu),
            "gpu" => Ok(BackendChoice::Gpu),
            other => Err(format!("backend '{other}': expected auto, cpu or gpu")),
        }
    }
}

impl std::fmt::Display for BackendChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            BackendChoice::Auto => "auto",
            BackendChoice::Cpu => "cpu",
            BackendChoice::Gpu => "gpu",
        })
    }
}

impl BackendChoice {
    /// `GLINT_BACKEND`, or `auto` when unset.
    pub fn from_env() -> Result<Self, String> {
        std::env::var("GLINT_BACKEND").map_or(Ok(BackendChoice::Auto), |v| v.parse())
    }

    /// Checks that the choice can be honoured on this host (for `gpu`: an adapter exists) and
    /// returns what picks the backend for each piece of work. Call once at start-up.
    pub fn open(self) -> Result<Selector, String> {
        let gpu = match self {
            BackendChoice::Cpu => None,
            BackendChoice::Gpu => Some(
                gpu::shared(AdapterPolicy::Any)
                    .map_err(|e| format!("--backend gpu: {e}; use --backend cpu or auto on this host"))?
                    .adapter()
                    .clone(),
            ),
            BackendChoice::Auto if in_lambda() || !hardware_gpu_possible() => None,
            BackendChoice::Auto => gpu::shared(AdapterPolicy::HardwareOnly).ok().map(|c| c.adapter().clone()),
        };
        Ok(Selector { choice: self, gpu })
    }

    /// The backend for large work, or why the choice cannot be honoured.
    pub fn resolve(self) -> Result<Backend, String> {
        self.open().map(|s| s.for_pixels(u64::MAX))
    }
}

/// Picks the backend for each image, once the choice has been checked against the host.
#[derive(Debug, Clone)]
pub struct Selector {
    choice: BackendChoice,
    gpu: Option<AdapterSummary>,
}

impl Selector {
    /// The backend for an image of `pixels` pixels.
    pub fn for_pixels(&self, pixels: u64) -> Backend {
        match (self.choice, &self.gpu) {
            (BackendChoice::Gpu, _) => Backend::Gpu,
            (BackendChoice::Auto, Some(_)) if pixels >= AUTO_GPU_MIN_PIXELS => Backend::Gpu,
            _ => Backend::Cpu,
        }
    }

    /// The adapter that GPU work runs on, if any will.
    pub fn gpu(&self) -> Option<&AdapterSummary> {
        self.gpu.as_ref()
    }
}
