//! `wangge bench-city`: one city on one machine. A generated city (labelled generated) at the scale of a Chinese city
//! of 10 M people — 30,625 grids, 1,000,000 buildings, 10,000,000 cases over a year — in a database of its own
//! (`wangge_citybench`, kept between runs; `--fresh` generates it again), beside a small generated district whose
//! community is published again and again. Measured: the server's start-up on that database, the resident memory
//! its caches take, and through HTTP the latency of locate, tiles, density and the case desk, first with no write
//! running, then with publishes running back to back; last, each cache brought up to date after a write read whole
//! against patched, in the same run.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde::Serialize;
use serde_json::{json, Value};
use sqlx::{Executor, PgPool};
use wangge_domain::access::Role;
use wangge_gis_data::demo::DemoSize;
use wangge_tiles::TileId;

use super::cases::{bench_account, latency, sign_in, with_db, Latency};
use super::locate::synthetic_grids;
use crate::auth::vault::DataKey;
use crate::auth::Security;
use crate::import;
use crate::startup;
use crate::state::AppState;

const DATABASE: &str = "wangge_citybench";
/// The generated city's street and community (one community holding the whole city's grids).
const STREET: &str = "990101900";
const COMMUNITY: &str = "990101900001";
/// Grids per side of the city (175² = 30,625), buildings per side (1,000² = 1,000,000).
const GRIDS_PER_SIDE: usize = 175;
const BUILDINGS_PER_SIDE: i64 = 1_000;
/// The city's size in degrees (~40 × 40 km at Nanjing's latitude).
const SIZE: (f64, f64) = (0.42, 0.36);

/// What one run measured.
#[derive(Debug, Serialize)]
pub struct CityReport {
    /// Grids, buildings and cases stored.
    pub grids: i64,
    /// See `grids`.
    pub buildings: i64,
    /// See `grids`.
    pub cases: i64,
    /// Seconds spent generating the city (`None`: reused from an earlier run).
    pub generated_s: Option<f64>,
    /// Seconds from an empty process state to a server ready to answer (locate cache, tiles, incident store).
    pub startup_s: f64,
    /// Resident memory of the process before and after loading the caches, MiB.
    pub rss_mib: (f64, f64),
    /// Latency per request kind with no write running.
    pub quiet: Vec<(String, Latency)>,
    /// The same with publishes running back to back.
    pub publishing: Vec<(String, Latency)>,
    /// Publishes completed while measuring, and their latency.
    pub publishes: Latency,
    /// Each cache brought up to date after a write, read whole and patched, in the same run.
    pub refreshes: Vec<Refresh>,
}

/// One cache brought up to date after a write, both ways.
#[derive(Debug, Serialize)]
pub struct Refresh {
    /// The cache and the write.
    pub label: String,
    /// Read whole again.
    pub whole: Latency,
    /// Only what the write touched read again and patched in.
    pub patched: Latency,
}

/// Resident memory of this process, MiB.
fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

