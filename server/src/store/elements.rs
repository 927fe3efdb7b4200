//! Elements located to grids: places, facilities, organizations (table `element`) and residents (`resident`).

use super::Result;
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{PgConnection, PgPool};
use wangge_domain::element::ElementKind;

/// Tables whose rows carry a point, a community and a grid.
pub const LOCATED_TABLES: [&str; 2] = ["element", "resident"];

/// Recompute community and grid of every located row inside `community`, using the plan in force at `at`.
pub async fn relocate_community(tx: &mut PgConnection, community: &str, at: DateTime<Utc>) -> Result<u64> {
    let mut moved = 0;
    for table in LOCATED_TABLES {
        sqlx::query(&format!(
            // the grid goes with the community (its district may differ); the next statement finds the new one
            "UPDATE {table} e SET community_code = c.code, district_code = c.district_code, grid_id = NULL
             FROM community c
             WHERE c.code = $1 AND ST_Intersects(c.geom, e.geom) AND e.community_code IS DISTINCT FROM c.code"
        ))
        .bind(community)
        .execute(&mut *tx)
        .await?;
        moved += sqlx::query(&format!(
            "UPDATE {table} e SET grid_id = (
                 SELECT g.id FROM grid g JOIN plan p ON p.id = g.plan_id AND p.district_code = g.district_code
                 WHERE p.community_code = $1 AND p.district_code = left($1, 6) AND p.status = 'published'
                   AND p.valid_from <= $2 AND (p.valid_to IS NULL OR p.valid_to > $2)
                   AND ST_Intersects(g.geom, e.geom)
                 LIMIT 1)
             WHERE e.community_code = $1 AND e.district_code = left($1, 6)"
        ))
        .bind(community)
        .bind(at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    Ok(moved)
}

/// A new place, facility or organization, already located to its community and grid.
pub struct NewElement<'a> {
    /// Place, facility or organization.
    pub kind: ElementKind,
    /// Its name.
    pub name: &'a str,
    /// Its category code, if any.
    pub category: Option<&'a str>,
    /// A facility's 16-digit id.
    pub facility_id: Option<&'a str>,
    /// Its address.
    pub address: Option<&'a str>,
    /// Longitude, latitude (WGS84).
    pub at: (f64, f64),
    /// The community it lies in.
    pub community: Option<&'a str>,
    /// The grid it lies in.
    pub grid: Option<i64>,
}

/// Store a new element; returns its id.
pub async fn insert(conn: &mut PgConnection, e: NewElement<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO element (kind, name, category, facility_id, address, geom, community_code, district_code, grid_id)
         VALUES ($1, $2, $3, $4, $5, ST_SetSRID(ST_MakePoint($6, $7), 4326), $8, coalesce(left($8, 6), '000000'), $9)
         RETURNING id",
    )
    .bind(e.kind.as_str())
    .bind(e.name)
    .bind(e.category)
    .bind(e.facility_id)
    .bind(e.address)
    .bind(e.at.0)
    .bind(e.at.1)
    .bind(e.community)
    .bind(e.grid)
    .fetch_one(conn)
    .await?)
}

const ELEMENT_JSON: &str = "json_build_object('id', e.id, 'kind', e.kind, 'name', e.name, 'category', e.category,
    'facility_id', e.facility_id, 'address', e.address, 'lon', ST_X(e.geom), 'lat', ST_Y(e.geom),
    'community_code', e.community_code, 'grid_id', e.grid_id, 'grid_code', g.code)";

/// Which elements to list.
pub struct ElementFilter<'a> {
    /// Only this kind.
    pub kind: Option<ElementKind>,
    /// Only in this community.
    pub community: Option<&'a str>,
    /// Only in this grid.
    pub grid: Option<i64>,
    /// At most this many.
    pub limit: i64,
    /// Only inside a scope of these code prefixes.
    pub prefixes: &'a [String],
}

/// Elements as JSON, by id.
pub async fn list(pool: &PgPool, f: ElementFilter<'_>) -> Result<Vec<Value>> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT {ELEMENT_JSON} FROM element e LEFT JOIN grid g ON g.id = e.grid_id AND g.district_code = e.district_code
         WHERE ($1::text IS NULL OR e.kind = $1) AND ($2::text IS NULL OR e.community_code = $2)
           AND ($3::int8 IS NULL OR e.grid_id = $3) AND in_scope(coalesce(g.code, e.community_code), $5)
         ORDER BY e.id LIMIT $4"
    ))
    .bind(f.kind.map(ElementKind::as_str))
    .bind(f.community)
    .bind(f.grid)
    .bind(f.limit)
    .bind(f.prefixes)
    .fetch_all(pool)
    .await?)
}

/// One element as JSON.
pub async fn get(pool: &PgPool, id: i64) -> Result<Option<Value>> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT {ELEMENT_JSON} FROM element e LEFT JOIN grid g ON g.id = e.grid_id AND g.district_code = e.district_code WHERE e.id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await?)
}
