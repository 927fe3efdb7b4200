//! Storage: the SQL behind imports, blocks, plans and located elements.

pub mod accounts;
pub mod block_geojson;
pub mod blocks;
pub mod elements;
pub mod features;
pub mod grids;
pub mod hierarchy;
pub mod places;
pub mod plan_import;
pub mod plans;
pub mod residents;
pub mod search;
pub mod special_grids;

/// GeoJSON text of a `geo` geometry, for `ST_GeomFromGeoJSON`.
pub fn geojson_text<G>(g: &G) -> String
where
    for<'a> geojson::Value: From<&'a G>,
{
    geojson::Geometry::new(geojson::Value::from(g)).to_string()
}

/// The columns that select the bounding box of a row's `geom`: west, south, east, north.
pub(crate) const BBOX_COLUMNS: &str = "ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)";

/// A row of [`BBOX_COLUMNS`] as a box, when the geometry exists.
pub(crate) fn bbox((w, s, e, n): (Option<f64>, Option<f64>, Option<f64>, Option<f64>)) -> Option<[f64; 4]> {
    Some([w?, s?, e?, n?])
}
