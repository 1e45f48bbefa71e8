//! Data derived from an op's parameters or from the image's histogram: resampling weights,
//! Gaussian kernels, tone lookup tables, histogram equalisation maps. Computed once on the host
//! and handed to every backend, so the CPU and the GPU cannot drift apart.

pub mod gaussian;
pub mod histogram;
pub mod resample;
pub mod tone;
