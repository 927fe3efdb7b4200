//! Storage: the SQL behind imports, blocks, plans and located elements.

pub mod accounts;
pub mod block_geojson;
pub mod blocks;
pub mod cases;
pub mod catalogue;
pub mod clients;
pub mod density;
pub mod elements;
pub mod features;
pub mod grids;
pub mod hierarchy;
pub mod incidents;
pub mod places;
pub mod plan_import;
pub mod plans;
pub mod public;
pub mod residents;
pub mod search;
pub mod special_grids;

/// Why a store call failed, for the store modules whose only failures are the database's (the plan and block
/// stores have their own, richer errors). Nothing here is HTTP: `error.rs` decides what the caller sees.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed (or refused: a unique or foreign key, a check).
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// A value that could not be encoded for storage.
    #[error(transparent)]
    Encode(#[from] serde_json::Error),
    /// Anything else (a stored value that does not parse).
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Results of the store modules without errors of their own.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// GeoJSON text of a `geo` geometry, for `ST_GeomFromGeoJSON`.
pub fn geojson_text<G>(g: &G) -> String
where
    for<'a> geojson::Value: From<&'a G>,
{
    geojson::Geometry::new(geojson::Value::from(g)).to_string()
}

/// The areal part of PostGIS GeoJSON text (`ST_AsGeoJSON`) as a multipolygon; `None` for points and lines.
pub(crate) fn areal(geojson: &str) -> anyhow::Result<Option<geo::MultiPolygon<f64>>> {
    use anyhow::Context;
    let g: geojson::Geometry = geojson.parse().context("PostGIS GeoJSON")?;
    Ok(match geo::Geometry::<f64>::try_from(g).context("PostGIS GeoJSON to geo")? {
        geo::Geometry::MultiPolygon(mp) => Some(mp),
        geo::Geometry::Polygon(p) => Some(geo::MultiPolygon(vec![p])),
        _ => None,
    })
}

/// The columns that select the bounding box of a row's `geom`: west, south, east, north.
pub(crate) const BBOX_COLUMNS: &str = "ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)";

/// A row of [`BBOX_COLUMNS`] as a box, when the geometry exists.
pub(crate) fn bbox((w, s, e, n): (Option<f64>, Option<f64>, Option<f64>, Option<f64>)) -> Option<[f64; 4]> {
    Some([w?, s?, e?, n?])
}

/// Rows built as JSON by PostgreSQL (`json_build_object`), read as their answer type from `wangge-api`: a row of
/// another shape fails the query rather than reaching a client.
pub(crate) fn typed<T>(rows: Vec<sqlx::types::Json<T>>) -> Vec<T> {
    rows.into_iter().map(|j| j.0).collect()
}
