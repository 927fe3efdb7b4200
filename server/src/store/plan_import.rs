//! Importing a plan from an existing layer of grid polygons: each block goes to the grid covering most of it.

use super::Result;
use serde::Serialize;
use sqlx::PgPool;

/// How much of a block falls inside grid polygons, and which one covers most of it.
#[derive(Debug, Clone, Serialize)]
pub struct BlockCover {
    /// The block.
    pub block: i64,
    /// Index of the polygon covering most of it (`None`: none touches it).
    pub best: Option<usize>,
    /// Share of the block's area inside that polygon.
    pub best_share: f64,
    /// Share of the block's area inside any polygon.
    pub covered_share: f64,
}

/// A block counts as between grids when less than this share of it is covered.
pub const BETWEEN_BELOW: f64 = 0.5;
/// A block counts as cut across grids when its best grid covers less than this share.
pub const ACROSS_BELOW: f64 = 0.9;

/// Cover every live block of `community` by the polygons (GeoJSON geometry texts, WGS84, already validated).
pub async fn cover_blocks(pool: &PgPool, community: &str, polygons: &[String]) -> Result<Vec<BlockCover>> {
    let rows: Vec<(i64, Option<i64>, f64, f64)> = sqlx::query_as(
        "WITH g AS (SELECT i - 1 AS ix, ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(t), 4326)) AS geom
                    FROM unnest($2::text[]) WITH ORDINALITY AS x(t, i)),
              b AS (SELECT id, geom, ST_Area(geom::geography) AS area FROM block WHERE community_code = $1 AND district_code = left($1, 6) AND NOT retired),
              s AS (SELECT b.id, g.ix, ST_Area(ST_Intersection(b.geom, g.geom)::geography) / nullif(b.area, 0) AS share
                    FROM b JOIN g ON ST_Intersects(b.geom, g.geom))
         SELECT b.id,
                (SELECT ix FROM s WHERE s.id = b.id ORDER BY share DESC NULLS LAST, ix LIMIT 1),
                coalesce((SELECT max(share) FROM s WHERE s.id = b.id), 0)::float8,
                least(coalesce((SELECT sum(share) FROM s WHERE s.id = b.id), 0), 1)::float8
         FROM b ORDER BY b.id",
    )
    .bind(community)
    .bind(polygons)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(block, best, best_share, covered_share)| BlockCover {
            block,
            best: best.map(|i| i as usize),
            best_share,
            covered_share,
        })
        .collect())
}
