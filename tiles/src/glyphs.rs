//! Map label glyphs: signed-distance-field glyph ranges in the protobuf format MapLibre requests from a style's
//! `glyphs` URL (`{fontstack}/{start}-{end}.pbf`), rendered from a local TrueType/OpenType font, so labels need no
//! outside font server.

use crate::encode::{bytes_field, tag, varint};

/// Font size glyphs are rendered at (MapLibre's convention).
const SIZE: f32 = 24.0;
/// Empty border around each glyph bitmap, in pixels.
const BUFFER: usize = 3;
/// Distance in pixels the field spans.
const RADIUS: f32 = 8.0;
/// Share of the byte range used for the inside of the glyph.
const CUTOFF: f32 = 0.25;

/// Why a font could not be used.
#[derive(Debug)]
pub struct FontError(pub String);

impl std::fmt::Display for FontError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "font: {}", self.0)
    }
}

impl std::error::Error for FontError {}

/// A loaded font that renders glyph ranges.
pub struct GlyphFont {
    font: fontdue::Font,
    ascender: f32,
}

impl std::fmt::Debug for GlyphFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GlyphFont").field("name", &self.font.name()).finish()
    }
}

impl GlyphFont {
    /// Load a font file (`.ttf`, `.otf`, or the first face of a `.ttc`).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, FontError> {
        let font = fontdue::Font::from_bytes(bytes, fontdue::FontSettings { scale: SIZE, ..Default::default() })
            .map_err(|e| FontError(e.to_string()))?;
        let ascender = font.horizontal_line_metrics(SIZE).map_or(SIZE * 0.88, |m| m.ascent);
        Ok(Self { font, ascender })
    }

    /// Encode the glyphs of code points `start..=end` (a 256-aligned range) under `stack`'s name.
    pub fn range(&self, stack: &str, start: u32, end: u32) -> Vec<u8> {
        let mut fontstack = Vec::new();
        bytes_field(&mut fontstack, 1, stack.as_bytes());
        bytes_field(&mut fontstack, 2, format!("{start}-{end}").as_bytes());
        for cp in start..=end {
            let Some(ch) = char::from_u32(cp) else {
                continue;
            };
            if self.font.lookup_glyph_index(ch) == 0 && cp != 32 {
                continue;
            }
            let (m, coverage) = self.font.rasterize(ch, SIZE);
            let mut g = Vec::new();
            tag(&mut g, 1, 0);
            varint(&mut g, u64::from(cp));
            if m.width > 0 && m.height > 0 {
                bytes_field(&mut g, 2, &sdf(&coverage, m.width, m.height));
            }
            tag(&mut g, 3, 0);
            varint(&mut g, m.width as u64);
            tag(&mut g, 4, 0);
            varint(&mut g, m.height as u64);
            let zig = |v: i32| u64::from(((v << 1) ^ (v >> 31)) as u32);
            tag(&mut g, 5, 0);
            varint(&mut g, zig(m.xmin));
            let top = (m.ymin + m.height as i32) - self.ascender.round() as i32;
            tag(&mut g, 6, 0);
            varint(&mut g, zig(top));
            tag(&mut g, 7, 0);
            varint(&mut g, m.advance_width.round().max(0.0) as u64);
            bytes_field(&mut fontstack, 3, &g);
        }
        let mut out = Vec::new();
        bytes_field(&mut out, 1, &fontstack);
        out
    }
}

/// Signed distance field of a coverage bitmap, with a `BUFFER`-pixel border, one byte per pixel.
fn sdf(coverage: &[u8], w: usize, h: usize) -> Vec<u8> {
    let (bw, bh) = (w + 2 * BUFFER, h + 2 * BUFFER);
    let inside = |x: isize, y: isize| -> bool {
        let (x, y) = (x - BUFFER as isize, y - BUFFER as isize);
        x >= 0 && y >= 0 && (x as usize) < w && (y as usize) < h && coverage[y as usize * w + x as usize] >= 128
    };
    let r = RADIUS.ceil() as isize;
    let mut out = Vec::with_capacity(bw * bh);
    for y in 0..bh as isize {
        for x in 0..bw as isize {
            let me = inside(x, y);
            let mut best = f32::MAX;
            for dy in -r..=r {
                for dx in -r..=r {
                    if inside(x + dx, y + dy) != me {
                        best = best.min(((dx * dx + dy * dy) as f32).sqrt() - 0.5);
                    }
                }
            }
            let d = if me { -best.min(RADIUS) } else { best.min(RADIUS) };
            out.push((255.0 - 255.0 * (d / RADIUS + CUTOFF)).clamp(0.0, 255.0) as u8);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdf_is_high_inside_low_outside() {
        // a 4 × 4 filled square
        let s = sdf(&[255; 16], 4, 4);
        let w = 4 + 2 * BUFFER;
        assert!(s[(BUFFER + 2) * w + BUFFER + 2] > 192, "centre is inside");
        assert_eq!(s[0], s[0].min(100), "corner of the border is outside");
        assert_eq!(s.len(), w * w);
    }
}
