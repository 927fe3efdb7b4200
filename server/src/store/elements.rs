//! Elements located to grids: places, facilities, organizations (table `element`) and residents (`resident`).

use anyhow::Result;
use chrono::{DateTime, Utc};
use sqlx::{Postgres, Transaction};

/// Tables whose rows carry a point, a community and a grid.
pub const LOCATED_TABLES: [&str; 2] = ["element", "resident"];

/// Recompute community and grid of every located row inside `community`, using the plan in force at `at`.
pub async fn relocate_community(tx: &mut Transaction<'_, Postgres>, community: &str, at: DateTime<Utc>) -> Result<u64> {
    let mut moved = 0;
    for table in LOCATED_TABLES {
        sqlx::query(&format!(
            "UPDATE {table} e SET community_code = c.code FROM community c
             WHERE c.code = $1 AND ST_Intersects(c.geom, e.geom) AND e.community_code IS DISTINCT FROM c.code"
        ))
        .bind(community)
        .execute(&mut **tx)
        .await?;
        moved += sqlx::query(&format!(
            "UPDATE {table} e SET grid_id = (
                 SELECT g.id FROM grid g JOIN plan p ON p.id = g.plan_id
                 WHERE p.community_code = $1 AND p.status = 'published'
                   AND p.valid_from <= $2 AND (p.valid_to IS NULL OR p.valid_to > $2)
                   AND ST_Intersects(g.geom, e.geom)
                 LIMIT 1)
             WHERE e.community_code = $1"
        ))
        .bind(community)
        .bind(at)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    }
    Ok(moved)
}
