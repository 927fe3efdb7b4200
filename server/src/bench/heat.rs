//! `wangge bench-heat`: the density bins of a street-sized view over many incidents — ours (the in-memory incident
//! store) against PostGIS's best (`ST_HexagonGrid` joined to the points, with GIST and time indexes, two plans, the
//! faster taken) and against the memory floor (bytes our scan reads ÷ the memory bandwidth measured in the same
//! run). Two sets: incidents generated (clustered around 300 hot places over a 40 × 40 km area around Nanjing, a
//! year of report times, 40 categories), and San Francisco's real 178k (`sf-crime`, three years); each the same
//! rows in memory and in a table of the benchmark's own database. Both sides must count the same incidents, or the
//! run fails.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use chrono::{DateTime, TimeZone, Utc};
use h3o::Resolution;
use serde::Serialize;
use sqlx::{Executor, PgPool};
use wangge_domain::case::CaseState;

use crate::incidents::columns::Columns;
use crate::incidents::density::{self, Query};
use crate::incidents::select::Selection;
use crate::store::cases::Seer;
use crate::store::incidents::IncidentRow;

/// Latency of repeated runs.
#[derive(Debug, Serialize)]
pub struct Timing {
    /// Median, ms.
    pub p50_ms: f64,
    /// 99th percentile, ms.
    pub p99_ms: f64,
}

