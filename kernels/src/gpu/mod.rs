//! The GPU backend: every op as a WGSL compute shader (`shaders/`), run through wgpu.
//!
//! - [`shaders`]: the build-time-validated shader table with reflected bindings;
//! - [`params`]: the parameter structs shared with the shaders;
//! - [`context`]: the process-wide device, pipelines, buffer pool and fault handling;
//! - `record`, `geometry`, `filter`, `tone`: recording each op's dispatches over bands;
//! - [`run`]: one upload, one submission, one read-back per image (or batch).

pub mod context;
mod filter;
mod geometry;
pub mod params;
mod record;
pub mod run;
pub mod shaders;
mod tone;

pub use context::{AdapterPolicy, AdapterSummary, Context, Fault, GpuError, shared};
pub use run::{PhaseTimes, run, run_async, run_batch_async, time_phases};
