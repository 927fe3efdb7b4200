//! A community's blocks, buildings and the lines neighbouring blocks share, as GeoJSON (for the map and the
//! editor), and single blocks and buildings.

use super::Result;
use serde_json::Value;
use sqlx::PgPool;

const BLOCK_FEATURE: &str = "json_build_object('type', 'Feature', 'id', b.id, 'geometry', ST_AsGeoJSON(b.geom, 7)::json,
    'properties', json_build_object('id', b.id, 'community_code', b.community_code, 'households', b.households,
        'residents', b.residents, 'area_m2', round(b.area_m2::numeric, 1), 'parent_id', b.parent_id,
        'split_policy', b.split_policy, 'retired', b.retired,
        'x', round(ST_X(ST_PointOnSurface(b.geom))::numeric, 7), 'y', round(ST_Y(ST_PointOnSurface(b.geom))::numeric, 7),
        'buildings', (SELECT count(*) FROM building x WHERE x.block_id = b.id AND x.district_code = b.district_code),
        'neighbours', (SELECT coalesce(json_agg(CASE WHEN a.a = b.id THEN a.b ELSE a.a END), '[]'::json)
                       FROM block_adjacency a
                       WHERE a.district_code = b.district_code AND (a.a = b.id OR a.b = b.id))))";

const BUILDING_FEATURE: &str = "json_build_object('type', 'Feature', 'id', b.id,
    'geometry', ST_AsGeoJSON(b.footprint, 7)::json,
    'properties', json_build_object('id', b.id, 'kind', b.kind, 'use', b.building_use, 'name', b.name,
        'address', b.address, 'floors', b.floors, 'area_m2', round(b.area_m2::numeric, 1),
        'households', b.households, 'households_source', b.households_source, 'residents', b.residents,
        'block_id', b.block_id, 'community_code', b.community_code))";

/// A FeatureCollection of `feature` over the rows `from` selects for community `code` (`$1`); `None` when the
/// community does not exist.
async fn collection(pool: &PgPool, feature: &str, from: &str, code: &str) -> Result<Option<Value>> {
    let found: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM community WHERE code = $1 AND district_code = left($1, 6))")
            .bind(code)
            .fetch_one(pool)
            .await?;
    if !found {
        return Ok(None);
    }
    let fc: Value = sqlx::query_scalar(&format!(
        "SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg({feature} ORDER BY b.id), '[]'::json))
         FROM {from}"
    ))
    .bind(code)
    .fetch_one(pool)
    .await?;
    Ok(Some(fc))
}

/// The live blocks of community `code`.
pub async fn blocks(pool: &PgPool, code: &str) -> Result<Option<Value>> {
    collection(
        pool,
        BLOCK_FEATURE,
        "block b WHERE b.community_code = $1 AND b.district_code = left($1, 6) AND NOT b.retired",
        code,
    )
    .await
}

/// The buildings of community `code`.
pub async fn buildings(pool: &PgPool, code: &str) -> Result<Option<Value>> {
    collection(pool, BUILDING_FEATURE, "building b WHERE b.community_code = $1 AND b.district_code = left($1, 6)", code)
        .await
}

/// The boundary lines shared by neighbouring live blocks of community `code` (`a`, `b`).
pub async fn edges(pool: &PgPool, code: &str) -> Result<Option<Value>> {
    collection(
        pool,
        "json_build_object('type', 'Feature', 'id', b.id, 'geometry', ST_AsGeoJSON(b.line, 7)::json,
            'properties', json_build_object('id', b.id, 'a', b.a, 'b', b.b))",
        "(SELECT row_number() OVER (ORDER BY j.a, j.b) AS id, j.a, j.b,
                 ST_LineMerge(ST_CollectionExtract(ST_Intersection(ST_Boundary(x.geom), ST_Buffer(y.geom, 1e-7)), 2)) AS line
          FROM block_adjacency j JOIN block x ON x.id = j.a AND x.district_code = j.district_code JOIN block y ON y.id = j.b AND y.district_code = j.district_code
          WHERE x.community_code = $1 AND x.district_code = left($1, 6) AND y.community_code = $1 AND y.district_code = left($1, 6) AND NOT x.retired AND NOT y.retired) b
         WHERE NOT ST_IsEmpty(b.line)",
        code,
    )
    .await
}

/// One block as a Feature.
pub async fn block(pool: &PgPool, id: i64) -> Result<Option<Value>> {
    one(pool, BLOCK_FEATURE, "block", id).await
}

/// One building as a Feature.
pub async fn building(pool: &PgPool, id: i64) -> Result<Option<Value>> {
    one(pool, BUILDING_FEATURE, "building", id).await
}

async fn one(pool: &PgPool, feature: &str, table: &str, id: i64) -> Result<Option<Value>> {
    Ok(sqlx::query_scalar(&format!("SELECT {feature} FROM {table} b WHERE b.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?)
}
