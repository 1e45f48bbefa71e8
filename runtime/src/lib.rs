//! glint's function runtime: what every front end (CLI, HTTP server, Lambda) shares around the
//! engine in `glint-kernels`.
//!
//! ```text
//! lambda/ (S3, SQS, HTTP, direct)   http/ (serve, Function URLs, Cloud Run, Azure)
//!            \                        /
//!             events (an object arrived: GLINT_OPS into GLINT_OUTPUT)
//!                         |
//!             handler (fetch, decode, process, encode, store)
//!                         |
//!             storage (local files, S3, memory)
//! ```

pub mod backend;
pub mod config;
pub mod events;
pub mod guard;
pub mod handler;
pub mod http;
pub mod lambda;
pub mod location;
pub mod logging;
pub mod memory;
pub mod metrics;
pub mod naming;
pub mod serve;
pub mod signing;
pub mod storage;
