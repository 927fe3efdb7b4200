//! Label glyphs for the map, rendered on first request from a local font and kept in memory.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use wangge_tiles::GlyphFont;

/// Fonts tried in order when `WANGGE_FONT` is not set (Debian's `fonts-noto-cjk` first: it covers Chinese).
pub const DEFAULT_FONTS: [&str; 3] = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
];

/// The glyph server's state.
#[derive(Debug, Clone, Default)]
pub struct Glyphs {
    font: Arc<OnceLock<Result<GlyphFont, String>>>,
    ranges: Arc<Mutex<HashMap<u32, Arc<Vec<u8>>>>>,
}

impl Glyphs {
    fn font(&self) -> &Result<GlyphFont, String> {
        self.font.get_or_init(|| {
            let candidates: Vec<PathBuf> = match std::env::var_os("WANGGE_FONT") {
                Some(p) => vec![PathBuf::from(p)],
                None => DEFAULT_FONTS.iter().map(PathBuf::from).collect(),
            };
            let path = candidates.iter().find(|p| p.exists()).ok_or_else(|| {
                format!("no font found (tried {candidates:?}); install fonts-noto-cjk or set WANGGE_FONT")
            })?;
            let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
            GlyphFont::from_bytes(&bytes).map_err(|e| format!("{}: {e}", path.display()))
        })
    }

    /// The encoded range starting at `start` (a multiple of 256), rendered once.
    pub fn range(&self, stack: &str, start: u32) -> Result<Arc<Vec<u8>>, String> {
        if let Some(r) = self.ranges.lock().expect("glyph lock").get(&start) {
            return Ok(r.clone());
        }
        let font = self.font().as_ref().map_err(Clone::clone)?;
        let encoded = Arc::new(font.range(stack, start, start + 255));
        self.ranges.lock().expect("glyph lock").insert(start, encoded.clone());
        Ok(encoded)
    }
}
