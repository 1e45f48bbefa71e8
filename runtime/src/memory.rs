//! Will this image fit in the function's memory? Answered from the header alone, before any
//! pixel is decoded, so that a Lambda function refuses a too-large image with a reason instead
//! of being killed for running out of memory (which Lambda reports as a bare "Runtime exited"
//! and retries, to the same end).
//!
//! The estimate is deliberately generous. Per pixel of the largest frame the pipeline holds
//! (input or output size, whichever is larger): 4 bytes for the decoded RGBA image, 4 for the
//! op's output written beside its input, and 16 for the one-pass f32 RGBA intermediate that
//! separable filters (blur, resize) keep. On top: the encoded input, an encoded output bounded
//! by its raw size, and a fixed reserve for the runtime itself.

use glint_kernels::codec;
use glint_kernels::{Limits, Pipeline};

/// Bytes per pixel of the largest frame (see the module docs).
pub const BYTES_PER_PIXEL: u64 = 4 + 4 + 16;
/// What the process needs besides the image: binary, runtime, SDK clients, buffers.
pub const RESERVE_MIB: u64 = 48;

const MIB: u64 = 1024 * 1024;

/// The function's memory, from `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryBudget {
    /// Configured memory in MiB.
    pub total_mib: u64,
}

/// An image that would not fit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a {width}x{height} image{out} needs about {needed_mib} MiB, more than the {usable_mib} MiB this function can use \
     ({total_mib} MiB configured in AWS_LAMBDA_FUNCTION_MEMORY_SIZE, less {RESERVE_MIB} MiB for the runtime): \
     raise the function's memory or send a smaller image"
)]
pub struct TooMuchMemory {
    /// Upright input width.
    pub width: u32,
    /// Upright input height.
    pub height: u32,
    /// `" resized to WxH"` when the output is larger than the input, else empty.
    pub out: String,
    /// The estimate.
    pub needed_mib: u64,
    /// What the function may use.
    pub usable_mib: u64,
    /// What it has in all.
    pub total_mib: u64,
}

impl MemoryBudget {
    /// The budget from any lookup: `None` outside Lambda (variable unset), an error when the
    /// value is not a number of MiB.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, String> {
        match get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE") {
            None => Ok(None),
            Some(v) => match v.trim().parse::<u64>() {
                Ok(total_mib) if total_mib > 0 => Ok(Some(MemoryBudget { total_mib })),
                _ => Err(format!("AWS_LAMBDA_FUNCTION_MEMORY_SIZE={v}: expected a size in MiB")),
            },
        }
    }

    /// Peak bytes for an input of `input_len` bytes, `input` pixels upright, giving `output`.
    pub fn estimate(input_len: u64, input: (u32, u32), output: (u32, u32)) -> u64 {
        let px = |(w, h): (u32, u32)| u64::from(w) * u64::from(h);
        let largest = px(input).max(px(output));
        input_len + largest * BYTES_PER_PIXEL + px(output) * 4
    }

    /// Refuses an input that will not fit, judging by its header. Header and pipeline errors
    /// are left for the decoder and the pipeline to report in their own words.
    pub fn check(&self, input: &[u8], pipeline: &Pipeline, limits: &Limits) -> Result<(), TooMuchMemory> {
        let Ok(probe) = codec::probe(input, limits) else { return Ok(()) };
        self.check_size(input.len() as u64, probe.upright_size(), pipeline, limits)
    }

    /// [`MemoryBudget::check`] for an input of `input_len` bytes, `(width, height)` upright.
    pub fn check_size(
        &self,
        input_len: u64,
        (width, height): (u32, u32),
        pipeline: &Pipeline,
        limits: &Limits,
    ) -> Result<(), TooMuchMemory> {
        let output = pipeline.output_size(width, height, limits).unwrap_or((width, height));
        let needed = Self::estimate(input_len, (width, height), output);
        let usable_mib = self.total_mib.saturating_sub(RESERVE_MIB);
        if needed > usable_mib * MIB {
            let larger = u64::from(output.0) * u64::from(output.1) > u64::from(width) * u64::from(height);
            return Err(TooMuchMemory {
                width,
                height,
                out: if larger { format!(" resized to {}x{}", output.0, output.1) } else { String::new() },
                needed_mib: needed.div_ceil(MIB),
                usable_mib,
                total_mib: self.total_mib,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twelve_megapixels_need_more_than_128_mib() {
        let p = Pipeline::parse("resize:800x").unwrap();
        let small = MemoryBudget { total_mib: 128 };
        let err = small.check_size(5 << 20, (4000, 3000), &p, &Limits::default()).unwrap_err();
        assert!(err.needed_mib > 270 && err.needed_mib < 300, "{err}");
        assert!(err.to_string().contains("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), "{err}");
        assert!(err.to_string().contains("4000x3000"), "{err}");
        let big = MemoryBudget { total_mib: 1024 };
        assert_eq!(big.check_size(5 << 20, (4000, 3000), &p, &Limits::default()), Ok(()));
    }

    #[test]
    fn enlarging_counts_the_output() {
        let p = Pipeline::parse("resize:8000x8000:enlarge=true").unwrap();
        let budget = MemoryBudget { total_mib: 1024 };
        let err = budget.check_size(1000, (100, 100), &p, &Limits::default()).unwrap_err();
        assert!(err.to_string().contains("resized to 8000x8000"), "{err}");
    }

    #[test]
    fn reads_the_variable() {
        assert_eq!(MemoryBudget::from_lookup(|_| None), Ok(None));
        assert_eq!(MemoryBudget::from_lookup(|_| Some("512".into())), Ok(Some(MemoryBudget { total_mib: 512 })));
        assert!(MemoryBudget::from_lookup(|_| Some("lots".into())).is_err());
    }
}
