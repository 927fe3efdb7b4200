//! Density as vector tiles: a tile's hexagon bins (sized to its zoom) for a filter set, encoded as one MVT layer
//! `density` with each hexagon's `count`, and cached per filter set and tile. A case written into a tile drops
//! that tile's entries at every zoom (for every filter set), so the next request counts it; every other tile stays
//! cached.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use geo::{Geometry, LineString, Polygon};
use h3o::Resolution;
use wangge_tiles::{SourceFeature, SourceLayer, TileId, TileSet, Value};

use super::columns::Columns;
use super::density::{bins, Query};

/// The deepest zoom tiles are cached for (deeper tiles are cut fresh).
pub const MAX_ZOOM: u8 = 18;
/// Cached tiles at the most before the cache starts afresh.
const CAPACITY: usize = 20_000;

/// The bin size for a zoom: about a dozen hexagons across a 512-pixel tile.
pub fn resolution_for(z: u8) -> Resolution {
    match z {
        0..=10 => Resolution::Seven,
        11 => Resolution::Eight,
        12..=13 => Resolution::Nine,
        14..=15 => Resolution::Ten,
        _ => Resolution::Eleven,
    }
}

/// The encoded tile of `q`'s cases (its bbox is ignored: the tile is the box) at `tile`.
pub fn encode(c: &Columns, q: &Query, tile: TileId) -> Vec<u8> {
    let [w, s, e, n] = tile.lon_lat_bounds();
    // Hexagons reaching into the tile from outside are counted too: the box grows by a hexagon's width.
    let margin = (e - w).max(n - s) * 0.25;
    let query = Query { bbox: Some([w - margin, s - margin, e + margin, n + margin]), ..q.clone() };
    let (binned, _) = bins(c, &query, resolution_for(tile.z));
    let features: Vec<SourceFeature> = binned
        .iter()
        .enumerate()
        .map(|(i, (cell, count))| {
            let ring: Vec<(f64, f64)> = cell.boundary().iter().map(|ll| (ll.lng(), ll.lat())).collect();
            let polygon = Polygon::new(LineString::from(ring), Vec::new());
            SourceFeature::new(i as u64 + 1, Geometry::Polygon(polygon), 0)
                .with("count", Value::Int(i64::from(*count)))
                .with("cell", Value::String(cell.to_string()))
        })
        .collect();
    TileSet::new(vec![SourceLayer::new("density", features)]).encode(tile)
}

/// The encoded tiles of one tile address, by filter set.
type ByFilters = HashMap<String, Arc<Vec<u8>>>;

/// Encoded density tiles by tile, then by filter set.
#[derive(Debug, Default)]
pub struct TileCache {
    tiles: Mutex<HashMap<TileId, ByFilters>>,
}

impl TileCache {
    /// The cached tile of filter set `key`, or the one `make` encodes (then cached).
    pub fn get_or(&self, tile: TileId, key: &str, make: impl FnOnce() -> Vec<u8>) -> (Arc<Vec<u8>>, bool) {
        if let Some(hit) = self.lock().get(&tile).and_then(|m| m.get(key)).cloned() {
            return (hit, true);
        }
        let bytes = Arc::new(make());
        if tile.z <= MAX_ZOOM {
            let mut tiles = self.lock();
            if tiles.len() >= CAPACITY {
                tiles.clear();
            }
            tiles.entry(tile).or_default().insert(key.to_owned(), bytes.clone());
        }
        (bytes, false)
    }

    /// Drop every cached tile, at every zoom, that holds one of `points`.
    pub fn invalidate(&self, points: &[(f64, f64)]) {
        let mut tiles = self.lock();
        for &(lon, lat) in points {
            for z in 0..=MAX_ZOOM {
                tiles.remove(&TileId::containing(lon, lat, z));
            }
        }
    }

    /// Drop every cached tile (after everything was read again).
    pub fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<TileId, ByFilters>> {
        self.tiles.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
