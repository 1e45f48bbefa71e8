//! `emboss`: a fixed 3x3 kernel, a gradient towards the bottom right, offset to mid grey (see
//! [`Convolve::emboss`] for the weights).

use super::convolve::convolve;
use crate::image::Image;
use crate::spec::Convolve;

/// Applies `emboss`.
pub fn emboss(image: &Image) -> Image {
    convolve(image, &Convolve::emboss())
}
