//! What density rates are divided by: the households and residents of streets, communities and the grids of the
//! plans in force.

use sqlx::PgPool;
use wangge_api::density::AreaLevel;

use super::Result;

/// (code, name, households, residents) of the areas `codes` at `level`.
pub async fn sizes(
    pool: &PgPool,
    level: AreaLevel,
    codes: &[String],
) -> Result<Vec<(String, Option<String>, i64, i64)>> {
    let sql = match level {
        AreaLevel::Grid => {
            "SELECT g.code, g.name, g.households::bigint, g.residents::bigint
             FROM grid g JOIN plan p ON p.id = g.plan_id
             WHERE g.code = ANY($1) AND p.status = 'published' AND p.valid_from <= now()
               AND (p.valid_to IS NULL OR p.valid_to > now())"
        }
        AreaLevel::Community => {
            "SELECT c.code, c.name, coalesce(sum(b.households), 0)::bigint, coalesce(sum(b.residents), 0)::bigint
             FROM community c LEFT JOIN building b ON b.community_code = c.code
             WHERE c.code = ANY($1) GROUP BY c.code, c.name"
        }
        AreaLevel::Street => {
            "SELECT s.code, s.name, coalesce(sum(b.households), 0)::bigint, coalesce(sum(b.residents), 0)::bigint
             FROM street s LEFT JOIN community c ON c.street_code = s.code
                  LEFT JOIN building b ON b.community_code = c.code
             WHERE s.code = ANY($1) GROUP BY s.code, s.name"
        }
    };
    Ok(sqlx::query_as(sql).bind(codes).fetch_all(pool).await?)
}
