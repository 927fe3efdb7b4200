//! `wangge bench-open311`: Open311's request list over a million public requests (a 90-day window, pages of 100,
//! a bounding box) against the same page answered by PostGIS with its best plan (the public-reports index and the
//! point index), and public report intake under load through `POST /open311/v2/requests` at many concurrent
//! partner clients. Runs in a database of its own (`wangge_bench_open311`, recreated each run).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use chrono::Utc;
use serde::Serialize;
use sqlx::{Executor, PgPool};
use wangge_gis_data::demo::DemoSize;

use super::cases::{generate_bulk, latency, with_db, Bulk, Latency};
use crate::auth::vault::DataKey;
use crate::auth::Security;
use crate::import;
use crate::startup;
use crate::state::AppState;
use crate::store::clients;

const DATABASE: &str = "wangge_bench_open311";

/// What one run measured.
#[derive(Debug, Serialize)]
pub struct Open311Report {
    /// Public requests in the table.
    pub requests: i64,
    /// The bounding box of the view (west, south, east, north).
    pub bbox: [f64; 4],
    /// Requests of the window inside the box.
    pub in_view: i64,
    /// Ours, per variant.
    pub lists: Vec<(String, Latency)>,
    /// PostGIS answering the first page with the same filters.
    pub postgis: Latency,
    /// Concurrent partner clients posting.
    pub clients: usize,
    /// Requests posted.
    pub posted: usize,
    /// Posted per second.
    pub posted_per_s: f64,
    /// Their latency.
    pub post_latency: Latency,
}

