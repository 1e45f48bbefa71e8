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
    /// Most frames an animation (GIF, WebP, APNG) may hold. glint decodes the first frame only,
    /// but a flood of tiny frames is cheap to send and expensive for every tool that walks or
    /// composites them; real animations stay in the hundreds.
    pub const MAX_FRAMES: u32 = 1000;
    /// Largest inflated size of one compressed text chunk (PNG `zTXt`, `iTXt`): Pillow's limit.
    pub const MAX_TEXT_CHUNK: usize = 1 << 20;
    /// Largest inflated size of a compressed ICC profile (PNG `iCCP`); real profiles, LUT-based
    /// CMYK ones included, stay far below it.
    pub const MAX_ICC: usize = 16 << 20;
    /// Largest inflated size of all compressed metadata in one file together: Pillow's limit.
    pub const MAX_METADATA: usize = 64 << 20;

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
