//! `clahe`: contrast-limited adaptive histogram equalisation of luma, colour kept.
//!
//! OpenCV's algorithm: the luma plane is cut into `tiles x tiles` tiles (padded by reflection
//! when it does not divide evenly), each tile gets a clipped-histogram equalisation map, and
//! each pixel's new luma is the bilinear blend of the maps of the four nearest tile centres.
//! As in `equalize`, the change in luma is added to R, G and B.

use rayon::prelude::*;

use super::equalize::shift_luma;
use super::point::to_u8;
use crate::derived::histogram::{clahe_clip_limit, clahe_map, luma};
use crate::image::Image;
use crate::spec::Clahe;

/// Applies `clahe`.
pub fn clahe(mut image: Image, p: &Clahe) -> Image {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let ch = image.channels();
    let y_plane: Vec<u8> = image.data().chunks_exact(ch).map(|px| luma(px[0], px[1], px[2])).collect();
    let maps = TileMaps::new(&y_plane, w, h, p);

    image.data_mut().par_chunks_mut(w * ch).enumerate().for_each(|(y, row)| {
        let (ty1, ty2, ya) = maps.axis(y, maps.tile_h, maps.tiles);
        for (x, px) in row.chunks_exact_mut(ch).enumerate() {
            let v = y_plane[y * w + x];
            let (tx1, tx2, xa) = maps.axis(x, maps.tile_w, maps.tiles);
            let at = |ty: usize, tx: usize| f32::from(maps.maps[ty * maps.tiles + tx][v as usize]);
            let top = at(ty1, tx1) * (1.0 - xa) + at(ty1, tx2) * xa;
            let bottom = at(ty2, tx1) * (1.0 - xa) + at(ty2, tx2) * xa;
            let new = to_u8(top * (1.0 - ya) + bottom * ya);
            shift_luma(px, i16::from(new) - i16::from(v));
        }
    });
    image
}

/// The per-tile equalisation maps.
struct TileMaps {
    tiles: usize,
    tile_w: usize,
    tile_h: usize,
    maps: Vec<[u8; 256]>,
}

impl TileMaps {
    fn new(y_plane: &[u8], w: usize, h: usize, p: &Clahe) -> Self {
        let tiles = p.tiles as usize;
        // OpenCV pads by reflection whenever either side does not divide; it then pads both
        // sides by `tiles - side % tiles` (a whole extra tile on a side that did divide).
        let (pw, ph) = if w.is_multiple_of(tiles) && h.is_multiple_of(tiles) {
            (w, h)
        } else {
            (w + tiles - w % tiles, h + tiles - h % tiles)
        };
        let (tile_w, tile_h) = (pw / tiles, ph / tiles);
        let area = (tile_w * tile_h) as u32;
        let limit = clahe_clip_limit(p.clip, area);
        let maps = (0..tiles * tiles)
            .into_par_iter()
            .map(|t| {
                let (tx, ty) = (t % tiles, t / tiles);
                let mut hist = [0u32; 256];
                for yy in ty * tile_h..(ty + 1) * tile_h {
                    let row = &y_plane[reflect101(yy, h) * w..][..w];
                    for xx in tx * tile_w..(tx + 1) * tile_w {
                        hist[row[reflect101(xx, w)] as usize] += 1;
                    }
                }
                clahe_map(hist, limit, area)
            })
            .collect();
        TileMaps { tiles, tile_w, tile_h, maps }
    }

    /// The two tiles whose centres bracket coordinate `i`, and the weight of the second.
    fn axis(&self, i: usize, tile: usize, tiles: usize) -> (usize, usize, f32) {
        let f = i as f32 * (1.0 / tile as f32) - 0.5;
        let t1 = f.floor();
        let a = f - t1;
        let t1 = t1 as isize;
        ((t1.max(0) as usize), ((t1 + 1).min(tiles as isize - 1) as usize), a)
    }
}

/// Index `i` reflected into `0..n` without repeating the edge (OpenCV's BORDER_REFLECT_101).
fn reflect101(i: usize, n: usize) -> usize {
    if n == 1 {
        return 0;
    }
    let period = 2 * (n - 1);
    let m = i % period;
    if m < n { m } else { period - m }
}