/// Run the benchmark against the PostgreSQL server of `url` with `requests` generated public requests.
pub async fn bench_open311(
    admin: &PgPool,
    url: &str,
    data: &Path,
    requests: usize,
    clients: usize,
    posts: usize,
) -> Result<Open311Report> {
    admin.execute(format!("DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)").as_str()).await?;
    admin.execute(format!("CREATE DATABASE {DATABASE}").as_str()).await?;
    let pool = crate::db::connect_and_migrate(&with_db(url, DATABASE)?).await?;
    import::demo::load_demo(&pool, DemoSize { streets: 2, communities_per_street: 2, blocks_per_side: 6, seed: 7 })
        .await?
        .context("a fresh demo")?;
    import::catalogue::import_catalogue(&pool, data).await?;
    import::catalogue::seed_departments(&pool, "990101").await?;
    generate_bulk(&pool, requests, Bulk::Public).await?;
    let key = DataKey::ephemeral();
    let api_key = "bench-open311-partner-key";
    let digest = key.digest(api_key);
    clients::insert(&mut *pool.acquire().await?, "990101", "bench partner", &digest, "bench").await?;
    let anchor = std::env::temp_dir().join("wangge-bench-open311-head.json");
    std::fs::remove_file(&anchor).ok();
    let state = AppState::new(pool.clone(), Security::new(key, false, usize::MAX, anchor)).await?;
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(startup::run(listener, state.clone(), None)?);
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM cases WHERE channel = 'public'").fetch_one(&pool).await?;

    // A view of about 1 × 1 km around the district's middle.
    let (x, y): (f64, f64) =
        sqlx::query_as("SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(ST_Extent(geom)::geometry) c FROM cases) e")
            .fetch_one(&pool)
            .await?;
    let bbox = [x - 0.005, y - 0.0045, x + 0.005, y + 0.0045];
    let end = Utc::now();
    let start = end - chrono::Duration::days(90);
    let in_view: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM cases WHERE channel = 'public' AND reported_at >= $1 AND reported_at < $2
           AND geom && ST_MakeEnvelope($3, $4, $5, $6, 4326)",
    )
    .bind(start)
    .bind(end)
    .bind(bbox[0])
    .bind(bbox[1])
    .bind(bbox[2])
    .bind(bbox[3])
    .fetch_one(&pool)
    .await?;
    let window = format!(
        "start_date={}&end_date={}&bbox={},{},{},{}",
        start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        end.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        bbox[0],
        bbox[1],
        bbox[2],
        bbox[3]
    );
    let http = reqwest::Client::builder().pool_max_idle_per_host(64).build()?;
    let variants = [
        ("first page of 100, JSON".to_owned(), format!("requests.json?{window}&page_size=100")),
        ("tenth page of 100, JSON".to_owned(), format!("requests.json?{window}&page_size=100&page=10")),
        ("first page of 100, XML".to_owned(), format!("requests.xml?{window}&page_size=100")),
        (
            "first page, open only, one service".to_owned(),
            format!("requests.json?{window}&status=open&service_code=noise"),
        ),
        (
            "first page of 100 with the trail (extensions=true)".to_owned(),
            format!("requests.json?{window}&page_size=100&extensions=true"),
        ),
    ];
    let mut lists = Vec::new();
    for (label, query) in variants {
        let mut samples = Vec::new();
        for i in 0..60 {
            let t = Instant::now();
            let r = http.get(format!("{base}/open311/v2/{query}")).send().await?;
            if !r.status().is_success() {
                bail!("{label}: {} {}", r.status(), r.text().await.unwrap_or_default());
            }
            let _ = r.bytes().await?;
            if i >= 10 {
                samples.push(t.elapsed());
            }
        }
        lists.push((label, latency(samples)));
    }

    // The peer: PostGIS answers the same first page (the same rows and fields) with its best plan.
    let mut samples = Vec::new();
    for i in 0..60 {
        let t = Instant::now();
        let rows: Vec<serde_json::Value> = sqlx::query_scalar(
            "SELECT json_build_object('service_request_id', c.number, 'status', c.state, 'service_code', c.service_code,
                 'service_name', s.name, 'description', c.description, 'agency_responsible', d.name,
                 'requested_datetime', c.reported_at, 'updated_datetime', c.updated_at, 'expected_datetime', c.due_at,
                 'address', c.address, 'lat', ST_Y(c.geom), 'long', ST_X(c.geom))
             FROM cases c JOIN category k ON k.code = c.category_code
             LEFT JOIN department d ON d.id = c.department_id LEFT JOIN public_service s ON s.code = c.service_code
             WHERE c.channel = 'public' AND NOT k.sensitive AND c.reported_at >= $1 AND c.reported_at < $2
               AND c.geom && ST_MakeEnvelope($3, $4, $5, $6, 4326)
             ORDER BY c.reported_at DESC LIMIT 100",
        )
        .bind(start)
        .bind(end)
        .bind(bbox[0])
        .bind(bbox[1])
        .bind(bbox[2])
        .bind(bbox[3])
        .fetch_all(&pool)
        .await?;
        if rows.is_empty() {
            bail!("PostGIS found no requests in the view");
        }
        if i >= 10 {
            samples.push(t.elapsed());
        }
    }
    let postgis = latency(samples);

    // Intake under load: partner clients post requests at once.
    let points: Arc<Vec<(f64, f64)>> = Arc::new(
        sqlx::query_as(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(footprint) p FROM building ORDER BY id) b",
        )
        .fetch_all(&pool)
        .await?,
    );
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (http, base, points) = (http.clone(), base.clone(), points.clone());
        tasks.push(tokio::spawn(async move {
            let mut samples: Vec<Duration> = Vec::new();
            for i in (c..posts).step_by(clients) {
                let (lon, lat) = points[i % points.len()];
                let form = [
                    ("api_key", api_key.to_owned()),
                    ("service_code", "road_damage".to_owned()),
                    ("lat", lat.to_string()),
                    ("long", lon.to_string()),
                    ("description", "基准测试：路面破损".to_owned()),
                    ("request_id", format!("bench-{i}")),
                ];
                let t = Instant::now();
                let r = http.post(format!("{base}/open311/v2/requests.json")).form(&form).send().await?;
                if !r.status().is_success() {
                    bail!("post {i}: {} {}", r.status(), r.text().await.unwrap_or_default());
                }
                samples.push(t.elapsed());
            }
            Ok::<_, anyhow::Error>(samples)
        }));
    }
    let mut samples = Vec::new();
    for t in tasks {
        samples.extend(t.await??);
    }
    let wall = started.elapsed();
    pool.close().await;
    Ok(Open311Report {
        requests: total,
        bbox,
        in_view,
        lists,
        postgis,
        clients,
        posted: posts,
        posted_per_s: posts as f64 / wall.as_secs_f64(),
        post_latency: latency(samples),
    })
}

/// The report as a Markdown table.
pub fn markdown(r: &Open311Report) -> String {
    let mut out = format!(
        "| `GET /open311/v2/requests` over {} public requests, 90 days, a 1 × 1 km box ({} in view) | p50 ms | p99 ms |\n|---|---:|---:|\n",
        r.requests, r.in_view
    );
    for (label, l) in &r.lists {
        out += &format!("| Wangge, {label} | {:.1} | {:.1} |\n", l.p50_ms, l.p99_ms);
    }
    out += &format!(
        "| PostGIS, the same first page (SQL only, best plan; peer) | {:.1} | {:.1} |\n\n",
        r.postgis.p50_ms, r.postgis.p99_ms
    );
    out += &format!(
        "| `POST /open311/v2/requests`, {} partner clients, {} requests | per second | p50 ms | p99 ms |\n|---|---:|---:|---:|\n",
        r.clients, r.posted
    );
    out +=
        &format!("| Wangge | {:.0} | {:.1} | {:.1} |\n", r.posted_per_s, r.post_latency.p50_ms, r.post_latency.p99_ms);
    out
}