fn timing(mut t: Vec<Duration>) -> Timing {
    t.sort();
    let at = |q: f64| t[((t.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1000.0;
    Timing { p50_ms: at(0.5), p99_ms: at(0.99) }
}

/// What one run measured on one set.
#[derive(Debug, Serialize)]
pub struct HeatReport {
    /// Which set.
    pub set: String,
    /// Incidents in store and table.
    pub incidents: usize,
    /// Incidents in the 92-day window.
    pub in_window: usize,
    /// Incidents counted (window, view, categories).
    pub counted: u64,
    /// Bins with incidents (ours, H3 resolution 9).
    pub bins: usize,
    /// Ours.
    pub ours: Timing,
    /// PostGIS, the better of its two plans per run.
    pub postgis: Timing,
    /// Which PostGIS plan won most runs.
    pub postgis_plan: &'static str,
    /// Bytes our scan reads.
    pub bytes_scanned: u64,
    /// Memory bandwidth measured, GB/s (every core).
    pub bandwidth_gb_s: f64,
    /// bytes ÷ bandwidth, ms.
    pub floor_ms: f64,
    /// Building the store (rows to columns, H3 cells), s.
    pub load_s: f64,
}

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.unit().max(1e-12), self.unit());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// Incidents to run the view on: (reported at, lon, lat, index in `categories`) in time order.
pub struct Set {
    name: String,
    rows: Vec<(DateTime<Utc>, f64, f64, usize)>,
    /// (minor code, major code) per index.
    categories: Vec<(String, String)>,
    /// The view's centre and its three categories.
    centre: (f64, f64),
    view_categories: Vec<usize>,
}

const CENTRE: (f64, f64) = (118.80, 31.95);
const CATEGORIES: usize = 40;

/// `n` generated incidents over the year before `now`.
pub fn generate(n: usize, now: DateTime<Utc>) -> Set {
    let mut rng = Rng(20261130);
    let hot: Vec<(f64, f64)> =
        (0..300).map(|_| (CENTRE.0 + (rng.unit() - 0.5) * 0.42, CENTRE.1 + (rng.unit() - 0.5) * 0.36)).collect();
    let year = 365 * 86_400;
    let rows = (0..n)
        .map(|i| {
            let at = now - chrono::Duration::seconds(year - (i as i64 * year / n as i64));
            let (lon, lat) = if rng.unit() < 0.7 {
                let h = hot[(rng.next() % hot.len() as u64) as usize];
                (h.0 + rng.normal() * 0.005, h.1 + rng.normal() * 0.0045)
            } else {
                (CENTRE.0 + (rng.unit() - 0.5) * 0.42, CENTRE.1 + (rng.unit() - 0.5) * 0.36)
            };
            (at, lon, lat, (rng.next() % CATEGORIES as u64) as usize)
        })
        .collect();
    Set {
        name: format!("{n} generated incidents"),
        rows,
        categories: (0..CATEGORIES)
            .map(|k| (format!("E{:02}{:03}", 1 + k % 8, 1 + k), format!("E{:02}", 1 + k % 8)))
            .collect(),
        centre: CENTRE,
        view_categories: vec![3, 11, 27],
    }
}

/// San Francisco's incidents 2013–2015; the view at the Civic Center, three property crimes.
fn san_francisco(data: &Path) -> Result<Set> {
    let file = data.join("sf-crime/sf_crime_2013_2015.csv");
    let input = std::fs::File::open(&file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let (mut read, _) = wangge_gis_data::incidents::read_incidents(input, &wangge_gis_data::incidents::SF_CRIME)?;
    read.sort_by_key(|i| i.reported);
    let mut categories: Vec<(String, String)> = Vec::new();
    let mut rows = Vec::with_capacity(read.len());
    let offset = chrono::Duration::hours(i64::from(wangge_gis_data::incidents::SF_CRIME.utc_offset_hours));
    for i in read {
        let k = match categories.iter().position(|(c, _)| *c == i.category) {
            Some(k) => k,
            None => {
                categories.push((i.category.clone(), "SF".to_owned()));
                categories.len() - 1
            }
        };
        rows.push((Utc.from_utc_datetime(&(i.reported - offset)), i.lon, i.lat, k));
    }
    let view_categories = ["VANDALISM", "VEHICLE THEFT", "BURGLARY"]
        .iter()
        .filter_map(|name| categories.iter().position(|(c, _)| c == name))
        .collect();
    Ok(Set {
        name: format!("{} San Francisco incidents (2013–2015)", rows.len()),
        rows,
        categories,
        centre: (-122.4194, 37.7793),
        view_categories,
    })
}

/// Memory bandwidth of every core streaming its share of a 1 GiB array (as the scan runs), GB/s (best of three).
fn bandwidth() -> f64 {
    let data = vec![1u64; 1 << 27];
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (0..3)
        .map(|_| {
            let t = Instant::now();
            let s: u64 = std::thread::scope(|s| {
                let parts: Vec<_> = data
                    .chunks(data.len().div_ceil(cores))
                    .map(|part| s.spawn(move || part.iter().copied().fold(0u64, u64::wrapping_add)))
                    .collect();
                parts.into_iter().map(|h| h.join().unwrap_or_default()).fold(0u64, u64::wrapping_add)
            });
            std::hint::black_box(s);
            (data.len() * 8) as f64 / t.elapsed().as_secs_f64() / 1e9
        })
        .fold(0.0, f64::max)
}

/// The store's columns of the set's rows (as the store reads them from the cases table) and its view: 5 × 5 km at
/// its centre, its last 92 days, its three categories.
pub fn view(set: &Set) -> (Columns, Query) {
    let Set { rows, categories, centre, view_categories, .. } = set;
    let now = rows.last().map_or_else(Utc::now, |r| r.0 + chrono::Duration::seconds(1));
    let mut columns = Columns::default();
    for (chunk_no, chunk) in rows.chunks(200_000).enumerate() {
        let batch: Vec<IncidentRow> = chunk
            .iter()
            .enumerate()
            .map(|(i, (at, lon, lat, k))| {
                let (code, major) = categories[*k].clone();
                IncidentRow {
                    id: (chunk_no * 200_000 + i) as i64 + 1,
                    reported_at: *at,
                    lon: *lon,
                    lat: *lat,
                    category_code: code,
                    major_code: major,
                    district_code: "990101".into(),
                    state: "closed".into(),
                    channel: "patrol".into(),
                    updated_at: now,
                    ..IncidentRow::default()
                }
            })
            .collect();
        columns.upsert(batch);
    }

    let half = (2.5 / (111.32 * centre.1.to_radians().cos()), 2.5 / 110.57);
    let bbox = [centre.0 - half.0, centre.1 - half.1, centre.0 + half.0, centre.1 + half.1];
    let cats: Vec<String> = view_categories.iter().map(|k| categories[*k].0.clone()).collect();
    let (from, to) = (now - chrono::Duration::days(92), now);
    let query = Query {
        selection: Selection {
            seer: Seer::Areas(vec!["990101".into()]),
            categories: cats,
            states: vec![CaseState::Closed],
        },
        from: from.timestamp_micros(),
        to: to.timestamp_micros(),
        bbox: Some(bbox),
    };
    (columns, query)
}

/// Run the benchmark on `n` generated incidents and on San Francisco's (from `data`), against the PostgreSQL of
/// `pool` (a database of its own).
pub async fn bench_heat(pool: &PgPool, n: usize, runs: usize, data: &Path) -> Result<Vec<HeatReport>> {
    let now = Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).single().expect("a valid instant");
    let bandwidth_gb_s = bandwidth();
    let generated = run_set(pool, generate(n, now), runs, bandwidth_gb_s).await?;
    let real = run_set(pool, san_francisco(data)?, runs, bandwidth_gb_s).await?;
    Ok(vec![generated, real])
}

/// The view of `set` (5 × 5 km at its centre, its last 92 days, its three categories), ours and PostGIS's.
async fn run_set(pool: &PgPool, set: Set, runs: usize, bandwidth_gb_s: f64) -> Result<HeatReport> {
    let started = Instant::now();
    let (columns, query) = view(&set);
    let Set { name, rows, categories, centre, .. } = set;
    let load_s = started.elapsed().as_secs_f64();
    let cats = query.selection.categories.clone();
    let (from, to) = (
        DateTime::from_timestamp_micros(query.from).unwrap_or_default(),
        DateTime::from_timestamp_micros(query.to).unwrap_or_default(),
    );
    let bbox = query.bbox.unwrap_or_default();
    let window = columns.window(Some(query.from), Some(query.to)).len();
    let mut ours = Vec::with_capacity(runs);
    let mut counted = 0;
    let mut bins = 0;
    for _ in 0..runs + 3 {
        let t = Instant::now();
        let (b, total) = density::bins(&columns, &query, Resolution::Nine);
        ours.push(t.elapsed());
        (counted, bins) = (total, b.len());
    }
    ours.drain(..3);
    // Per incident in the window the scan reads its point (8 bytes); of those in the view, its category (4); of
    // those also of the three categories, its category again, state and district (9) and its cell (8).
    let any_category = Selection { categories: Vec::new(), ..query.selection.clone() };
    let in_view =
        any_category.candidates(&columns, columns.window(Some(query.from), Some(query.to)), query.bbox).count();
    let bytes_scanned = window as u64 * 8 + in_view as u64 * 4 + counted * 17;
    drop(columns);
    let floor_ms = bytes_scanned as f64 / (bandwidth_gb_s * 1e9) * 1000.0;

    // PostGIS: the same rows, in Web Mercator, indexed.
    pool.execute("DROP TABLE IF EXISTS heat_incident").await?;
    pool.execute(
        "CREATE TABLE heat_incident (at timestamptz NOT NULL, category text NOT NULL, state text NOT NULL,
             geom geometry(Point, 3857) NOT NULL)",
    )
    .await?;
    for chunk in rows.chunks(100_000) {
        sqlx::query(
            "INSERT INTO heat_incident (at, category, state, geom)
             SELECT at, c, 'closed', ST_Transform(ST_SetSRID(ST_MakePoint(x, y), 4326), 3857)
             FROM unnest($1::timestamptz[], $2::text[], $3::float8[], $4::float8[]) AS r (at, c, x, y)",
        )
        .bind(chunk.iter().map(|r| r.0).collect::<Vec<_>>())
        .bind(chunk.iter().map(|r| categories[r.3].0.clone()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|r| r.1 as f32 as f64).collect::<Vec<_>>())
        .bind(chunk.iter().map(|r| r.2 as f32 as f64).collect::<Vec<_>>())
        .execute(pool)
        .await?;
    }
    pool.execute("CREATE INDEX ON heat_incident (at)").await?;
    pool.execute("CREATE INDEX ON heat_incident USING gist (geom)").await?;
    pool.execute("ANALYZE heat_incident").await?;
    // Hexagons of the area of an H3 resolution-9 cell (0.105 km²): side 201 m, in Mercator metres at this latitude.
    let side = 201.0 / centre.1.to_radians().cos();
    let plans = [
        (
            "hexagons joined to the points (GIST)",
            "SELECT h.i, h.j, count(*) FROM ST_HexagonGrid($1, ST_Transform(ST_MakeEnvelope($2, $3, $4, $5, 4326), 3857)) h
             JOIN heat_incident p ON ST_Intersects(h.geom, p.geom)
             WHERE p.at >= $6 AND p.at < $7 AND p.category = ANY($8) AND p.state = 'closed'
               AND p.geom && ST_Transform(ST_MakeEnvelope($2, $3, $4, $5, 4326), 3857)
             GROUP BY h.i, h.j",
        ),
        (
            "points of the window first, then the hexagons",
            "WITH p AS MATERIALIZED (
                SELECT geom FROM heat_incident
                WHERE at >= $6 AND at < $7 AND category = ANY($8) AND state = 'closed'
                  AND geom && ST_Transform(ST_MakeEnvelope($2, $3, $4, $5, 4326), 3857))
             SELECT h.i, h.j, count(*) FROM ST_HexagonGrid($1, ST_Transform(ST_MakeEnvelope($2, $3, $4, $5, 4326), 3857)) h
             JOIN p ON ST_Intersects(h.geom, p.geom) GROUP BY h.i, h.j",
        ),
    ];
    let mut postgis = Vec::with_capacity(runs);
    let mut wins = [0usize; 2];
    for run in 0..runs + 1 {
        let mut best: Option<(Duration, usize)> = None;
        for (k, (_, sql)) in plans.iter().enumerate() {
            let t = Instant::now();
            let rows: Vec<(i32, i32, i64)> = sqlx::query_as(sql)
                .bind(side)
                .bind(bbox[0])
                .bind(bbox[1])
                .bind(bbox[2])
                .bind(bbox[3])
                .bind(from)
                .bind(to)
                .bind(&cats)
                .fetch_all(pool)
                .await?;
            let elapsed = t.elapsed();
            let total: i64 = rows.iter().map(|r| r.2).sum();
            // A point exactly on a hexagon's edge is counted by both hexagons; nothing else may differ.
            if (total as u64).abs_diff(counted) > (counted / 1_000).max(5) {
                bail!("PostGIS counted {total} incidents in the view, we counted {counted}");
            }
            if best.is_none_or(|b| elapsed < b.0) {
                best = Some((elapsed, k));
            }
        }
        if run > 0 {
            let (elapsed, k) = best.expect("two plans ran");
            postgis.push(elapsed);
            wins[k] += 1;
        }
    }
    pool.execute("DROP TABLE heat_incident").await?;
    Ok(HeatReport {
        set: name,
        incidents: rows.len(),
        in_window: window,
        counted,
        bins,
        ours: timing(ours),
        postgis: timing(postgis),
        postgis_plan: if wins[0] >= wins[1] { plans[0].0 } else { plans[1].0 },
        bytes_scanned,
        bandwidth_gb_s,
        floor_ms,
        load_s,
    })
}

