//! Storage: the SQL behind imports, blocks, plans and located elements.

pub mod accounts;
pub mod blocks;
pub mod elements;
pub mod features;
pub mod hierarchy;
pub mod places;
pub mod plan_import;
pub mod plans;

/// GeoJSON text of a `geo` geometry, for `ST_GeomFromGeoJSON`.
pub fn geojson_text<G>(g: &G) -> String
where
    for<'a> geojson::Value: From<&'a G>,
{
    geojson::Geometry::new(geojson::Value::from(g)).to_string()
}
