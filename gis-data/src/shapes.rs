//! Polygon shapefiles (e.g. census tracts) with one attribute chosen as the feature's name.

use std::path::Path;

use geo::MultiPolygon;

/// Why a shapefile could not be read.
#[derive(Debug, thiserror::Error)]
#[error("shapefile {path}: {message}")]
pub struct ShapeError {
    /// The file.
    pub path: String,
    /// What went wrong.
    pub message: String,
}

/// Read every polygon record of `path` (`.shp` with its `.dbf`), naming each by the attribute `name_field`.
pub fn read_polygons(path: &Path, name_field: &str) -> Result<Vec<(String, MultiPolygon<f64>)>, ShapeError> {
    let err = |message: String| ShapeError { path: path.display().to_string(), message };
    let mut reader = shapefile::Reader::from_path(path).map_err(|e| err(e.to_string()))?;
    let mut out = Vec::new();
    for item in reader.iter_shapes_and_records() {
        let (shape, record) = item.map_err(|e| err(e.to_string()))?;
        let name = match record.get(name_field) {
            Some(shapefile::dbase::FieldValue::Character(Some(s))) => s.trim().to_owned(),
            Some(shapefile::dbase::FieldValue::Numeric(Some(n))) => n.to_string(),
            other => return Err(err(format!("field {name_field:?} missing or empty: {other:?}"))),
        };
        let polygon = match shape {
            shapefile::Shape::Polygon(p) => p,
            other => return Err(err(format!("expected polygons, found {}", other.shapetype()))),
        };
        let mp: MultiPolygon<f64> = polygon.into();
        out.push((name, mp));
    }
    Ok(out)
}