/// Run on the PostgreSQL server of `url`; `fresh`: generate the city even if an earlier run left it.
pub async fn bench_city(admin: &PgPool, url: &str, data: &std::path::Path, fresh: bool) -> Result<CityReport> {
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(DATABASE)
        .fetch_one(admin)
        .await?;
    let mut generated_s = None;
    if fresh || !exists {
        admin.execute(format!("DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)").as_str()).await?;
        admin.execute(format!("CREATE DATABASE {DATABASE}").as_str()).await?;
        let pool = crate::db::connect_and_migrate(&with_db(url, DATABASE)?).await?;
        let t = Instant::now();
        generate(&pool, data).await?;
        generated_s = Some(t.elapsed().as_secs_f64());
        pool.close().await;
    }
    let pool = crate::db::connect_and_migrate(&with_db(url, DATABASE)?).await?;
    let (grids, buildings, cases): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM grid), (SELECT count(*) FROM building), (SELECT count(*) FROM cases)",
    )
    .fetch_one(&pool)
    .await?;
    if cases == 0 {
        bail!("{DATABASE} holds no cases (an interrupted run?): run again with --fresh");
    }

    // Start-up: everything the server reads into memory before it answers.
    let rss_before = rss_mib();
    let anchor = std::env::temp_dir().join("wangge-bench-city-head.json");
    std::fs::remove_file(&anchor).ok();
    let t = Instant::now();
    let state = AppState::new(pool.clone(), Security::new(DataKey::ephemeral(), false, usize::MAX, anchor)).await?;
    let startup_s = t.elapsed().as_secs_f64();
    let rss_after = rss_mib();
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(startup::run(listener, state.clone(), None)?);
    let desk = sign_in(&base, "city-desk").await?;
    let planner = sign_in(&base, "city-planner").await?;
    let city: [f64; 4] = {
        let b: (f64, f64, f64, f64) = sqlx::query_as(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Envelope(geom) e FROM community
             WHERE code = $1) c",
        )
        .bind(COMMUNITY)
        .fetch_one(&pool)
        .await?;
        [b.0, b.1, b.2, b.3]
    };
    let demo: String =
        sqlx::query_scalar("SELECT min(code) FROM community WHERE code <> $1").bind(COMMUNITY).fetch_one(&pool).await?;

    let quiet = measure(&base, &desk, city, 0).await?;
    // Publishes of the small community, back to back, while the same requests are measured again.
    let running = Arc::new(AtomicBool::new(true));
    let done = Arc::new(AtomicUsize::new(0));
    let publisher = {
        let (base, planner, demo, running, done) =
            (base.clone(), planner.clone(), demo.clone(), running.clone(), done.clone());
        tokio::spawn(async move {
            let mut samples = Vec::new();
            while running.load(Ordering::SeqCst) {
                let t = Instant::now();
                publish(&base, &planner, &demo).await?;
                samples.push(t.elapsed());
                done.fetch_add(1, Ordering::SeqCst);
            }
            Ok::<_, anyhow::Error>(samples)
        })
    };
    while done.load(Ordering::SeqCst) == 0 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let publishing = measure(&base, &desk, city, 1).await?;
    running.store(false, Ordering::SeqCst);
    let publishes = latency(publisher.await??);
    let refreshes = refreshes(&state, &demo).await?;
    pool.close().await;
    Ok(CityReport {
        grids,
        buildings,
        cases,
        generated_s,
        startup_s,
        rss_mib: (rss_before, rss_after),
        quiet,
        publishing,
        publishes,
        refreshes,
    })
}

/// Bring each cache up to date after a write, read whole again and patched, alternately: the locate cache and the
/// governance tiles after a publish of `community` (its box read again), the incident store after a case written
/// (that case read again; whole, every case of the city).
async fn refreshes(state: &AppState, community: &str) -> Result<Vec<Refresh>> {
    let pool = &state.pool;
    let bbox = crate::store::hierarchy::community_bbox(pool, community).await?.context("the community's box")?;
    let case: i64 = sqlx::query_scalar("SELECT max(id) FROM cases").fetch_one(pool).await?;
    let mut out = Vec::new();
    let (whole, patched) =
        alternately(|whole| async move { state.cache.refresh(pool, (!whole).then_some(bbox)).await }).await?;
    out.push(Refresh { label: "locate cache, after a publish".into(), whole, patched });
    let (whole, patched) =
        alternately(|whole| async move { state.tiles.reload_governance(pool, (!whole).then_some(bbox)).await }).await?;
    out.push(Refresh { label: "governance tiles (staff and public), after a publish".into(), whole, patched });
    // Reading 10 M cases takes most of a minute: two whole reads, each followed by ten patches.
    let (mut whole, mut patched) = (Vec::new(), Vec::new());
    for _ in 0..2 {
        let t = Instant::now();
        state.incidents.reload(pool).await?;
        whole.push(t.elapsed());
        for _ in 0..10 {
            let t = Instant::now();
            state.incidents.refresh_cases(pool, &[case]).await?;
            patched.push(t.elapsed());
        }
    }
    out.push(Refresh {
        label: "incident store, after a case written".into(),
        whole: latency(whole),
        patched: latency(patched),
    });
    Ok(out)
}

/// Time `refresh(true)` (read whole) and `refresh(false)` (patched) alternately, five times each.
async fn alternately<F, Fut>(mut refresh: F) -> Result<(Latency, Latency)>
where
    F: FnMut(bool) -> Fut,
    Fut: std::future::Future<Output = Result<()>>,
{
    let (mut whole, mut patched) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        for (read_whole, samples) in [(true, &mut whole), (false, &mut patched)] {
            let t = Instant::now();
            refresh(read_whole).await?;
            samples.push(t.elapsed());
        }
    }
    Ok((latency(whole), latency(patched)))
}

