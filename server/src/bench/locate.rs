//! `wangge bench-locate`: locate the 177,956 San Francisco incidents into the census tracts and into a synthetic
//! set of grids, with our index and with PostGIS (`ST_Contains` with GIST indexes, two join orders, best taken) in
//! the same run, and check both give the same answer for every point.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use geo::{Coord, LineString, MultiPolygon, Polygon};
use sqlx::PgPool;
use wangge_domain::locate::PolygonIndex;
use wangge_gis_data::shapes::read_polygons;

use crate::store::geojson_text;

/// One measured polygon set.
#[derive(Debug)]
pub struct LocateRun {
    /// What the polygons are.
    pub label: String,
    /// Polygons.
    pub polygons: usize,
    /// Points.
    pub points: usize,
    /// Points inside some polygon (ours).
    pub located: usize,
    /// Index build time.
    pub build: Duration,
    /// Ours, one thread.
    pub ours_1: Duration,
    /// Ours, all cores.
    pub ours_n: Duration,
    /// PostGIS, best of the two join orders.
    pub postgis: Duration,
    /// Which join order won.
    pub postgis_plan: &'static str,
    /// Points where the answers differ.
    pub disagreements: usize,
}

fn read_points(csv_path: &Path) -> Result<Vec<[f64; 2]>> {
    let mut rdr = csv::Reader::from_path(csv_path).with_context(|| format!("opening {}", csv_path.display()))?;
    let headers = rdr.headers()?.clone();
    let col = |n: &str| headers.iter().position(|h| h == n).with_context(|| format!("no column {n}"));
    let (x, y) = (col("X")?, col("Y")?);
    let mut out = Vec::new();
    for r in rdr.records() {
        let r = r?;
        out.push([r[x].parse()?, r[y].parse()?]);
    }
    Ok(out)
}

/// A tiling of jittered quadrilaterals over the box, `n × n` cells.
pub fn synthetic_grids(min: [f64; 2], max: [f64; 2], n: usize) -> Vec<MultiPolygon<f64>> {
    let mut seed = 42u64;
    let mut jitter = || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((seed >> 11) as f64 / (1u64 << 53) as f64) - 0.5
    };
    let (dx, dy) = ((max[0] - min[0]) / n as f64, (max[1] - min[1]) / n as f64);
    let mut nodes = vec![vec![Coord { x: 0.0, y: 0.0 }; n + 1]; n + 1];
    for (r, row) in nodes.iter_mut().enumerate() {
        for (c, node) in row.iter_mut().enumerate() {
            let inner = r > 0 && c > 0 && r < n && c < n;
            let (jx, jy) = if inner { (jitter() * 0.4 * dx, jitter() * 0.4 * dy) } else { (0.0, 0.0) };
            *node = Coord { x: min[0] + c as f64 * dx + jx, y: min[1] + r as f64 * dy + jy };
        }
    }
    let mut out = Vec::with_capacity(n * n);
    for r in 0..n {
        for c in 0..n {
            let ring = vec![nodes[r][c], nodes[r][c + 1], nodes[r + 1][c + 1], nodes[r + 1][c], nodes[r][c]];
            out.push(MultiPolygon(vec![Polygon::new(LineString(ring), vec![])]));
        }
    }
    out
}

fn locate_all(index: &PolygonIndex, points: &[[f64; 2]], threads: usize) -> Vec<i64> {
    let mut out = vec![-1i64; points.len()];
    let chunk = points.len().div_ceil(threads.max(1)).max(1);
    std::thread::scope(|s| {
        for (pts, res) in points.chunks(chunk).zip(out.chunks_mut(chunk)) {
            s.spawn(move || {
                for (p, r) in pts.iter().zip(res.iter_mut()) {
                    *r = index.first(p[0], p[1], |_| true).map_or(-1, i64::from);
                }
            });
        }
    });
    out
}

fn best<T>(repeats: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..repeats {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed());
        last = Some(v);
    }
    (best, last.expect("at least one repeat"))
}

async fn load_into_postgis(pool: &PgPool, points: &[[f64; 2]], polygons: &[MultiPolygon<f64>]) -> Result<()> {
    sqlx::query("DROP TABLE IF EXISTS bench_points, bench_polys").execute(pool).await?;
    sqlx::query("CREATE TABLE bench_points (id int PRIMARY KEY, geom geometry(Point, 4326))").execute(pool).await?;
    sqlx::query("CREATE TABLE bench_polys (id int PRIMARY KEY, geom geometry(MultiPolygon, 4326))")
        .execute(pool)
        .await?;
    for (i, chunk) in points.chunks(50_000).enumerate() {
        let ids: Vec<i32> = (0..chunk.len()).map(|j| (i * 50_000 + j) as i32).collect();
        let xs: Vec<f64> = chunk.iter().map(|p| p[0]).collect();
        let ys: Vec<f64> = chunk.iter().map(|p| p[1]).collect();
        sqlx::query(
            "INSERT INTO bench_points SELECT id, ST_SetSRID(ST_MakePoint(x, y), 4326)
             FROM unnest($1::int4[], $2::float8[], $3::float8[]) AS t(id, x, y)",
        )
        .bind(ids)
        .bind(xs)
        .bind(ys)
        .execute(pool)
        .await?;
    }
    for (i, chunk) in polygons.chunks(1_000).enumerate() {
        let ids: Vec<i32> = (0..chunk.len()).map(|j| (i * 1_000 + j) as i32).collect();
        let geoms: Vec<String> = chunk.iter().map(geojson_text).collect();
        sqlx::query(
            "INSERT INTO bench_polys SELECT id, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(g), 4326))
             FROM unnest($1::int4[], $2::text[]) AS t(id, g)",
        )
        .bind(ids)
        .bind(geoms)
        .execute(pool)
        .await?;
    }
    sqlx::query("CREATE INDEX ON bench_points USING gist (geom)").execute(pool).await?;
    sqlx::query("CREATE INDEX ON bench_polys USING gist (geom)").execute(pool).await?;
    sqlx::query("ANALYZE bench_points").execute(pool).await?;
    sqlx::query("ANALYZE bench_polys").execute(pool).await?;
    Ok(())
}

