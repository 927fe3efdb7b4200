//! Web Mercator (EPSG:3857) in unit coordinates: x and y in 0..1 over the world, y growing southwards.

use std::f64::consts::PI;

/// Tile coordinate units per tile side (MVT extent).
pub const EXTENT: u32 = 4096;

/// Largest latitude Web Mercator shows.
const MAX_LAT: f64 = 85.051_128_779_806_59;

/// Longitude/latitude → unit Mercator.
pub fn project(lon: f64, lat: f64) -> [f64; 2] {
    let lat = lat.clamp(-MAX_LAT, MAX_LAT).to_radians();
    let x = (lon + 180.0) / 360.0;
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / PI) / 2.0;
    [x, y]
}

/// A tile address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileId {
    /// Zoom.
    pub z: u8,
    /// Column.
    pub x: u32,
    /// Row (from the north).
    pub y: u32,
}

impl TileId {
    /// A checked tile address (`z` ≤ 22, `x`, `y` < 2^z).
    pub fn new(z: u8, x: u32, y: u32) -> Option<Self> {
        (z <= 22 && x < (1u32 << z) && y < (1u32 << z)).then_some(Self { z, x, y })
    }

    /// The tile at zoom `z` containing a longitude/latitude.
    pub fn containing(lon: f64, lat: f64, z: u8) -> Self {
        let [ux, uy] = project(lon, lat);
        let n = f64::from(1u32 << z);
        let clampi = |v: f64| (v * n).floor().clamp(0.0, n - 1.0) as u32;
        Self { z, x: clampi(ux), y: clampi(uy) }
    }

    /// Unit-Mercator bounds (min x, min y, max x, max y).
    pub fn bounds(&self) -> [f64; 4] {
        let n = f64::from(1u32 << self.z);
        [f64::from(self.x) / n, f64::from(self.y) / n, f64::from(self.x + 1) / n, f64::from(self.y + 1) / n]
    }

    /// Longitude/latitude bounds (west, south, east, north).
    pub fn lon_lat_bounds(&self) -> [f64; 4] {
        let [x0, y0, x1, y1] = self.bounds();
        let lon = |x: f64| x * 360.0 - 180.0;
        let lat = |y: f64| (PI * (1.0 - 2.0 * y)).sinh().atan().to_degrees();
        [lon(x0), lat(y1), lon(x1), lat(y0)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nanjing_tile() {
        // Xinjiekou at z14 (checked against the OSM slippy-map formula)
        let t = TileId::containing(118.7784, 32.0417, 14);
        assert_eq!((t.x, t.y), (13597, 6651));
        let [w, s, e, n] = t.lon_lat_bounds();
        assert!(w <= 118.7784 && 118.7784 <= e && s <= 32.0417 && 32.0417 <= n);
        assert!(TileId::new(3, 8, 0).is_none());
    }
}
