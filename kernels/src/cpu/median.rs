//! `median:R`: the median of each channel over a (2R+1)x(2R+1) window, borders replicated.
//!
//! Huang's sliding histogram: moving one pixel right removes one column of the window and adds
//! another (2R+1 updates each), and the median is tracked incrementally, so the cost grows
//! linearly in R rather than with the window's area.

use super::strip::{Strip, band_rows, for_bands};
use crate::image::Image;
use crate::spec::Median;

/// Applies `median`.
pub fn median(image: &Image, p: &Median) -> Image {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let ch = image.channels();
    let stride = w * ch;
    let r = p.radius as usize;
    let side = 2 * r + 1;
    let half = (side * side / 2) as u32;
    let mut out = vec![0u8; h * stride];
    for_bands(&mut out, stride, band_rows(h, r), |y0, y1, rows| {
        let strip = Strip::new(image, y0, y1, r, |v| v);
        let mut hist = [0u32; 256];
        for (y, out_row) in (y0..y1).zip(rows.chunks_exact_mut(stride)) {
            let window: Vec<&[u8]> = (0..side).map(|k| strip.row((y + k) as isize - r as isize)).collect();
            for c in 0..ch {
                hist.fill(0);
                for row in &window {
                    for x in 0..side {
                        hist[row[x * ch + c] as usize] += 1;
                    }
                }
                // `below` counts values under `m`; the median is where the running count
                // first passes `half`.
                let (mut m, mut below) = (0usize, 0u32);
                for x in 0..w {
                    if x > 0 {
                        let (gone, new) = ((x - 1) * ch + c, (x + 2 * r) * ch + c);
                        for row in &window {
                            let (a, b) = (row[gone] as usize, row[new] as usize);
                            hist[a] -= 1;
                            hist[b] += 1;
                            below = below + u32::from(b < m) - u32::from(a < m);
                        }
                    }
                    while below + hist[m] <= half {
                        below += hist[m];
                        m += 1;
                    }
                    while below > half {
                        m -= 1;
                        below -= hist[m];
                    }
                    out_row[x * ch + c] = m as u8;
                }
            }
        }
    });
    Image::from_parts(w as u32, h as u32, ch, out)
}
