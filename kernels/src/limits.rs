//! The resource limits applied to every input before its pixels are allocated.

/// Largest accepted input, read from `GLINT_MAX_PIXELS` and `GLINT_MAX_BYTES`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most pixels (width x height) an input may declare.
    pub max_pixels: u64,
    /// Largest input file in bytes.
    pub max_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_pixels: Self::DEFAULT_MAX_PIXELS, max_bytes: Self::DEFAULT_MAX_BYTES }
    }
}

impl Limits {
    /// 100 megapixels.
    pub const DEFAULT_MAX_PIXELS: u64 = 100_000_000;
    /// 64 MiB.
    pub const DEFAULT_MAX_BYTES: u64 = 64 * 1024 * 1024;

    /// The limits from the environment, defaults where a variable is unset.
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// The limits from any key lookup (the environment, a config map, a test).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let read = |key: &str, default: u64| -> Result<u64, String> {
            match get(key) {
                None => Ok(default),
                Some(v) if v.trim().is_empty() => Ok(default),
                Some(v) => match v.trim().replace('_', "").parse::<u64>() {
                    Ok(n) if n > 0 => Ok(n),
                    _ => Err(format!("{key}={v}: expected a positive whole number")),
                },
            }
        };
        Ok(Limits {
            max_pixels: read("GLINT_MAX_PIXELS", Self::DEFAULT_MAX_PIXELS)?,
            max_bytes: read("GLINT_MAX_BYTES", Self::DEFAULT_MAX_BYTES)?,
        })
    }
}
