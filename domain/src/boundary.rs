//! Validated WGS84 geometry: the only way polygons and points from outside get into Wangge.
//!
//! ```
//! use geo::{polygon, point, Geometry};
//! use wangge_domain::boundary::{Boundary, LonLat};
//! let square = polygon![(x: 118.0, y: 32.0), (x: 118.01, y: 32.0), (x: 118.01, y: 32.01), (x: 118.0, y: 32.01)];
//! assert!(Boundary::parse(Geometry::Polygon(square)).is_ok());
//! let bow_tie = polygon![(x: 118.0, y: 32.0), (x: 118.01, y: 32.01), (x: 118.01, y: 32.0), (x: 118.0, y: 32.01)];
//! let err = Boundary::parse(Geometry::Polygon(bow_tie)).unwrap_err();
//! assert!(err.to_string().contains("self-intersection"));
//! assert!(LonLat::new(200.0, 32.0).is_err());
//! ```

use geo::{Area, BoundingRect, Coord, Geometry, MultiPolygon, Point, Rect, Validation};
use serde::Serialize;

/// Most vertices a single submitted boundary may have.
pub const MAX_VERTICES: usize = 500_000;

/// Why a geometry was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeometryError {
    /// A coordinate is NaN/infinite or outside −180..180 / −90..90.
    #[error("coordinate ({lon}, {lat}) is not a WGS84 longitude/latitude (expected -180..180, -90..90)")]
    OutOfRange {
        /// Longitude as given.
        lon: f64,
        /// Latitude as given.
        lat: f64,
    },
    /// The geometry is a point, line or collection where an area was expected.
    #[error("expected a Polygon or MultiPolygon, got a {0}")]
    NotAnArea(&'static str),
    /// The geometry is not valid in the OGC Simple Features sense.
    #[error("invalid polygon: {0}")]
    Invalid(String),
    /// Zero area.
    #[error("the polygon has no area")]
    Empty,
    /// Too many vertices.
    #[error("the polygon has {0} vertices; at most {MAX_VERTICES} are accepted")]
    TooManyVertices(usize),
}

/// A WGS84 position (EPSG:4326), longitude first.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LonLat {
    lon: f64,
    lat: f64,
}

impl LonLat {
    /// A checked position.
    pub fn new(lon: f64, lat: f64) -> Result<Self, GeometryError> {
        if lon.is_finite() && lat.is_finite() && (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat) {
            Ok(Self { lon, lat })
        } else {
            Err(GeometryError::OutOfRange { lon, lat })
        }
    }

    /// Longitude in degrees.
    pub fn lon(self) -> f64 {
        self.lon
    }

    /// Latitude in degrees.
    pub fn lat(self) -> f64 {
        self.lat
    }

    /// As a `geo` point.
    pub fn point(self) -> Point<f64> {
        Point::new(self.lon, self.lat)
    }
}

/// A valid, non-empty WGS84 area (Polygon or MultiPolygon), e.g. a community boundary or a special grid.
#[derive(Debug, Clone, PartialEq)]
pub struct Boundary(MultiPolygon<f64>);

fn geometry_name(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) => "Point",
        Geometry::Line(_) => "Line",
        Geometry::LineString(_) => "LineString",
        Geometry::Polygon(_) => "Polygon",
        Geometry::MultiPoint(_) => "MultiPoint",
        Geometry::MultiLineString(_) => "MultiLineString",
        Geometry::MultiPolygon(_) => "MultiPolygon",
        Geometry::GeometryCollection(_) => "GeometryCollection",
        Geometry::Rect(_) => "Rect",
        Geometry::Triangle(_) => "Triangle",
    }
}

impl Boundary {
    /// Check range, validity (no self-intersection, closed rings, holes inside), area and size.
    pub fn parse(geometry: Geometry<f64>) -> Result<Self, GeometryError> {
        let mp = match geometry {
            Geometry::Polygon(p) => MultiPolygon(vec![p]),
            Geometry::MultiPolygon(mp) => mp,
            other => return Err(GeometryError::NotAnArea(geometry_name(&other))),
        };
        let mut vertices = 0usize;
        for poly in &mp.0 {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                vertices += ring.0.len();
                for c in &ring.0 {
                    LonLat::new(c.x, c.y)?;
                }
            }
        }
        if vertices > MAX_VERTICES {
            return Err(GeometryError::TooManyVertices(vertices));
        }
        if let Err(e) = mp.check_validation() {
            return Err(GeometryError::Invalid(e.to_string()));
        }
        if mp.unsigned_area() <= 0.0 {
            return Err(GeometryError::Empty);
        }
        Ok(Self(mp))
    }

    /// The geometry.
    pub fn multi_polygon(&self) -> &MultiPolygon<f64> {
        &self.0
    }

    /// Take the geometry out.
    pub fn into_inner(self) -> MultiPolygon<f64> {
        self.0
    }

    /// Bounding box.
    pub fn bbox(&self) -> Rect<f64> {
        self.0.bounding_rect().unwrap_or_else(|| Rect::new(Coord::zero(), Coord::zero()))
    }
}

/// Area in m² of a WGS84 (multi)polygon on the sphere, holes subtracted whatever the rings' orientation.
///
/// ```
/// use geo::{polygon, MultiPolygon};
/// use wangge_domain::boundary::area_m2;
/// // 0.001° × 0.001° at 32°N is about 111 m × 94 m
/// let cell = polygon![(x: 118.0, y: 32.0), (x: 118.001, y: 32.0), (x: 118.001, y: 32.001), (x: 118.0, y: 32.001)];
/// let a = area_m2(&MultiPolygon(vec![cell]));
/// assert!((a - 10_450.0).abs() < 100.0, "{a}");
/// ```
pub fn area_m2(mp: &MultiPolygon<f64>) -> f64 {
    use geo::{ChamberlainDuquetteArea, Polygon};
    let ring = |r: &geo::LineString<f64>| Polygon::new(r.clone(), vec![]).chamberlain_duquette_unsigned_area();
    mp.0.iter().map(|p| ring(p.exterior()) - p.interiors().iter().map(ring).sum::<f64>()).sum::<f64>().max(0.0)
}