/// Publish a copy of the plan in force of `community` through the API, as a planner would.
async fn publish(base: &str, planner: &(reqwest::Client, reqwest::header::HeaderMap), community: &str) -> Result<()> {
    let (client, headers) = planner;
    let current: Value = client
        .get(format!("{base}/api/communities/{community}/grids"))
        .headers(headers.clone())
        .send()
        .await?
        .json()
        .await?;
    let grids: Vec<Value> = current["grids"]["features"]
        .as_array()
        .context("the plan in force's grids")?
        .iter()
        .map(|f| json!({ "key": f["properties"]["key"], "kind": f["properties"]["kind"], "blocks": f["properties"]["blocks"] }))
        .collect();
    let body = json!({ "grids": grids, "based_on": current["plan"]["id"] });
    let r = client
        .post(format!("{base}/api/communities/{community}/plans"))
        .headers(headers.clone())
        .json(&body)
        .send()
        .await?;
    if r.status().as_u16() != 201 {
        bail!("draft: {} {}", r.status(), r.text().await.unwrap_or_default());
    }
    let draft: Value = r.json().await?;
    let id = draft["plan"]["id"].as_i64().context("the draft's id")?;
    let r =
        client.post(format!("{base}/api/plans/{id}/publish")).headers(headers.clone()).json(&json!({})).send().await?;
    if !r.status().is_success() {
        bail!("publish: {} {}", r.status(), r.text().await.unwrap_or_default());
    }
    Ok(())
}

/// Time each kind of request, one after another; `seed` varies the points and tiles between the two passes.
async fn measure(
    base: &str,
    desk: &(reqwest::Client, reqwest::header::HeaderMap),
    city: [f64; 4],
    seed: u64,
) -> Result<Vec<(String, Latency)>> {
    let (client, headers) = desk;
    let mut rng = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut unit = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut point = || (city[0] + unit() * (city[2] - city[0]), city[1] + unit() * (city[3] - city[1]));
    let mut out = Vec::new();
    let mut timed = |label: &str, samples: Vec<Duration>| out.push((label.to_owned(), latency(samples)));

    let mut samples = Vec::new();
    for _ in 0..300 {
        let (lon, lat) = point();
        let t = Instant::now();
        let r = client
            .post(format!("{base}/api/locate"))
            .headers(headers.clone())
            .json(&json!({ "points": [[lon, lat]] }))
            .send()
            .await?;
        ensure_ok(&r, "locate")?;
        let _: Value = r.json().await?;
        samples.push(t.elapsed());
    }
    timed("locate one point (`POST /api/locate`)", samples);

    let batch: Vec<[f64; 2]> = (0..10_000).map(|_| point()).map(|(x, y)| [x, y]).collect();
    let mut samples = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        let r = client
            .post(format!("{base}/api/locate"))
            .headers(headers.clone())
            .json(&json!({ "points": batch }))
            .send()
            .await?;
        ensure_ok(&r, "locate batch")?;
        let _: Value = r.json().await?;
        samples.push(t.elapsed());
    }
    timed("locate 10,000 points in one request", samples);

    let tiles: Vec<TileId> = (0..150).map(|_| point()).map(|(x, y)| TileId::containing(x, y, 15)).collect();
    for pass in ["tile z15, staff (`/tiles/all`), first request", "the same tiles again (cached)"] {
        let mut samples = Vec::new();
        for tile in &tiles {
            let t = Instant::now();
            let r = client
                .get(format!("{base}/tiles/all/{}/{}/{}", tile.z, tile.x, tile.y))
                .headers(headers.clone())
                .send()
                .await?;
            ensure_ok(&r, "tile")?;
            let _ = r.bytes().await?;
            samples.push(t.elapsed());
        }
        timed(pass, samples);
    }

    let mut samples = Vec::new();
    for _ in 0..30 {
        let (lon, lat) = point();
        let (dx, dy) = (0.026, 0.0225);
        let bbox = format!("{},{},{},{}", lon - dx, lat - dy, lon + dx, lat + dy);
        let t = Instant::now();
        let r = client
            .get(format!("{base}/api/density/bins?bbox={bbox}&resolution=9"))
            .headers(headers.clone())
            .send()
            .await?;
        ensure_ok(&r, "density")?;
        let _: Value = r.json().await?;
        samples.push(t.elapsed());
    }
    timed("density: H3 bins of a 5 × 5 km view, 92 days", samples);

    for (label, query) in [("desk: newest 50 of the district", ""), ("desk: dispatched", "state=dispatched")] {
        let mut samples = Vec::new();
        for _ in 0..30 {
            let t = Instant::now();
            let r = client.get(format!("{base}/api/cases?{query}")).headers(headers.clone()).send().await?;
            ensure_ok(&r, "desk")?;
            let _: Value = r.json().await?;
            samples.push(t.elapsed());
        }
        timed(label, samples);
    }
    Ok(out)
}