/// The reports as Markdown tables, a set each.
pub fn markdown(reports: &[HeatReport]) -> String {
    reports.iter().map(set_markdown).collect::<Vec<_>>().join("\n")
}

fn set_markdown(r: &HeatReport) -> String {
    let mut out = format!(
        "{}: {} in the 92-day window, {} in the 5 × 5 km view and three categories, {} bins (H3 resolution 9); \
         store built in {:.1} s\n\n",
        r.set, r.in_window, r.counted, r.bins, r.load_s
    );
    out += "| bins of the view | p50 ms | p99 ms |\n|---|---:|---:|\n";
    out += &format!("| Wangge, in-memory incident store | {:.2} | {:.2} |\n", r.ours.p50_ms, r.ours.p99_ms);
    out += &format!(
        "| PostGIS `ST_HexagonGrid`, best plan ({}) | {:.1} | {:.1} |\n",
        r.postgis_plan, r.postgis.p50_ms, r.postgis.p99_ms
    );
    out += &format!(
        "| memory floor ({:.1} MB read at {:.1} GB/s) | {:.2} | |\n",
        r.bytes_scanned as f64 / 1e6,
        r.bandwidth_gb_s,
        r.floor_ms
    );
    out += &format!(
        "\nWangge is {:.0}× faster than PostGIS at p99 and {:.1}× the memory floor at p50.\n",
        r.postgis.p99_ms / r.ours.p99_ms,
        r.ours.p50_ms / r.floor_ms
    );
    out
}
