//! Runtime CPU dispatch for the hot loops. The loops are written plainly (fixed-size arrays,
//! slices walked in step) so the compiler vectorises them; [`multiversion!`] compiles such a
//! function twice, once for the baseline (SSE2 on x86-64, NEON on aarch64) and once for
//! AVX2 + FMA, and picks the wider one at run time when the CPU has it.

/// Defines `fn $name(args) -> ret { body }` with an AVX2 + FMA build of the body chosen at run
/// time on x86-64. The body must be safe code; only the call into the feature-enabled copy
/// needs `unsafe`, and it is made only after the CPU reports the features.
///
/// Inside the body, `madd(a, b, c)` is `a * b + c`: a fused multiply-add (one rounding) in the
/// AVX2 + FMA copy, a multiply then an add in the baseline copy, where a fused one would be a
/// library call. Bodies that use it may differ between the two copies in the last bit.
macro_rules! multiversion {
    ($(#[$attr:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? $body:block) => {
        $(#[$attr])*
        $vis fn $name($($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2,fma")]
                fn wide($($arg: $ty),*) $(-> $ret)? {
                    #[allow(dead_code, reason = "not every body multiplies and adds")]
                    #[inline(always)]
                    fn madd(a: f32, b: f32, c: f32) -> f32 {
                        a.mul_add(b, c)
                    }
                    $body
                }
                if $crate::cpu::simd::has_avx2_fma() {
                    #[allow(unsafe_code, reason = "calling a target-feature function after checking the CPU has the features")]
                    // SAFETY: `wide` only differs from the body below by being compiled for AVX2
                    // and FMA, which the CPU has just reported.
                    return unsafe { wide($($arg),*) };
                }
            }
            #[allow(dead_code, reason = "not every body multiplies and adds")]
            #[inline(always)]
            fn madd(a: f32, b: f32, c: f32) -> f32 {
                a * b + c
            }
            $body
        }
    };
}
pub(crate) use multiversion;

/// Whether the CPU has AVX2 and FMA (cached by the standard library after the first query).
#[cfg(target_arch = "x86_64")]
#[inline]
pub fn has_avx2_fma() -> bool {
    std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
}