fn ensure_ok(r: &reqwest::Response, what: &str) -> Result<()> {
    if !r.status().is_success() {
        bail!("{what}: {}", r.status());
    }
    Ok(())
}

/// Generate the city into `pool`: a small demo district with the catalogue and two accounts, then the city's street
/// and community beside it, its 30,625 grids as one published plan, 1,000,000 buildings and 10,000,000 cases.
async fn generate(pool: &PgPool, data: &std::path::Path) -> Result<()> {
    import::demo::load_demo(pool, DemoSize { streets: 2, communities_per_street: 2, blocks_per_side: 6, seed: 7 })
        .await?
        .context("a fresh demo")?;
    import::catalogue::import_catalogue(pool, data).await?;
    import::catalogue::seed_departments(pool, "990101").await?;
    for (username, role) in [("city-desk", Role::StreetOperator), ("city-planner", Role::Planner)] {
        bench_account(pool, username, role).await?;
    }
    // East of the demo district, the size of a city.
    let (east, mid): (f64, f64) = sqlx::query_as(
        "SELECT ST_XMax(e), (ST_YMin(e) + ST_YMax(e)) / 2 FROM (SELECT ST_Extent(geom)::geometry e FROM street) s",
    )
    .fetch_one(pool)
    .await?;
    let (min, max) = ([east + 0.01, mid - SIZE.1 / 2.0], [east + 0.01 + SIZE.0, mid + SIZE.1 / 2.0]);
    let envelope = format!("ST_Multi(ST_MakeEnvelope({}, {}, {}, {}, 4326))", min[0], min[1], max[0], max[1]);
    pool.execute(
        format!(
            "INSERT INTO street (code, district_code, name, geom) VALUES ('{STREET}', '990101', '生成城市街道（生成）', {envelope});
             INSERT INTO community (code, street_code, district_code, name, geom)
             VALUES ('{COMMUNITY}', '{STREET}', '990101', '生成城市（生成）', {envelope});"
        )
        .as_str(),
    )
    .await?;
    let plan: i64 = sqlx::query_scalar(
        "INSERT INTO plan (community_code, district_code, version, status, note, published_at, valid_from)
         VALUES ($1, left($1, 6), 1, 'published', 'generated: a city of grids for bench-city', now(), '2020-01-01') RETURNING id",
    )
    .bind(COMMUNITY)
    .fetch_one(pool)
    .await?;
    super::cache::insert_grids(pool, plan, &synthetic_grids(min, max, GRIDS_PER_SIDE)).await?;
    let (dx, dy) = ((max[0] - min[0]) / BUILDINGS_PER_SIDE as f64, (max[1] - min[1]) / BUILDINGS_PER_SIDE as f64);
    tracing::info!("bench-city: 1,000,000 buildings");
    sqlx::query(
        "INSERT INTO building (source, source_id, kind, building_use, floors, footprint, area_m2, households,
                               households_source, residents, community_code, district_code)
         SELECT 'generated', g, 'apartments', 'residential', 6,
                ST_Multi(ST_MakeEnvelope(x, y, x + $3 * 0.5, y + $4 * 0.5, 4326)), 450, 4, 'estimated', 10, $6,
                left($6, 6)
         FROM generate_series(0, $5 * $5 - 1) g,
              LATERAL (SELECT $1 + (g % $5) * $3 + $3 * 0.25 AS x, $2 + (g / $5) * $4 + $4 * 0.25 AS y) p",
    )
    .bind(min[0])
    .bind(min[1])
    .bind(dx)
    .bind(dy)
    .bind(BUILDINGS_PER_SIDE)
    .bind(COMMUNITY)
    .execute(pool)
    .await?;
    // A year of cases: 70 % around 300 hot places, the rest anywhere in the city; states as a working district's.
    const CASES: i64 = 10_000_000;
    const CHUNK: i64 = 1_000_000;
    let now = chrono::Utc::now();
    crate::db::months::prepare(pool, now - chrono::Duration::days(366), now).await?;
    for from in (0..CASES).step_by(CHUNK as usize) {
        tracing::info!(from, "bench-city: cases");
        sqlx::query(
            "WITH c AS (SELECT array_agg(code ORDER BY code) AS codes, count(*) AS n FROM category WHERE catalogue = 'event')
             INSERT INTO cases (number, district_code, street_code, community_code, category_code, channel, state, geom,
                 description, reporter, clock, reported_at, due_at, warn_at, generated)
             SELECT '990101-C-' || lpad(g::text, 9, '0'), '990101', $5, $6, c.codes[((g * 104729) % c.n)::int + 1],
                 (ARRAY['patrol','patrol','patrol','hotline','public','camera'])[1 + g % 6],
                 CASE WHEN age >= 30 THEN (CASE WHEN g % 100 < 95 THEN 'closed' ELSE 'rejected' END)
                      WHEN g % 100 < 40 THEN 'closed' WHEN g % 100 < 65 THEN 'dispatched' WHEN g % 100 < 75 THEN 'filed'
                      WHEN g % 100 < 85 THEN 'reported' WHEN g % 100 < 95 THEN 'handled' ELSE 'rejected' END,
                 ST_SetSRID(ST_MakePoint(lon, lat), 4326), '生成的城市案件 ' || g, 'bench',
                 '{\"started\": \"2026-01-01T00:00:00Z\", \"measure\": \"working\", \"budget\": 27000}'::jsonb,
                 now() - age * interval '1 day',
                 CASE WHEN age < 30 AND g % 100 BETWEEN 40 AND 94 THEN now() + ((g % 48) - 24) * interval '1 hour' END,
                 CASE WHEN age < 30 AND g % 100 BETWEEN 40 AND 94 THEN now() + ((g % 48) - 30) * interval '1 hour' END,
                 true
             FROM generate_series($7 + 1, $7 + $8) g, c,
                  LATERAL (SELECT (g * 7919) % 300 AS hot, (($9 - g)::float8 / $9) * 365 AS age) h,
                  LATERAL (SELECT CASE WHEN g % 10 < 7
                                       THEN $1 + $3 * ((hot * 0.6180339887) % 1.0) + (((g * 131) % 1000) - 500) * 0.000008
                                       ELSE $1 + $3 * (((g * 7919) % 1000003) / 1000003.0) END AS lon,
                                  CASE WHEN g % 10 < 7
                                       THEN $2 + $4 * ((hot * 0.7548776662) % 1.0) + (((g * 137) % 1000) - 500) * 0.000007
                                       ELSE $2 + $4 * (((g * 6151) % 999983) / 999983.0) END AS lat) p",
        )
        .bind(min[0])
        .bind(min[1])
        .bind(max[0] - min[0])
        .bind(max[1] - min[1])
        .bind(STREET)
        .bind(COMMUNITY)
        .bind(from)
        .bind(CHUNK)
        .bind(CASES)
        .execute(pool)
        .await?;
    }
    pool.execute("VACUUM (ANALYZE)").await?;
    pool.execute("CHECKPOINT").await?;
    Ok(())
}

