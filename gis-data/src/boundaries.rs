//! Administrative boundaries from GeoJSON: a FeatureCollection, a single Feature or a bare geometry, optionally
//! converted from GCJ-02 to WGS84.

use geo::{Geometry, MapCoords};
use geojson::GeoJson;
use serde_json::Value;
use wangge_domain::boundary::{Boundary, GeometryError};
use wangge_domain::gcj02::gcj02_to_wgs84;

/// The datum coordinates arrive in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Datum {
    /// WGS84 (EPSG:4326), as GPS and OpenStreetMap.
    Wgs84,
    /// GCJ-02, as Amap/Tencent and most Chinese sources.
    Gcj02,
}

/// One boundary read from a file, with its properties.
#[derive(Debug, Clone)]
pub struct BoundaryFeature {
    /// The validated WGS84 area.
    pub boundary: Boundary,
    /// The feature's properties (empty for a bare geometry).
    pub properties: serde_json::Map<String, Value>,
}

/// Why a boundary file was refused.
#[derive(Debug, thiserror::Error)]
pub enum BoundaryError {
    /// Not GeoJSON.
    #[error("not valid GeoJSON: {0}")]
    GeoJson(String),
    /// A `crs` member other than WGS84.
    #[error("unsupported CRS {0:?}: coordinates must be WGS84 (EPSG:4326 / CRS84) or GCJ-02 converted at import")]
    Crs(String),
    /// A feature has no geometry.
    #[error("feature {0} has no geometry")]
    NoGeometry(usize),
    /// A polygon ring whose last position is not its first, or with fewer than four positions (RFC 7946 3.1.6).
    #[error("feature {0}: every polygon ring must have at least four positions and end where it starts")]
    UnclosedRing(usize),
    /// A geometry is not an acceptable area.
    #[error("feature {index}: {source}")]
    Geometry {
        /// Position in the file.
        index: usize,
        /// Why.
        source: GeometryError,
    },
}

/// Whether every polygon ring is closed as written (converting to `geo` would close it silently).
fn rings_closed(value: &geojson::Value) -> bool {
    let closed = |ring: &Vec<geojson::Position>| ring.len() >= 4 && ring.first() == ring.last();
    match value {
        geojson::Value::Polygon(rings) => rings.iter().all(closed),
        geojson::Value::MultiPolygon(polygons) => polygons.iter().flatten().all(closed),
        geojson::Value::GeometryCollection(items) => items.iter().all(|g| rings_closed(&g.value)),
        _ => true,
    }
}

/// Refuse a legacy GeoJSON `crs` member that names anything but WGS84.
pub fn check_crs(value: &Value) -> Result<(), BoundaryError> {
    let Some(name) = value.pointer("/crs/properties/name").and_then(Value::as_str) else {
        return Ok(());
    };
    let ok = ["EPSG:4326", "urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG::4326", "CRS84"]
        .iter()
        .any(|n| name.eq_ignore_ascii_case(n));
    if ok {
        Ok(())
    } else {
        Err(BoundaryError::Crs(name.to_owned()))
    }
}

/// Parse GeoJSON text into validated WGS84 boundaries.
pub fn parse_boundaries(text: &str, datum: Datum) -> Result<Vec<BoundaryFeature>, BoundaryError> {
    let value: Value = serde_json::from_str(text).map_err(|e| BoundaryError::GeoJson(e.to_string()))?;
    parse_boundary_value(value, datum)
}

/// Parse an already-decoded GeoJSON value into validated WGS84 boundaries. A bare geometry may carry a
/// `properties` member (as the cnmaps files do); it is kept.
pub fn parse_boundary_value(value: Value, datum: Datum) -> Result<Vec<BoundaryFeature>, BoundaryError> {
    check_crs(&value)?;
    let bare_properties = value.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
    let gj = GeoJson::from_json_value(value).map_err(|e| BoundaryError::GeoJson(e.to_string()))?;
    let items: Vec<(Option<geojson::Geometry>, serde_json::Map<String, Value>)> = match gj {
        GeoJson::Geometry(g) => vec![(Some(g), bare_properties)],
        GeoJson::Feature(f) => vec![(f.geometry, f.properties.unwrap_or_default())],
        GeoJson::FeatureCollection(fc) => {
            fc.features.into_iter().map(|f| (f.geometry, f.properties.unwrap_or_default())).collect()
        }
    };
    items
        .into_iter()
        .enumerate()
        .map(|(index, (geometry, properties))| {
            let geometry = geometry.ok_or(BoundaryError::NoGeometry(index))?;
            if !rings_closed(&geometry.value) {
                return Err(BoundaryError::UnclosedRing(index));
            }
            let geometry: Geometry<f64> =
                geometry.try_into().map_err(|e: geojson::Error| BoundaryError::GeoJson(e.to_string()))?;
            let geometry = match datum {
                Datum::Wgs84 => geometry,
                Datum::Gcj02 => geometry.map_coords(|c| {
                    let (x, y) = gcj02_to_wgs84(c.x, c.y);
                    geo::Coord { x, y }
                }),
            };
            let boundary = Boundary::parse(geometry).map_err(|source| BoundaryError::Geometry { index, source })?;
            Ok(BoundaryFeature { boundary, properties })
        })
        .collect()
}
