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
        AreaLevel::Grid | AreaLevel::Dedicated => {
            "SELECT g.code, g.name, g.households::bigint, g.residents::bigint
             FROM grid g JOIN plan p ON p.id = g.plan_id AND p.district_code = g.district_code
             WHERE g.code = ANY($1) AND p.status = 'published' AND p.valid_from <= now()
               AND (p.valid_to IS NULL OR p.valid_to > now())"
        }
        AreaLevel::Community => {
            // A census population, when the community has one, before the residents registered in its buildings.
            "SELECT c.code, c.name, coalesce(sum(b.households), 0)::bigint,
                    coalesce(c.population, sum(b.residents), 0)::bigint
             FROM community c LEFT JOIN building b ON b.community_code = c.code AND b.district_code = c.district_code
             WHERE c.code = ANY($1) GROUP BY c.code, c.name, c.population"
        }
        // Special grids overlay others: no households of their own to divide by.
        AreaLevel::Special => "SELECT id::text, name, 0::bigint, 0::bigint FROM special_grid WHERE id::text = ANY($1)",
        AreaLevel::Street => {
            "SELECT s.code, s.name, coalesce(sum(b.households), 0)::bigint, coalesce(sum(b.residents), 0)::bigint
             FROM street s LEFT JOIN community c ON c.street_code = s.code
                  LEFT JOIN building b ON b.community_code = c.code AND b.district_code = c.district_code
             WHERE s.code = ANY($1) GROUP BY s.code, s.name"
        }
    };
    Ok(sqlx::query_as(sql).bind(codes).fetch_all(pool).await?)
}

/// The districts that publish their incident density.
pub async fn publishing_districts(pool: &PgPool) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT code FROM district WHERE public_density ORDER BY code").fetch_all(pool).await?)
}

/// Whether district `code` publishes its incident density.
pub async fn publishes(pool: &PgPool, code: &str) -> Result<bool> {
    Ok(sqlx::query_scalar("SELECT coalesce((SELECT public_density FROM district WHERE code = $1), false)")
        .bind(code)
        .fetch_one(pool)
        .await?)
}

/// Publish district `code`'s incident density, or stop.
pub async fn set_publishes(conn: &mut sqlx::PgConnection, code: &str, on: bool) -> Result<bool> {
    Ok(sqlx::query("UPDATE district SET public_density = $2 WHERE code = $1")
        .bind(code)
        .bind(on)
        .execute(conn)
        .await?
        .rows_affected()
        == 1)
}

/// The codes of the categories public pages may show.
pub async fn public_categories(pool: &PgPool) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT code FROM category WHERE NOT sensitive ORDER BY code").fetch_all(pool).await?)
}
