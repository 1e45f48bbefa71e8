//! `crop:X,Y,W,H`: a pixel rectangle, which must lie inside the image.

use crate::error::OpError;
use crate::image::Image;
use crate::spec::Crop;

/// Applies `crop`.
pub fn crop(image: &Image, p: &Crop) -> Result<Image, OpError> {
    let inside = u64::from(p.x) + u64::from(p.width) <= u64::from(image.width())
        && u64::from(p.y) + u64::from(p.height) <= u64::from(image.height());
    if !inside {
        return Err(OpError::CropOutside {
            x: p.x,
            y: p.y,
            w: p.width,
            h: p.height,
            width: image.width(),
            height: image.height(),
        });
    }
    Ok(region(image, p.x, p.y, p.width, p.height))
}

/// Copies a rectangle known to lie inside the image.
pub(crate) fn region(image: &Image, x: u32, y: u32, w: u32, h: u32) -> Image {
    let ch = image.channels();
    let (x0, x1) = (x as usize * ch, (x + w) as usize * ch);
    let mut data = Vec::with_capacity(w as usize * h as usize * ch);
    for row in y..y + h {
        data.extend_from_slice(&image.row(row as usize)[x0..x1]);
    }
    Image::from_parts(w, h, ch, data)
}
