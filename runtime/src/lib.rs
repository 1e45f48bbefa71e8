//! glint's function runtime: what every front end (CLI, HTTP server, Lambda) shares around the
//! engine in `glint-kernels`.

pub mod backend;
pub mod guard;
