//! The runtime's settings, read once at start-up from the environment and checked before the
//! first request: a bad pipeline, URI or key stops the process with a clear message instead of
//! failing every event later.
//!
//! | variable | meaning |
//! |---|---|
//! | `GLINT_OPS` | the pipeline for objects arriving by events |
//! | `GLINT_OUTPUT` | where event results go: `s3://BUCKET/PREFIX` or `file://DIR` |
//! | `GLINT_INPUT` | the location the trigger watches (`s3://BUCKET/PREFIX`): an output inside it is refused |
//! | `GLINT_STORE` | where HTTP `GET .../src/{key}` and storage events read from (`--store` for `serve`) |
//! | `GLINT_SIGNING_KEY` | hex HMAC key for HTTP signatures |
//! | `GLINT_BACKEND`, `GLINT_MAX_PIXELS`, `GLINT_MAX_BYTES` | as for the CLI |
//! | `AWS_LAMBDA_FUNCTION_MEMORY_SIZE` | set by Lambda: the memory budget for each image |

use std::path::Path;
use std::sync::Arc;

use glint_kernels::{Backend, Limits, Pipeline};

use crate::backend::BackendChoice;
use crate::handler::Engine;
use crate::location::{Location, prefixes_overlap};
use crate::memory::MemoryBudget;
use crate::signing::Signer;

/// A setting glint cannot start with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// Everything read from the environment.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Limits, backend and memory budget.
    pub engine: Engine,
    /// `GLINT_OPS`, parsed.
    pub ops: Option<Arc<Pipeline>>,
    /// `GLINT_OUTPUT`.
    pub output: Option<Location>,
    /// `GLINT_INPUT`.
    pub input: Option<Location>,
    /// `GLINT_STORE`.
    pub store: Option<Location>,
    /// From `GLINT_SIGNING_KEY`.
    pub signer: Signer,
}

impl Settings {
    /// The settings from the process environment. `backend` is the `--backend` choice where
    /// the command has one (else `GLINT_BACKEND`).
    pub fn from_env(backend: Option<BackendChoice>) -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok(), backend)
    }

    /// The settings from any lookup (tests pass a map).
    pub fn from_lookup(
        get: impl Fn(&str) -> Option<String>,
        backend: Option<BackendChoice>,
    ) -> Result<Self, ConfigError> {
        let limits = Limits::from_lookup(&get).map_err(ConfigError)?;
        let lambda = get("AWS_LAMBDA_FUNCTION_NAME").is_some();
        let choice = match backend {
            Some(c) => c,
            None => get("GLINT_BACKEND").map_or(Ok(BackendChoice::Auto), |v| v.parse()).map_err(ConfigError)?,
        };
        let backend = resolve_backend(choice, lambda)?;
        let memory = if lambda { MemoryBudget::from_lookup(&get).map_err(ConfigError)? } else { None };
        let ops = match get("GLINT_OPS").filter(|v| !v.trim().is_empty()) {
            None => None,
            Some(text) => Some(Arc::new(
                Pipeline::parse(&text).map_err(|e| ConfigError(format!("GLINT_OPS: invalid pipeline: {e}")))?,
            )),
        };
        let location = |name: &str| -> Result<Option<Location>, ConfigError> {
            get(name)
                .filter(|v| !v.trim().is_empty())
                .map(|v| v.trim().parse::<Location>().map_err(|e| ConfigError(format!("{name}: {e}"))))
                .transpose()
        };
        let output = location("GLINT_OUTPUT")?;
        let input = location("GLINT_INPUT")?;
        let store = location("GLINT_STORE")?;
        if let (Some(input), Some(output)) = (&input, &output) {
            check_no_loop(input, output)?;
        }
        let signer = Signer::from_lookup(&get).map_err(|e| ConfigError(e.to_string()))?;
        Ok(Settings { engine: Engine { limits, backend, memory }, ops, output, input, store, signer })
    }
}

/// The backend for this process. Inside Lambda there is no GPU, and probing for one would
/// only cost cold-start time, so the CPU is taken without looking.
fn resolve_backend(choice: BackendChoice, lambda: bool) -> Result<Backend, ConfigError> {
    if lambda {
        return match choice {
            BackendChoice::Gpu => Err(ConfigError("GLINT_BACKEND=gpu: AWS Lambda has no GPU; use auto or cpu".into())),
            BackendChoice::Auto | BackendChoice::Cpu => Ok(Backend::Cpu),
        };
    }
    choice.resolve().map_err(ConfigError)
}

