//! Backend selection, as the contract states it: `auto` uses a hardware GPU when one is present
//! and the work pays for the transfer, else the CPU, never a software rasteriser; `gpu` takes any
//! adapter, software ones included, and fails clearly without one; `cpu` never touches the GPU.
//! Every front end (CLI, HTTP server, Lambda) resolves `--backend` / `GLINT_BACKEND` here.

use std::str::FromStr;

use glint_kernels::Backend;

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

    /// The engine backend to use, or why the choice cannot be honoured.
    pub fn resolve(self) -> Result<Backend, String> {
        match self {
            BackendChoice::Auto | BackendChoice::Cpu => Ok(Backend::Cpu),
            BackendChoice::Gpu => Err(
                "--backend gpu: the GPU backend is not built yet in this version of glint; use --backend cpu or auto"
                    .into(),
            ),
        }
    }
}
