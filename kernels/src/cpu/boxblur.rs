//! `boxblur:R`: the mean over a (2R+1)x(2R+1) box, borders replicated, exact in integers.
//!
//! Running sums make the cost independent of R: each band keeps one sum per column over the
//! box's rows, slid down one row at a time, and a running sum along each row over those.
//! Images with alpha are averaged premultiplied (colour weighted by alpha).

use super::strip::for_bands;
use crate::image::Image;
use crate::spec::Boxblur;

/// Applies `boxblur`.
pub fn boxblur(image: &Image, p: &Boxblur) -> Image {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let ch = image.channels();
    let stride = w * ch;
    let r = p.radius as usize;
    let alpha = image.has_alpha();
    let n = ((2 * r + 1) * (2 * r + 1)) as u64;
    // Bands long enough that starting each band's column sums (2R+1 rows) stays a small part
    // of the work; a radius larger than the image simply means fewer, longer bands.
    let threads = rayon::current_num_threads().max(1);
    let band = h.div_ceil(threads * 2).max(4 * r + 2).min(h);

    // A pixel's contribution: colour premultiplied by alpha when there is alpha.
    let add_row = |sums: &mut [u64], y: usize, sign: i64| {
        let row = image.row(y.min(h - 1));
        if alpha {
            for (s, px) in sums.chunks_exact_mut(4).zip(row.chunks_exact(4)) {
                let a = u64::from(px[3]);
                for c in 0..3 {
                    s[c] = s[c].wrapping_add_signed(sign * (u64::from(px[c]) * a) as i64);
                }
                s[3] = s[3].wrapping_add_signed(sign * a as i64);
            }
        } else {
            for (s, &v) in sums.iter_mut().zip(row) {
                *s = s.wrapping_add_signed(sign * i64::from(v));
            }
        }
    };

    let mut out = vec![0u8; h * stride];
    for_bands(&mut out, stride, band, |y0, y1, rows| {
        let mut cols = vec![0u64; stride];
        for dy in -(r as isize)..=(r as isize) {
            add_row(&mut cols, (y0 as isize + dy).max(0) as usize, 1);
        }
        let mut win = vec![0u64; ch];
        for (y, out_row) in (y0..y1).zip(rows.chunks_exact_mut(stride)) {
            // Window sum at x = 0 with the left edge replicated.
            for c in 0..ch {
                win[c] = (r as u64 + 1) * cols[c];
                for dx in 1..=r {
                    win[c] += cols[dx.min(w - 1) * ch + c];
                }
            }
            for x in 0..w {
                let o = &mut out_row[x * ch..(x + 1) * ch];
                if alpha {
                    let sa = win[3];
                    for c in 0..3 {
                        o[c] = (win[c] + sa / 2).checked_div(sa).unwrap_or(0) as u8;
                    }
                    o[3] = ((sa + n / 2) / n) as u8;
                } else {
                    for c in 0..ch {
                        o[c] = ((win[c] + n / 2) / n) as u8;
                    }
                }
                let (add, sub) = ((x + r + 1).min(w - 1), x.saturating_sub(r));
                for c in 0..ch {
                    win[c] = win[c] + cols[add * ch + c] - cols[sub * ch + c];
                }
            }
            // Slide the column sums down one row.
            add_row(&mut cols, y + r + 1, 1);
            add_row(&mut cols, (y as isize - r as isize).max(0) as usize, -1);
        }
    });
    Image::from_parts(w as u32, h as u32, ch, out)
}