/// Refuses an output location the trigger would report as new input: results written there
/// would trigger glint again, for ever.
pub fn check_no_loop(input: &Location, output: &Location) -> Result<(), ConfigError> {
    let overlap = match (input, output) {
        (Location::S3 { bucket: ib, key: ip }, Location::S3 { bucket: ob, key: op }) => {
            ib == ob && prefixes_overlap(ip, op)
        }
        (Location::File { path: ip }, Location::File { path: op }) => paths_overlap(ip, op),
        _ => false,
    };
    if overlap {
        return Err(ConfigError(format!(
            "GLINT_OUTPUT={output} lies inside (or contains) GLINT_INPUT={input}: every result would trigger \
             glint again. Use a separate bucket, or prefixes that do not contain each other \
             (e.g. GLINT_INPUT=s3://photos/uploads/ and GLINT_OUTPUT=s3://photos/processed/)"
        )));
    }
    Ok(())
}

/// Whether one directory lies inside the other (compared as absolute paths, without touching
/// the file system).
pub fn paths_overlap(a: &Path, b: &Path) -> bool {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (a, b) = (abs(a), abs(b));
    a.starts_with(&b) || b.starts_with(&a)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Settings::from_lookup(|k| map.get(k).cloned(), None)
    }

    #[test]
    fn reads_everything() {
        let s = settings(&[
            ("GLINT_OPS", "resize:800x/format:webp"),
            ("GLINT_OUTPUT", "s3://out/thumbs"),
            ("GLINT_INPUT", "s3://in/uploads"),
            ("GLINT_SIGNING_KEY", "00ff"),
            ("AWS_LAMBDA_FUNCTION_NAME", "glint"),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024"),
        ])
        .unwrap();
        assert_eq!(s.ops.unwrap().to_string(), "resize:800x/format:webp");
        assert_eq!(s.output, Some(Location::S3 { bucket: "out".into(), key: "thumbs".into() }));
        assert!(s.signer.is_signing());
        assert_eq!(s.engine.memory, Some(MemoryBudget { total_mib: 1024 }));
        assert_eq!(s.engine.backend, Backend::Cpu);
    }

    #[test]
    fn refuses_bad_settings() {
        let err = |vars: &[(&str, &str)]| settings(vars).unwrap_err().0;
        assert!(err(&[("GLINT_OPS", "blur:0")]).starts_with("GLINT_OPS: invalid pipeline: blur"));
        assert!(err(&[("GLINT_OUTPUT", "ftp://x")]).starts_with("GLINT_OUTPUT: "));
        assert!(err(&[("GLINT_SIGNING_KEY", "zz")]).contains("hexadecimal"));
        assert!(err(&[("AWS_LAMBDA_FUNCTION_NAME", "f"), ("GLINT_BACKEND", "gpu")]).contains("no GPU"));
        assert!(err(&[("GLINT_MAX_BYTES", "-1")]).contains("GLINT_MAX_BYTES"));
        // Outside Lambda the memory size means nothing and is not read.
        assert!(settings(&[("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "x")]).is_ok());
    }

    #[test]
    fn refuses_loops() {
        let loops = [
            ("s3://photos/", "s3://photos/out/"),
            ("s3://photos/uploads", "s3://photos/uploads/thumbs"),
            ("s3://photos/uploads/thumbs", "s3://photos/uploads"),
            ("s3://photos", "s3://photos"),
            ("file://data/in", "file://data/in/out"),
        ];
        for (input, output) in loops {
            let e = settings(&[("GLINT_INPUT", input), ("GLINT_OUTPUT", output)]).unwrap_err();
            assert!(e.0.contains("would trigger glint again"), "{input} -> {output}: {e}");
        }
        let fine = [
            ("s3://photos/uploads/", "s3://photos/processed/"),
            ("s3://photos/uploads", "s3://photos/uploads-processed"),
            ("s3://in", "s3://out"),
            ("file://data/in", "file://data/out"),
            ("s3://in", "file://in"),
        ];
        for (input, output) in fine {
            assert!(settings(&[("GLINT_INPUT", input), ("GLINT_OUTPUT", output)]).is_ok(), "{input} -> {output}");
        }
    }
}
