//! Special grids: thematic overlays (safety, environment, river sections…) that may overlap anything.

use super::Result;
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{PgConnection, PgPool};

/// The union of live `blocks` in `district` as GeoJSON, and how many of them were found.
pub async fn blocks_union(pool: &PgPool, blocks: &[i64], district: &str) -> Result<(i64, Option<String>)> {
    Ok(sqlx::query_as(
        "SELECT count(*), ST_AsGeoJSON(ST_Multi(ST_Union(geom))) FROM block WHERE id = ANY($1) AND NOT retired
         AND left(community_code, 6) = $2",
    )
    .bind(blocks)
    .bind(district)
    .fetch_one(pool)
    .await?)
}

/// A new special grid.
pub struct NewSpecialGrid<'a> {
    /// Its district.
    pub district: &'a str,
    /// Its name.
    pub name: &'a str,
    /// Its theme.
    pub theme: &'a str,
    /// The blocks it was picked from, if it was.
    pub blocks: Option<&'a [i64]>,
    /// Its area as GeoJSON (WGS84).
    pub geojson: &'a str,
    /// From when it applies.
    pub valid_from: DateTime<Utc>,
}

/// Store a special grid; returns its id.
pub async fn insert(conn: &mut PgConnection, g: NewSpecialGrid<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO special_grid (district_code, name, theme, block_ids, geom, valid_from)
         VALUES ($1, $2, $3, $4, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($5), 4326)), $6) RETURNING id",
    )
    .bind(g.district)
    .bind(g.name)
    .bind(g.theme)
    .bind(g.blocks)
    .bind(g.geojson)
    .bind(g.valid_from)
    .fetch_one(conn)
    .await?)
}

/// The special grids a scope of code `prefixes` touches, as a FeatureCollection.
pub async fn list(pool: &PgPool, prefixes: &[String]) -> Result<Value> {
    Ok(sqlx::query_scalar(
        "SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
            'type', 'Feature', 'id', id, 'geometry', ST_AsGeoJSON(geom, 7)::json,
            'properties', json_build_object('id', id, 'district_code', district_code, 'name', name, 'theme', theme,
                'blocks', block_ids, 'valid_from', valid_from, 'valid_to', valid_to)) ORDER BY id), '[]'::json))
         FROM special_grid WHERE touches_scope(district_code, $1)",
    )
    .bind(prefixes)
    .fetch_one(pool)
    .await?)
}
