//! `wangge bench-split`: dividing one big compound into building cells, as Suggest does before it partitions. In a
//! database of its own: a small generated district, then one of its blocks filled with a generated compound of
//! many small buildings (labelled generated), divided into building cells and timed, for several sizes.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use sqlx::{Executor, PgPool};
use wangge_gis_data::demo::DemoSize;

use super::cases::with_db;
use crate::import;
use crate::store::blocks::{split_block, Cut};

const DATABASE: &str = "wangge_splitbench";

/// One size measured.
#[derive(Debug)]
pub struct SplitRun {
    /// Buildings in the compound.
    pub buildings: usize,
    /// Cells made.
    pub cells: usize,
    /// Dividing it (one transaction, committed).
    pub took: Duration,
}

/// Divide a generated compound of each of `sizes` buildings into cells, each in a fresh copy of the district.
pub async fn bench_split(admin: &PgPool, url: &str, sizes: &[usize]) -> Result<Vec<SplitRun>> {
    let mut runs = Vec::with_capacity(sizes.len());
    for &n in sizes {
        admin.execute(format!("DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)").as_str()).await?;
        admin.execute(format!("CREATE DATABASE {DATABASE}").as_str()).await?;
        let pool = &crate::db::connect_and_migrate(&with_db(url, DATABASE)?).await?;
        import::demo::load_demo(pool, DemoSize { streets: 1, communities_per_street: 1, blocks_per_side: 6, seed: 7 })
            .await?
            .context("a fresh demo")?;
        let block: i64 = sqlx::query_scalar("SELECT id FROM block WHERE NOT retired ORDER BY area_m2 DESC LIMIT 1")
            .fetch_one(pool)
            .await?;
        let buildings = fill(pool, block, n).await?;
        pool.execute("ANALYZE").await?;
        let t = Instant::now();
        let mut tx = pool.begin().await?;
        let split = split_block(&mut tx, block, &Cut::BuildingCells).await?;
        tx.commit().await?;
        runs.push(SplitRun { buildings, cells: split.cells.len(), took: t.elapsed() });
    }
    admin.execute(format!("DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)").as_str()).await?;
    Ok(runs)
}

/// Replace the buildings of `block` with about `n` generated ones (8 m squares on a jittered lattice over its box,
/// those whose centre lies inside it); how many were made.
async fn fill(pool: &PgPool, block: i64, n: usize) -> Result<usize> {
    sqlx::query("DELETE FROM building WHERE block_id = $1").bind(block).execute(pool).await?;
    let made = sqlx::query(
        "WITH b AS (SELECT geom, community_code, district_code, ST_XMin(geom) x0, ST_YMin(geom) y0, ST_XMax(geom) x1, ST_YMax(geom) y1,
                           ST_Area(geom) / ST_Area(ST_Envelope(geom)) AS share FROM block WHERE id = $1),
              side AS (SELECT ceil(sqrt($2 / share))::int AS k FROM b),
              p AS (SELECT ST_SetSRID(ST_MakePoint(
                        x0 + (x1 - x0) * (i + 0.5 + 0.3 * (random() - 0.5)) / k,
                        y0 + (y1 - y0) * (j + 0.5 + 0.3 * (random() - 0.5)) / k), 4326) AS c, i * k + j AS n
                    FROM b, side, generate_series(0, k - 1) i, generate_series(0, k - 1) j)
         INSERT INTO building (source, source_id, kind, building_use, name, footprint, area_m2, households,
                               households_source, residents, community_code, district_code, block_id)
         SELECT 'generated', 900000000 + p.n, 'apartments', 'residential', 'generated compound building',
                ST_Multi(ST_Expand(p.c, 0.00004)), 64, 12, 'imported', 30, b.community_code, b.district_code, $1
         FROM p, b WHERE ST_Contains(b.geom, p.c)",
    )
    .bind(block)
    .bind(n as f64)
    .execute(pool)
    .await?
    .rows_affected();
    sqlx::query(
        "UPDATE block SET households = (SELECT sum(households) FROM building WHERE block_id = $1) WHERE id = $1",
    )
    .bind(block)
    .execute(pool)
    .await?;
    Ok(made as usize)
}

/// The runs as a Markdown table.
pub fn markdown(runs: &[SplitRun]) -> String {
    let mut out = String::from("| buildings in the compound | cells | dividing it |\n|---:|---:|---:|\n");
    for r in runs {
        out.push_str(&format!("| {} | {} | {:.0} ms |\n", r.buildings, r.cells, r.took.as_secs_f64() * 1000.0));
    }
    out
}