/// The report as Markdown tables.
pub fn markdown(r: &CityReport) -> String {
    let mut s = format!(
        "| generated city | |\n|---|---:|\n| grids | {} |\n| buildings | {} |\n| cases | {} |\n| generating (s) | {} |\n\
         | start-up: locate cache, tiles, incident store (s) | {:.1} |\n| resident memory before → after start-up (MiB) | {:.0} → {:.0} |\n\n\
         | request | quiet p50 ms | quiet p99 ms | publishing p50 ms | publishing p99 ms |\n|---|---:|---:|---:|---:|\n",
        r.grids,
        r.buildings,
        r.cases,
        r.generated_s.map_or("reused".to_owned(), |s| format!("{s:.0}")),
        r.startup_s,
        r.rss_mib.0,
        r.rss_mib.1,
    );
    for ((label, q), (_, p)) in r.quiet.iter().zip(&r.publishing) {
        s.push_str(&format!("| {label} | {:.1} | {:.1} | {:.1} | {:.1} |\n", q.p50_ms, q.p99_ms, p.p50_ms, p.p99_ms));
    }
    s.push_str(&format!(
        "\nPublishes of the small community while measuring: {} (p50 {:.0} ms, p99 {:.0} ms).\n",
        r.publishes.n, r.publishes.p50_ms, r.publishes.p99_ms
    ));
    s.push_str(
        "\n| cache brought up to date after a write | read whole p50 ms | p99 ms | patched p50 ms | p99 ms |\n\
         |---|---:|---:|---:|---:|\n",
    );
    for f in &r.refreshes {
        s.push_str(&format!(
            "| {} | {:.1} | {:.1} | {:.1} | {:.1} |\n",
            f.label, f.whole.p50_ms, f.whole.p99_ms, f.patched.p50_ms, f.patched.p99_ms
        ));
    }
    s
}
