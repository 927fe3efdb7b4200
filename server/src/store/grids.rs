//! One grid: its public card and its statistics.

use super::Result;
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::PgPool;
use wangge_api::grids::{Ancestor, GridCard, GridHistory, GridStats, HistoryMonth, HistoryVersion};

/// The public card of a grid of a published plan: name, code, kind, community, street, bounding box.
pub async fn card(pool: &PgPool, id: i64) -> Result<Option<GridCard>> {
    let row: Option<Json<GridCard>> = sqlx::query_scalar(
        "SELECT jsonb_build_object(
             'id', g.id, 'code', g.code, 'kind', g.kind, 'name', coalesce(g.name, g.code),
             'community_code', c.code, 'community_name', c.name, 'street_name', s.name,
             'bbox', jsonb_build_array(ST_XMin(g.geom), ST_YMin(g.geom), ST_XMax(g.geom), ST_YMax(g.geom)))
         FROM grid g JOIN plan p ON p.id = g.plan_id AND p.district_code = g.district_code JOIN community c ON c.code = p.community_code AND c.district_code = p.district_code
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
             'buildings', (SELECT count(*) FROM building b JOIN grid_block gb ON gb.block_id = b.block_id AND gb.district_code = b.district_code WHERE gb.grid_id = g.id AND gb.district_code = g.district_code),
             'elements', (SELECT coalesce(json_object_agg(kind, n), '{}'::json) FROM
                            (SELECT kind, count(*) AS n FROM element WHERE grid_id = g.id GROUP BY kind) e),
             'registered_residents', (SELECT count(*) FROM resident WHERE grid_id = g.id))
         FROM grid g JOIN plan p ON p.id = g.plan_id AND p.district_code = g.district_code WHERE g.id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|j| j.0))
}

/// Grid `id`'s incidents month by month across redraws: its own while its version was in force, and those of the
/// grids it came from (through every earlier version) while theirs were, each weighted by the share of it that
/// passed on (`grid_lineage`). A grid reached along two paths (split, then merged) counts along both.
pub async fn history(pool: &PgPool, id: i64) -> Result<Option<GridHistory>> {
    let code: Option<String> =
        sqlx::query_scalar("SELECT code FROM grid WHERE id = $1").bind(id).fetch_optional(pool).await?.flatten();
    let Some(code) = code else { return Ok(None) };
    // A grid's ancestors are of its own district (lineage stays inside one): every step matches the district too.
    let lines = "WITH RECURSIVE line (grid_id, district_code, weight, depth) AS (
                     SELECT id, district_code, 1.0::float8, 0 FROM grid WHERE id = $1
                     UNION ALL
                     SELECT l.parent_id, l.district_code, line.weight * l.share, line.depth + 1
                     FROM line JOIN grid_lineage l ON l.grid_id = line.grid_id AND l.district_code = line.district_code),
                 ancestor AS (SELECT grid_id, district_code, sum(weight) AS weight, min(depth) AS depth FROM line
                              GROUP BY grid_id, district_code)";
    let ancestors: Vec<Ancestor> = sqlx::query_as::<_, (String, i32, f64)>(&format!(
        "{lines} SELECT g.code, p.version, a.weight FROM ancestor a JOIN grid g ON g.id = a.grid_id AND g.district_code = a.district_code
         JOIN plan p ON p.id = g.plan_id AND p.district_code = g.district_code WHERE g.code IS NOT NULL ORDER BY a.depth, p.version DESC, g.code"
    ))
    .bind(id)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|(code, plan_version, weight)| Ancestor { code, plan_version, weight })
    .collect();
    let months: Vec<HistoryMonth> = sqlx::query_as::<_, (String, i64, f64)>(&format!(
        "{lines} SELECT to_char(c.reported_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS month,
                count(*) FILTER (WHERE a.grid_id = $1), sum(a.weight)
         FROM ancestor a JOIN grid g ON g.id = a.grid_id AND g.district_code = a.district_code JOIN plan p ON p.id = g.plan_id AND p.district_code = g.district_code
         JOIN cases c ON c.grid_code = g.code AND c.district_code = g.district_code AND c.reported_at >= p.valid_from
                     AND (p.valid_to IS NULL OR c.reported_at < p.valid_to)
         WHERE p.status = 'published'
         GROUP BY month ORDER BY month"
    ))
    .bind(id)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|(month, own, incidents)| HistoryMonth { month, own, incidents: (incidents * 1000.0).round() / 1000.0 })
    .collect();
    let versions: Vec<HistoryVersion> =
        sqlx::query_as::<_, (i32, DateTime<Utc>, Option<DateTime<Utc>>, f64)>(&format!(
            "{lines} SELECT p.version, p.valid_from, p.valid_to, sum(a.weight * coalesce(g.households, 0))
         FROM ancestor a JOIN grid g ON g.id = a.grid_id AND g.district_code = a.district_code JOIN plan p ON p.id = g.plan_id AND p.district_code = g.district_code
         WHERE p.status = 'published' GROUP BY p.version, p.valid_from, p.valid_to ORDER BY p.version"
        ))
        .bind(id)
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|(plan_version, valid_from, valid_to, households)| HistoryVersion {
            plan_version,
            valid_from,
            valid_to,
            households: (households * 10.0).round() / 10.0,
        })
        .collect();
    Ok(Some(GridHistory { id, code, ancestors, months, versions }))
}
