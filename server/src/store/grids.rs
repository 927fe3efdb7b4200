//! One grid: its public card and its statistics.

use super::Result;
use sqlx::types::Json;
use sqlx::PgPool;
use wangge_api::grids::{GridCard, GridStats};

/// The public card of a grid of a published plan: name, code, kind, community, street, bounding box.
pub async fn card(pool: &PgPool, id: i64) -> Result<Option<GridCard>> {
    let row: Option<Json<GridCard>> = sqlx::query_scalar(
        "SELECT jsonb_build_object(
             'id', g.id, 'code', g.code, 'kind', g.kind, 'name', coalesce(g.name, g.code),
             'community_code', c.code, 'community_name', c.name, 'street_name', s.name,
             'bbox', jsonb_build_array(ST_XMin(g.geom), ST_YMin(g.geom), ST_XMax(g.geom), ST_YMax(g.geom)))
         FROM grid g JOIN plan p ON p.id = g.plan_id JOIN community c ON c.code = p.community_code
              JOIN street s ON s.code = c.street_code
         WHERE g.id = $1 AND p.status = 'published'",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|j| j.0))
}

/// A grid's statistics: households, residents, buildings, elements by kind, registered residents, its plan.
pub async fn stats(pool: &PgPool, id: i64) -> Result<Option<GridStats>> {
    let row: Option<Json<GridStats>> = sqlx::query_scalar(
        "SELECT json_build_object(
             'id', g.id, 'households', g.households, 'residents', g.residents,
             'plan_id', p.id, 'plan_version', p.version, 'plan_status', p.status,
             'buildings', (SELECT count(*) FROM building b JOIN grid_block gb ON gb.block_id = b.block_id WHERE gb.grid_id = g.id),
             'elements', (SELECT coalesce(json_object_agg(kind, n), '{}'::json) FROM
                            (SELECT kind, count(*) AS n FROM element WHERE grid_id = g.id GROUP BY kind) e),
             'registered_residents', (SELECT count(*) FROM resident WHERE grid_id = g.id))
         FROM grid g JOIN plan p ON p.id = g.plan_id WHERE g.id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|j| j.0))
}
