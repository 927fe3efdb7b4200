//! GCJ-02 ("Mars coordinates", the obfuscated datum of Chinese web maps such as Amap) to and from WGS84.
//!
//! The forward transform is the published one; the inverse is solved by fixed-point iteration to better than
//! a millimetre, instead of the common one-step approximation that leaves 1–2 m of error.
//!
//! ```
//! use wangge_domain::gcj02::{gcj02_to_wgs84, wgs84_to_gcj02};
//! let wgs = (118.7969, 32.0603); // Nanjing, Gulou
//! let gcj = wgs84_to_gcj02(wgs.0, wgs.1);
//! assert!((gcj.0 - wgs.0).abs() > 0.003); // hundreds of metres off
//! let back = gcj02_to_wgs84(gcj.0, gcj.1);
//! assert!((back.0 - wgs.0).abs() < 1e-8 && (back.1 - wgs.1).abs() < 1e-8);
//! ```

use std::f64::consts::PI;

const A: f64 = 6_378_245.0;
const EE: f64 = 0.006_693_421_622_965_943;

/// Whether a WGS84 point lies in the rough box where GCJ-02 applies (mainland China); outside it the two datums
/// coincide.
pub fn in_china(lon: f64, lat: f64) -> bool {
    (72.004..=137.8347).contains(&lon) && (0.8293..=55.8271).contains(&lat)
}

fn transform_lat(x: f64, y: f64) -> f64 {
    let mut ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    ret += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    ret += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    ret += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    ret
}

fn transform_lon(x: f64, y: f64) -> f64 {
    let mut ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    ret += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    ret += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    ret += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    ret
}

/// WGS84 → GCJ-02 (longitude, latitude in degrees).
pub fn wgs84_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    if !in_china(lon, lat) {
        return (lon, lat);
    }
    let d_lat = transform_lat(lon - 105.0, lat - 35.0);
    let d_lon = transform_lon(lon - 105.0, lat - 35.0);
    let rad_lat = lat / 180.0 * PI;
    let magic = 1.0 - EE * rad_lat.sin() * rad_lat.sin();
    let sqrt_magic = magic.sqrt();
    let d_lat = (d_lat * 180.0) / ((A * (1.0 - EE)) / (magic * sqrt_magic) * PI);
    let d_lon = (d_lon * 180.0) / (A / sqrt_magic * rad_lat.cos() * PI);
    (lon + d_lon, lat + d_lat)
}

/// GCJ-02 → WGS84 (longitude, latitude in degrees), iterated until the forward transform reproduces the input.
pub fn gcj02_to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    if !in_china(lon, lat) {
        return (lon, lat);
    }
    let (mut x, mut y) = (lon, lat);
    for _ in 0..30 {
        let (fx, fy) = wgs84_to_gcj02(x, y);
        let (dx, dy) = (fx - lon, fy - lat);
        x -= dx;
        y -= dy;
        if dx.abs() < 1e-11 && dy.abs() < 1e-11 {
            break;
        }
    }
    (x, y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_china_is_identity() {
        assert_eq!(gcj02_to_wgs84(-122.4, 37.7), (-122.4, 37.7));
        assert_eq!(wgs84_to_gcj02(24.9, 60.2), (24.9, 60.2));
    }

    #[test]
    fn nanjing_offset_is_a_few_hundred_metres() {
        let (gx, gy) = wgs84_to_gcj02(118.78, 32.04);
        let dx = (gx - 118.78) * 111_320.0 * 32.04f64.to_radians().cos();
        let dy = (gy - 32.04) * 110_574.0;
        let d = (dx * dx + dy * dy).sqrt();
        assert!((400.0..700.0).contains(&d), "offset {d} m");
    }
}
