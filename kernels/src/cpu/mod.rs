//! The CPU backend: one file per op, same name as the op's spec keyword and shader. The ops
//! that map each channel on its own (brightness, contrast, exposure, gamma, manual levels,
//! invert, temperature) are defined by their tables in [`crate::derived::tone`] and applied
//! here by [`point`], fused when they follow each other.
//!
//! Every op works in parallel over bands of rows (rayon), and the neighbourhood ops read their
//! inputs through [`strip`], which materialises only the rows a band needs, padded by
//! replicating the border pixels: no op allocates a full-frame float copy.

pub mod blur;
pub mod boxblur;
pub mod clahe;
pub mod convolve;
pub mod crop;
pub mod edges;
pub mod emboss;
pub mod equalize;
pub mod flip;
pub mod grayscale;
pub mod hue;
pub mod levels;
pub mod median;
pub mod point;
pub mod resize;
pub mod rotate;
pub mod saturation;
pub mod sepia;
pub mod sharpen;
pub(crate) mod simd;
pub mod strip;

use crate::derived::tone;
use crate::error::OpError;
use crate::image::Image;
use crate::spec::{Levels, Op};

/// Runs one op on the CPU. `Enhance` and `Format` are expanded or consumed by the pipeline
/// before ops reach a backend; here they pass the image through.
pub fn run(op: &Op, image: Image) -> Result<Image, OpError> {
    Ok(match op {
        Op::Resize(p) => resize::resize(&image, p)?,
        Op::Crop(p) => crop::crop(&image, p)?,
        Op::Rotate(p) => rotate::rotate(&image, *p),
        Op::Flip(p) => flip::flip(image, *p),
        Op::Blur(p) => blur::blur(image, p),
        Op::Boxblur(p) => boxblur::boxblur(&image, p),
        Op::Sharpen(p) => sharpen::sharpen(image, p),
        Op::Edges => edges::edges(&image),
        Op::Emboss => emboss::emboss(&image),
        Op::Convolve(p) => convolve::convolve(&image, p),
        Op::Median(p) => median::median(&image, p),
        Op::Saturation(p) => saturation::saturation(image, p),
        Op::Hue(p) => hue::hue(image, p),
        Op::Levels(Levels::Auto) => levels::levels_auto(image),
        Op::Equalize => equalize::equalize(image),
        Op::Clahe(p) => clahe::clahe(image, p),
        Op::Grayscale => grayscale::grayscale(image),
        Op::Sepia => sepia::sepia(image),
        Op::Enhance => {
            let mut image = image;
            for step in Op::enhance_steps() {
                image = run(&step, image)?;
            }
            image
        }
        Op::Format(_) => image,
        Op::Brightness(_)
        | Op::Contrast(_)
        | Op::Exposure(_)
        | Op::Gamma(_)
        | Op::Levels(Levels::Manual { .. })
        | Op::Invert
        | Op::Temperature(_) => {
            let luts =
                tone::luts_for(op).ok_or_else(|| OpError::Internal(format!("no tone tables for {}", op.name())))?;
            let mut image = image;
            point::apply_luts(&mut image, &luts);
            image
        }
    })
}
