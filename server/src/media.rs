//! Case photos: a JPEG, PNG or WebP upload is recognised by its bytes (not by what the client says it is), decoded
//! within size limits, and stored re-encoded as JPEG, so no metadata (EXIF location, camera serial) survives into
//! anything shown, with a thumbnail for lists and timelines. An upload is at most the body limit (8 MB).

use image::{ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};
use std::io::Cursor;

/// Photos a case may hold.
pub const MAX_PHOTOS: i64 = 9;
/// Longest side of a stored photo (larger ones are scaled down).
const MAX_SIDE: u32 = 2048;
/// Longest side of a thumbnail.
const THUMB_SIDE: u32 = 320;

/// Why an upload is not a photo we keep.
#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    /// Not one of the accepted formats.
    #[error("not a JPEG, PNG or WebP image")]
    NotAnImage,
    /// Recognised but broken, or too large to decode.
    #[error("the image cannot be decoded: {0}")]
    Undecodable(String),
}

/// A photo ready to store.
#[derive(Debug)]
pub struct Prepared {
    /// SHA-256 of the upload as sent.
    pub sha256: Vec<u8>,
    /// JPEG without metadata.
    pub image: Vec<u8>,
    /// JPEG thumbnail.
    pub thumb: Vec<u8>,
    /// Width and height of `image`.
    pub size: (u32, u32),
}

/// Check and re-encode an upload (CPU work: run it off the request thread).
pub fn prepare(bytes: &[u8]) -> Result<Prepared, PhotoError> {
    let format = image::guess_format(bytes).map_err(|_| PhotoError::NotAnImage)?;
    if !matches!(format, ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP) {
        return Err(PhotoError::NotAnImage);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|e| PhotoError::Undecodable(e.to_string()))?;
    let shown = if decoded.width().max(decoded.height()) > MAX_SIDE {
        decoded.resize(MAX_SIDE, MAX_SIDE, image::imageops::FilterType::Triangle)
    } else {
        decoded
    };
    let thumb = shown.thumbnail(THUMB_SIDE, THUMB_SIDE);
    Ok(Prepared {
        sha256: Sha256::digest(bytes).to_vec(),
        image: encode(&shown)?,
        thumb: encode(&thumb)?,
        size: (shown.width(), shown.height()),
    })
}

fn encode(img: &image::DynamicImage) -> Result<Vec<u8>, PhotoError> {
    let mut out = Vec::new();
    img.to_rgb8()
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Jpeg)
        .map_err(|e| PhotoError::Undecodable(e.to_string()))?;
    Ok(out)
}

/// A part of a photo, in fractions of its width and height (0 to 1) from the top left corner.
#[derive(Debug, Clone, Copy, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Region {
    /// Whether it lies inside the photo and covers something.
    pub fn is_valid(&self) -> bool {
        let inside = |v: f64| (0.0..=1.0).contains(&v);
        inside(self.x)
            && inside(self.y)
            && self.w > 0.0
            && self.h > 0.0
            && inside(self.x + self.w)
            && inside(self.y + self.h)
    }
}

/// The public copy of a stored photo (JPEG): `regions` pixelated beyond recognition (faces, number plates, house
/// numbers), with its thumbnail. CPU work: run it off the request thread.
pub fn pixelate(stored: &[u8], regions: &[Region]) -> Result<(Vec<u8>, Vec<u8>), PhotoError> {
    let mut img = image::load_from_memory_with_format(stored, ImageFormat::Jpeg)
        .map_err(|e| PhotoError::Undecodable(e.to_string()))?
        .to_rgb8();
    let (w, h) = img.dimensions();
    for r in regions {
        let (x, y) = ((r.x * w as f64) as u32, (r.y * h as f64) as u32);
        let (rw, rh) = (((r.w * w as f64) as u32).clamp(1, w - x), ((r.h * h as f64) as u32).clamp(1, h - y));
        // Blocks of about a twelfth of the region's longer side: nothing inside stays legible.
        let block = (rw.max(rh) / 12).max(4);
        let part = image::imageops::crop_imm(&img, x, y, rw, rh).to_image();
        let small = image::imageops::resize(
            &part,
            rw.div_ceil(block),
            rh.div_ceil(block),
            image::imageops::FilterType::Triangle,
        );
        let blocks = image::imageops::resize(&small, rw, rh, image::imageops::FilterType::Nearest);
        image::imageops::replace(&mut img, &blocks, x as i64, y as i64);
    }
    let shown = image::DynamicImage::ImageRgb8(img);
    Ok((encode(&shown)?, encode(&shown.thumbnail(THUMB_SIDE, THUMB_SIDE))?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pixelated_region_loses_its_detail_and_the_rest_stays() {
        let img = image::RgbImage::from_fn(200, 100, |x, y| {
            image::Rgb(if (x / 2 + y / 2) % 2 == 0 { [255, 255, 255] } else { [0, 0, 0] })
        });
        let mut jpeg = Vec::new();
        image::DynamicImage::ImageRgb8(img).write_to(&mut Cursor::new(&mut jpeg), ImageFormat::Jpeg).unwrap();
        let (out, thumb) = pixelate(&jpeg, &[Region { x: 0.0, y: 0.0, w: 0.5, h: 1.0 }]).unwrap();
        let out = image::load_from_memory(&out).unwrap().to_luma8();
        let contrast = |x0: u32| {
            let v: Vec<f64> = (0..40).map(|i| out.get_pixel(x0 + i, 50).0[0] as f64).collect();
            v.iter().map(|a| (a - v[0]).abs()).fold(0.0, f64::max)
        };
        assert!(contrast(20) < 60.0, "the checkerboard is gone where pixelated");
        assert!(contrast(140) > 120.0, "and still there elsewhere");
        assert!(!thumb.is_empty());
        assert!(!Region { x: 0.8, y: 0.0, w: 0.5, h: 1.0 }.is_valid());
    }

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png).unwrap();
        out
    }

    #[test]
    fn images_are_re_encoded_as_jpeg_with_a_thumbnail() {
        let p = prepare(&png(800, 600)).unwrap();
        assert_eq!(image::guess_format(&p.image).unwrap(), ImageFormat::Jpeg);
        assert_eq!(p.size, (800, 600));
        let t = image::load_from_memory(&p.thumb).unwrap();
        assert_eq!((t.width(), t.height()), (320, 240));
    }

    #[test]
    fn a_jpeg_loses_its_exif_block() {
        // A JPEG with an APP1 Exif segment spliced in after SOI.
        let mut jpeg = Vec::new();
        image::RgbImage::new(16, 16).write_to(&mut Cursor::new(&mut jpeg), ImageFormat::Jpeg).unwrap();
        let exif = b"Exif\0\0GPS 32.0 118.8 secret";
        let mut with = jpeg[..2].to_vec();
        with.extend_from_slice(&[0xFF, 0xE1, 0, (exif.len() + 2) as u8]);
        with.extend_from_slice(exif);
        with.extend_from_slice(&jpeg[2..]);
        let p = prepare(&with).unwrap();
        assert!(!p.image.windows(4).any(|w| w == b"Exif"));
        assert!(!p.image.windows(6).any(|w| w == b"secret"));
    }

    #[test]
    fn text_and_broken_images_are_refused() {
        assert!(matches!(prepare(b"hello, this is not a photo"), Err(PhotoError::NotAnImage)));
        let mut broken = png(50, 50);
        broken.truncate(60);
        assert!(matches!(prepare(&broken), Err(PhotoError::Undecodable(_))));
        assert!(matches!(prepare(b"GIF89a......"), Err(PhotoError::NotAnImage)));
    }
}
