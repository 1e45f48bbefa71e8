//! `edges`: Sobel gradient magnitude `sqrt(gx² + gy²)` of each colour channel, borders
//! replicated, alpha kept.

use super::point::to_u8;
use super::strip::{Strip, band_rows, for_bands};
use crate::image::Image;

/// Applies `edges`.
pub fn edges(image: &Image) -> Image {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let ch = image.channels();
    let stride = w * ch;
    let mut out = vec![0u8; h * stride];
    for_bands(&mut out, stride, band_rows(h, 1), |y0, y1, rows| {
        let strip = Strip::new(image, y0, y1, 1, i32::from);
        for (y, out_row) in (y0..y1).zip(rows.chunks_exact_mut(stride)) {
            let (up, mid, down) = (strip.row(y as isize - 1), strip.row(y as isize), strip.row(y as isize + 1));
            for x in 0..w {
                // Padded column of pixel x is x + 1.
                let (l, c, r) = (x * ch, (x + 1) * ch, (x + 2) * ch);
                for k in 0..3 {
                    let gx = (up[r + k] + 2 * mid[r + k] + down[r + k]) - (up[l + k] + 2 * mid[l + k] + down[l + k]);
                    let gy = (down[l + k] + 2 * down[c + k] + down[r + k]) - (up[l + k] + 2 * up[c + k] + up[r + k]);
                    out_row[x * ch + k] = to_u8(((gx * gx + gy * gy) as f32).sqrt());
                }
                if ch == 4 {
                    out_row[x * ch + 3] = image.row(y)[x * ch + 3];
                }
            }
        }
    });
    Image::from_parts(w as u32, h as u32, ch, out)
}