async fn postgis_answers(pool: &PgPool, sql: &str, n: usize) -> Result<(Duration, Vec<i64>)> {
    let mut best = Duration::MAX;
    let mut answers = vec![-1i64; n];
    for _ in 0..3 {
        let t = Instant::now();
        let rows: Vec<(i32, i32)> = sqlx::query_as(sql).fetch_all(pool).await?;
        best = best.min(t.elapsed());
        answers.iter_mut().for_each(|a| *a = -1);
        for (p, a) in rows {
            answers[p as usize] = i64::from(a);
        }
    }
    Ok((best, answers))
}

async fn run_set(
    pool: &PgPool,
    label: &str,
    points: &[[f64; 2]],
    polygons: Vec<MultiPolygon<f64>>,
) -> Result<LocateRun> {
    load_into_postgis(pool, points, &polygons).await?;
    let n_polys = polygons.len();
    let (build, index) = best(3, || PolygonIndex::new(polygons.clone()));
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (ours_1, ours) = best(5, || locate_all(&index, points, 1));
    let (ours_n, ours_par) = best(5, || locate_all(&index, points, threads));
    anyhow::ensure!(ours == ours_par, "parallel and serial answers differ");
    sqlx::query("SET max_parallel_workers_per_gather = 0").execute(pool).await?;
    let (t_polys_first, a1) = postgis_answers(
        pool,
        "SELECT p.id, a.id FROM bench_polys a CROSS JOIN LATERAL
           (SELECT id FROM bench_points p WHERE ST_Contains(a.geom, p.geom)) p",
        points.len(),
    )
    .await?;
    let (t_points_first, a2) = postgis_answers(
        pool,
        "SELECT p.id, a.id FROM bench_points p JOIN LATERAL
           (SELECT id FROM bench_polys a WHERE ST_Contains(a.geom, p.geom) LIMIT 1) a ON true",
        points.len(),
    )
    .await?;
    let (postgis, postgis_plan, answers) = if t_polys_first <= t_points_first {
        (t_polys_first, "polygons first", a1)
    } else {
        (t_points_first, "points first", a2)
    };
    let disagreements = ours.iter().zip(&answers).filter(|(a, b)| a != b).count();
    Ok(LocateRun {
        label: label.to_owned(),
        polygons: n_polys,
        points: points.len(),
        located: ours.iter().filter(|&&a| a >= 0).count(),
        build,
        ours_1,
        ours_n,
        postgis,
        postgis_plan,
        disagreements,
    })
}

/// Run the benchmark on the shared data folder; `grids_per_side`² synthetic grids.
pub async fn bench_locate(pool: &PgPool, data: &Path, grids_per_side: usize) -> Result<Vec<LocateRun>> {
    let points = read_points(&data.join("sf-crime/sf_crime_2013_2015.csv"))?;
    let tracts: Vec<MultiPolygon<f64>> = read_polygons(&data.join("sf-census/sf_census_tracts_basic.shp"), "GEOID10")?
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    let mut runs = vec![run_set(pool, "SF census tracts", &points, tracts).await?];
    let (mut min, mut max) = ([f64::MAX; 2], [f64::MIN; 2]);
    for p in points.iter().filter(|p| p[1] < 60.0) {
        for k in 0..2 {
            min[k] = min[k].min(p[k]);
            max[k] = max[k].max(p[k]);
        }
    }
    // a small margin so no incident lies exactly on the tiling's outer edge
    let margin = [(max[0] - min[0]) * 0.001, (max[1] - min[1]) * 0.001];
    let grids = synthetic_grids(
        [min[0] - margin[0], min[1] - margin[1]],
        [max[0] + margin[0], max[1] + margin[1]],
        grids_per_side,
    );
    runs.push(run_set(pool, "synthetic grids (jittered tiling)", &points, grids).await?);
    sqlx::query("DROP TABLE IF EXISTS bench_points, bench_polys").execute(pool).await?;
    Ok(runs)
}

/// The runs as a Markdown table.
pub fn markdown(runs: &[LocateRun]) -> String {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut s = format!(
        "| polygons | points | located | index build | ours, 1 thread | ours, {threads} threads | PostGIS (best plan) | speed-up (1 thread / {threads}) | answers differ |\n|---|---|---|---|---|---|---|---|---|\n"
    );
    for r in runs {
        let pps = |d: Duration| r.points as f64 / d.as_secs_f64();
        s += &format!(
            "| {} ({}) | {} | {} | {:.1} ms | {:.1} ms ({:.1} M pts/s) | {:.1} ms ({:.1} M pts/s) | {:.0} ms ({:.2} M pts/s, {}) | {:.0}× / {:.0}× | {} |\n",
            r.label,
            r.polygons,
            r.points,
            r.located,
            r.build.as_secs_f64() * 1e3,
            r.ours_1.as_secs_f64() * 1e3,
            pps(r.ours_1) / 1e6,
            r.ours_n.as_secs_f64() * 1e3,
            pps(r.ours_n) / 1e6,
            r.postgis.as_secs_f64() * 1e3,
            pps(r.postgis) / 1e6,
            r.postgis_plan,
            r.postgis.as_secs_f64() / r.ours_1.as_secs_f64(),
            r.postgis.as_secs_f64() / r.ours_n.as_secs_f64(),
            r.disagreements,
        );
    }
    s
}
