//! Bands of rows with a replicated border, for the neighbourhood ops (convolutions, median,
//! Sobel): each parallel task reads the rows its band needs plus a halo, padded left and right,
//! so the inner loops never test for edges.

use rayon::prelude::*;

use crate::image::Image;

/// Rows `y0 - r .. y1 + r` of an image (rows outside it repeat the edge row), each extended by
/// `r` copies of its edge pixel on both sides, converted to `T`.
pub struct Strip<T> {
    data: Vec<T>,
    row_len: usize,
    first: isize,
}

impl<T: Copy + Default> Strip<T> {
    /// The halo'd rows for output rows `y0..y1` of `image`, radius `r`, each value via `conv`.
    pub fn new(image: &Image, y0: usize, y1: usize, r: usize, conv: impl Fn(u8) -> T) -> Self {
        Self::with_rows(image, y0, y1, r, |src, dst| {
            for (d, s) in dst.iter_mut().zip(src) {
                *d = conv(*s);
            }
        })
    }

    /// As [`Strip::new`], converting whole rows (`w * channels` values) with `conv_row`.
    pub fn with_rows(image: &Image, y0: usize, y1: usize, r: usize, conv_row: impl Fn(&[u8], &mut [T])) -> Self {
        let ch = image.channels();
        let w = image.width() as usize;
        let h = image.height() as isize;
        let row_len = (w + 2 * r) * ch;
        let first = y0 as isize - r as isize;
        let rows = y1 - y0 + 2 * r;
        let mut data = vec![T::default(); rows * row_len];
        for (i, dst) in data.chunks_exact_mut(row_len).enumerate() {
            let sy = (first + i as isize).clamp(0, h - 1) as usize;
            conv_row(image.row(sy), &mut dst[r * ch..(r + w) * ch]);
            let (left, right) = (r * ch, (r + w - 1) * ch);
            for x in 0..r {
                for c in 0..ch {
                    dst[x * ch + c] = dst[left + c];
                    dst[(r + w + x) * ch + c] = dst[right + c];
                }
            }
        }
        Strip { data, row_len, first }
    }

    /// Padded row `y` (an image row index in `y0 - r .. y1 + r`); element 0 is `r` pixels left
    /// of the image's first column.
    pub fn row(&self, y: isize) -> &[T] {
        let i = (y - self.first) as usize;
        &self.data[i * self.row_len..(i + 1) * self.row_len]
    }
}

/// Runs `f(y0, y1, rows)` over bands of `band` rows of `out` in parallel; `rows` holds the
/// band's output rows.
pub fn for_bands(out: &mut [u8], stride: usize, band: usize, f: impl Fn(usize, usize, &mut [u8]) + Sync + Send) {
    let height = out.len() / stride;
    out.par_chunks_mut(band * stride).enumerate().for_each(|(i, rows)| {
        let y0 = i * band;
        f(y0, (y0 + band).min(height), rows);
    });
}

/// A band height for an op whose bands each re-read `2r` halo rows: tall enough that the halo
/// is a small part of the work, short enough to give every core several bands.
pub fn band_rows(height: usize, r: usize) -> usize {
    let threads = rayon::current_num_threads().max(1);
    let balanced = height.div_ceil(threads * 4).max(1);
    balanced.max(8 * r).clamp(1, height.max(1))
}
