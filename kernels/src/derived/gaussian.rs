//! Gaussian kernels for `blur` and `sharpen`.

/// Radius of the kernel for a standard deviation: about 3 sigma, the extent OpenCV and libvips
/// use for 8-bit images (beyond it the weights are below one part in 200).
pub fn radius(sigma: f32) -> usize {
    // OpenCV's rule for 8-bit data: size = round(6 sigma + 1), made odd.
    let size = ((f64::from(sigma) * 6.0 + 1.0).round() as usize) | 1;
    (size / 2).max(1)
}

/// Normalised 1-D Gaussian weights, `2 * radius(sigma) + 1` of them, centre in the middle.
pub fn kernel(sigma: f32) -> Vec<f32> {
    let r = radius(sigma) as i64;
    let s = f64::from(sigma);
    let raw: Vec<f64> = (-r..=r).map(|i| (-((i * i) as f64) / (2.0 * s * s)).exp()).collect();
    let sum: f64 = raw.iter().sum();
    raw.iter().map(|w| (w / sum) as f32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels_are_normalised_and_symmetric() {
        for sigma in [0.3, 0.5, 1.0, 2.5, 10.0, 100.0] {
            let k = kernel(sigma);
            assert_eq!(k.len() % 2, 1);
            let sum: f32 = k.iter().sum();
            assert!((sum - 1.0).abs() < 1e-5, "sigma {sigma}: sum {sum}");
            for i in 0..k.len() / 2 {
                assert_eq!(k[i], k[k.len() - 1 - i]);
            }
        }
        assert_eq!(radius(1.0), 3);
        assert_eq!(radius(3.0), 9);
    }
}
