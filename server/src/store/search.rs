//! Search by text: grids (code, name), communities, buildings (name, address), elements.

use super::{typed, Result};
use sqlx::PgPool;
use wangge_api::grids::SearchHit;

/// Escape LIKE wildcards so the text is matched literally.
fn like_literal(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// The first 20 hits for `text` (grids first, shortest labels first), each with a point to fly to.
pub async fn search(pool: &PgPool, text: &str) -> Result<Vec<SearchHit>> {
    Ok(typed(sqlx::query_scalar(
        "SELECT json_build_object('kind', kind, 'label', label, 'detail', detail, 'lon', ST_X(p), 'lat', ST_Y(p)) FROM (
           SELECT 0 AS rank, 'grid' AS kind, coalesce(g.name, g.code) AS label, g.code AS detail, ST_PointOnSurface(g.geom) AS p
           FROM grid g JOIN plan pl ON pl.id = g.plan_id AND pl.district_code = g.district_code
           WHERE pl.status = 'published' AND pl.valid_from <= now() AND (pl.valid_to IS NULL OR pl.valid_to > now())
             AND (g.code LIKE $1 || '%' OR g.name ILIKE '%' || $1 || '%')
           UNION ALL
           SELECT 1, 'community', name, code, ST_PointOnSurface(geom) FROM community
           WHERE geom IS NOT NULL AND (code LIKE $1 || '%' OR name ILIKE '%' || $1 || '%')
           UNION ALL
           SELECT 2, 'building', coalesce(name, address, kind), address, ST_PointOnSurface(footprint) FROM building
           WHERE name ILIKE '%' || $1 || '%' OR address ILIKE '%' || $1 || '%'
           UNION ALL
           SELECT 3, kind, name, coalesce(address, category), geom FROM element WHERE name ILIKE '%' || $1 || '%'
         ) s ORDER BY rank, length(label), label LIMIT 20",
    )
    .bind(like_literal(text))
    .fetch_all(pool)
    .await?))
}
