//! `wangge bench-cache`: the locate cache after a publish, read again whole (as every area write did before) and
//! patched (only the areas meeting the published community's box read again), over a generated city-sized set of
//! grids, in the same run; the patched snapshot is checked against the whole one.

use std::time::Instant;

use anyhow::{ensure, Context, Result};
use sqlx::{Executor, PgPool};
use wangge_gis_data::demo::DemoSize;

use super::cases::{latency, with_db, Latency};
use super::locate::synthetic_grids;
use wangge_domain::locate::PolygonIndex;

use crate::cache::{LocateCache, Snapshot};
use crate::import;
use crate::store::geojson_text;
use crate::store::hierarchy::community_bbox;

/// What one run measured.
#[derive(Debug)]
pub struct CacheReport {
    /// Grids in the cache (all versions).
    pub grids: usize,
    /// The parts their index is split into.
    pub parts: usize,
    /// Areas read again by a patch.
    pub patched_areas: usize,
    /// Reading everything again and building the indexes.
    pub whole: Latency,
    /// Reading the community's box again and rebuilding the indexes.
    pub patch: Latency,
    /// Points located in the grids layer (a time the generated plan was in force), one thread.
    pub points: usize,
    /// Mean time per point, the bucketed layer, ns.
    pub bucketed_ns: f64,
    /// Mean time per point, one index over the same generated grids, ns.
    pub one_index_ns: f64,
}

const DATABASE: &str = "wangge_cachebench";

/// Run in a database of its own on the server of `url`: a small generated district, then `per_side`² generated grids
/// of an old plan version over a 40 × 40 km box around it; `runs` timed refreshes each way.
pub async fn bench_cache(admin: &PgPool, url: &str, per_side: usize, runs: usize) -> Result<CacheReport> {
    admin.execute(format!("DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)").as_str()).await?;
    admin.execute(format!("CREATE DATABASE {DATABASE}").as_str()).await?;
    let pool = &crate::db::connect_and_migrate(&with_db(url, DATABASE)?).await?;
    import::demo::load_demo(pool, DemoSize { streets: 2, communities_per_street: 2, blocks_per_side: 6, seed: 7 })
        .await?
        .context("a fresh demo")?;
    let community: String = sqlx::query_scalar("SELECT min(code) FROM community").fetch_one(pool).await?;
    let bbox = community_bbox(pool, &community).await?.context("the community's box")?;
    let (cx, cy) = ((bbox[0] + bbox[2]) / 2.0, (bbox[1] + bbox[3]) / 2.0);
    let (dx, dy) = (0.21, 0.18);
    let city = synthetic_grids([cx - dx, cy - dy], [cx + dx, cy + dy], per_side);
    let plan: i64 = sqlx::query_scalar(
        "INSERT INTO plan (community_code, district_code, version, status, note, published_at, valid_from, valid_to)
         VALUES ($1, left($1, 6), 1000, 'published', 'generated: a city of grids for bench-cache', now(), '2020-01-01', '2021-01-01')
         RETURNING id",
    )
    .bind(&community)
    .fetch_one(pool)
    .await?;
    insert_grids(pool, plan, &city).await?;
    pool.execute("ANALYZE").await?;

    let cache = LocateCache::load(pool).await?;
    let (grids, parts) = (cache.snapshot().grids.len(), cache.snapshot().grids.parts());
    let mut whole = Vec::with_capacity(runs);
    let mut patch = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        cache.refresh(pool, None).await?;
        whole.push(t.elapsed());
        let t = Instant::now();
        cache.refresh(pool, Some(bbox)).await?;
        patch.push(t.elapsed());
    }
    let patched = cache.snapshot();
    let fresh = Snapshot::load(pool, None).await?;
    ensure!(
        patched.grids.len() == fresh.grids.len(),
        "the patched cache holds {} grids, not {}",
        patched.grids.len(),
        fresh.grids.len()
    );
    let patched_areas = Snapshot::load(pool, Some(bbox)).await?.grids.len();

    // Locate in the bucketed layer against one index over the same grids: what the buckets cost a reader.
    let mut seed = 7u64;
    let mut unit = || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let points: Vec<(f64, f64)> =
        (0..200_000).map(|_| (cx - dx + 2.0 * dx * unit(), cy - dy + 2.0 * dy * unit())).collect();
    let at = "2020-06-01T00:00:00Z".parse()?;
    let t = Instant::now();
    let found = points.iter().filter(|&&(x, y)| patched.grids.first(x, y, at).is_some()).count();
    let bucketed = t.elapsed();
    let one = PolygonIndex::new(city);
    let t = Instant::now();
    let found_one = points.iter().filter(|&&(x, y)| one.first(x, y, |_| true).is_some()).count();
    let one_index = t.elapsed();
    ensure!(found == found_one, "the bucketed layer found {found} points in grids, one index {found_one}");
    let per = |d: std::time::Duration| d.as_secs_f64() * 1e9 / points.len() as f64;
    Ok(CacheReport {
        grids,
        parts,
        patched_areas,
        whole: latency(whole),
        patch: latency(patch),
        points: points.len(),
        bucketed_ns: per(bucketed),
        one_index_ns: per(one_index),
    })
}

/// Store `shapes` as natural grids of `plan` (keys `city-N`, named as generated).
pub(crate) async fn insert_grids(pool: &PgPool, plan: i64, shapes: &[geo::MultiPolygon<f64>]) -> Result<()> {
    let shapes: Vec<String> = shapes.iter().map(geojson_text).collect();
    sqlx::query(
        "INSERT INTO grid (plan_id, district_code, key, kind, name, geom)
         SELECT $1, (SELECT district_code FROM plan WHERE id = $1), 'city-' || n, 'natural', '生成网格 ' || n, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(g), 4326))
         FROM unnest($2::text[]) WITH ORDINALITY AS s (g, n)",
    )
    .bind(plan)
    .bind(&shapes)
    .execute(pool)
    .await?;
    Ok(())
}

/// The report as a Markdown table.
pub fn markdown(r: &CacheReport) -> String {
    let ms = |d: f64| format!("{d:.1}");
    format!(
        "| locate cache after a publish, {} grids (index in {} parts) | p50 ms | p99 ms |\n|---|---:|---:|\n\
         | read whole again (every area write before) | {} | {} |\n\
         | patched: the community's box read again ({} grids), its parts' indexes rebuilt | {} | {} |\n\n\
         | locating {} points in the grids layer, one thread | ns per point |\n|---|---:|\n\
         | bucketed layer (as served) | {:.0} |\n\
         | one index over the same generated grids | {:.0} |\n",
        r.grids,
        r.parts,
        ms(r.whole.p50_ms),
        ms(r.whole.p99_ms),
        r.patched_areas,
        ms(r.patch.p50_ms),
        ms(r.patch.p99_ms),
        r.points,
        r.bucketed_ns,
        r.one_index_ns,
    )
}
