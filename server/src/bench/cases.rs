//! `wangge bench-cases`: case intake through HTTP at many concurrent clients against raw `INSERT`s of the same rows
//! on the same (durable) server in the same run, and the case desk's filtered list over a large generated set of
//! cases. Runs in a database of its own (`wangge_bench_cases`, recreated each run) on the server in use.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde::Serialize;
use serde_json::{json, Value};
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Executor, PgPool};
use wangge_domain::access::{Assignment, Role, Scope};
use wangge_gis_data::demo::DemoSize;

use crate::auth::password::NewPassword;
use crate::auth::vault::DataKey;
use crate::auth::Security;
use crate::import;
use crate::startup;
use crate::state::AppState;
use crate::store::accounts::{self, NewAccount};

const DATABASE: &str = "wangge_bench_cases";
/// The benchmark accounts' password.
pub(crate) const PASSWORD: &str = "bench-cases-password-1";

/// Latency figures of a set of requests.
#[derive(Debug, Serialize)]
pub struct Latency {
    /// Requests.
    pub n: usize,
    /// Median, ms.
    pub p50_ms: f64,
    /// 99th percentile, ms.
    pub p99_ms: f64,
}

/// The median and 99th percentile of `samples`.
pub(crate) fn latency(mut samples: Vec<Duration>) -> Latency {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1000.0;
    Latency { n: samples.len(), p50_ms: at(0.5), p99_ms: at(0.99) }
}

/// What one run measured.
#[derive(Debug, Serialize)]
pub struct CasesReport {
    /// Concurrent clients.
    pub clients: usize,
    /// Reports sent through HTTP (each: a case, its trail entry and its audit entry in one transaction).
    pub reports: usize,
    /// Reports per second through HTTP.
    pub http_per_s: f64,
    /// Their latency.
    pub http_latency: Latency,
    /// The reports' case rows as raw single-statement `INSERT`s, per second.
    pub raw_insert_per_s: f64,
    /// HTTP throughput as a share of raw.
    pub share_of_raw: f64,
    /// Every row a report stores (case, trail entry, staged audit entry) as raw `INSERT`s in one transaction per
    /// report, reports per second.
    pub raw_rows_per_s: f64,
    /// HTTP throughput as a share of that.
    pub share_of_rows: f64,
    /// Cases in the desk's table.
    pub desk_cases: i64,
    /// The desk's list, per filter set.
    pub desk: Vec<(String, Latency)>,
}

/// A benchmark account of district 990101, district-wide, with the benchmarks' password.
pub(crate) async fn bench_account(pool: &PgPool, username: &str, role: Role) -> Result<()> {
    let assignment = Assignment::new(role, Scope::District("990101".parse()?))?;
    let new = NewAccount {
        username,
        display_name: username,
        assignment: &assignment,
        district: &"990101".parse()?,
        work_phone: None,
        password: &NewPassword::parse(PASSWORD)?,
    };
    accounts::create(pool, new).await?;
    Ok(())
}

/// `url` with database `db`.
pub(crate) fn with_db(url: &str, db: &str) -> Result<String> {
    Ok(PgConnectOptions::from_str(url)?.database(db).to_url_lossy().to_string())
}

/// Run the benchmark against the PostgreSQL server of `url`.
pub async fn bench_cases(
    admin: &PgPool,
    url: &str,
    data: &Path,
    clients: usize,
    reports: usize,
    desk_cases: usize,
) -> Result<CasesReport> {
    admin.execute(format!("DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)").as_str()).await?;
    admin.execute(format!("CREATE DATABASE {DATABASE}").as_str()).await?;
    let pool = crate::db::connect_and_migrate(&with_db(url, DATABASE)?).await?;
    import::demo::load_demo(&pool, DemoSize { streets: 2, communities_per_street: 2, blocks_per_side: 6, seed: 7 })
        .await?
        .context("a fresh demo")?;
    import::catalogue::import_catalogue(&pool, data).await?;
    import::catalogue::seed_departments(&pool, "990101").await?;
    for (username, role) in [("bench-worker", Role::GridWorker), ("bench-desk", Role::StreetOperator)] {
        bench_account(&pool, username, role).await?;
    }
    // A working district: a year of cases already stored (and analysed, as autovacuum would have) before the
    // reports arrive, for the intake and the raw inserts alike. Vacuumed and checkpointed first: autovacuum's first
    // pass over a million new rows writes the whole table again, and whichever half of the run it lands in is slowed.
    generate_bulk(&pool, desk_cases, Bulk::Mixed).await?;
    pool.execute("VACUUM (ANALYZE)").await?;
    pool.execute("CHECKPOINT").await?;
    // A fresh database and a fresh key: a fresh audit anchor too (the last run's was signed with another key).
    let anchor = std::env::temp_dir().join("wangge-bench-cases-head.json");
    std::fs::remove_file(&anchor).ok();
    let state = AppState::new(pool.clone(), Security::new(DataKey::ephemeral(), false, usize::MAX, anchor)).await?;
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(startup::run(listener, state.clone(), None)?);
    let points: Vec<(f64, f64)> = sqlx::query_as(
        "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(footprint) p FROM building ORDER BY id) b",
    )
    .fetch_all(&pool)
    .await?;

    // Intake through HTTP: `clients` phones, each sending its share one after another.
    let worker = sign_in(&base, "bench-worker").await?;
    let points = Arc::new(points);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (worker, base, points) = (worker.clone(), base.clone(), points.clone());
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            for i in (c..reports).step_by(clients) {
                let (lon, lat) = points[i % points.len()];
                let body = json!({ "request_id": format!("bench-{i}"), "category": "E06001", "channel": "patrol",
                                   "lon": lon, "lat": lat, "description": "基准测试上报" });
                let t = Instant::now();
                let r = worker.0.post(format!("{base}/api/cases")).headers(worker.1.clone()).json(&body).send().await?;
                if r.status().as_u16() != 201 {
                    bail!("report {i}: {} {}", r.status(), r.text().await.unwrap_or_default());
                }
                // The phone reads its answer (the case's number, possible duplicates), and its connection is reused.
                let answer: Value = r.json().await?;
                if answer["case"]["number"].as_str().is_none() {
                    bail!("report {i}: no case number in {answer}");
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
    // The last entries into the chain as well: the run counts until every report's audit entry is chained.
    crate::audit::chain_pending(&pool, &state.security.audit_head).await?;
    let http_wall = started.elapsed();

    // The peers: the reports' rows again as raw INSERTs, same server, same durability, same concurrency — the case
    // row alone, one statement each; then every row a report stores (case, trail entry, staged audit entry) in one
    // transaction each.
    // Statistics that know the reports are there: without them the read-back is planned as a loop over the audit
    // log per case (two minutes).
    pool.execute("ANALYZE cases, audit_log").await?;
    let rows = Arc::new(
        sqlx::query_as::<_, RawRow>(
            "SELECT c.district_code, c.street_code, c.community_code, c.grid_code, c.clock::text AS clock,
                    ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat, a.after::text AS audit
             FROM cases c JOIN audit_log a ON a.district_code = c.district_code AND (a.after -> 'case' ->> 'id')::int8 = c.id
             WHERE c.reporter = 'bench-worker' ORDER BY c.id",
        )
        .fetch_all(&pool)
        .await?,
    );
    let raw_wall = raw_inserts(&pool, &rows, clients, RawPeer::CaseRow).await?;
    let rows_wall = raw_inserts(&pool, &rows, clients, RawPeer::EveryRow).await?;
    sqlx::query("DELETE FROM case_trail WHERE actor = 'raw'").execute(&pool).await?;
    sqlx::query(
        "WITH gone AS (DELETE FROM cases WHERE reporter = 'raw' RETURNING id) DELETE FROM case_key WHERE id IN (SELECT id FROM gone)",
    )
    .execute(&pool)
    .await?;

    // The desk over the year's cases and the reports: its usual filters.
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM cases").fetch_one(&pool).await?;
    let desk = sign_in(&base, "bench-desk").await?;
    let community: String = sqlx::query_scalar("SELECT min(code) FROM community").fetch_one(&pool).await?;
    let filters = [
        ("newest 50, all states".to_owned(), String::new()),
        ("dispatched".to_owned(), "state=dispatched".to_owned()),
        ("overdue (red)".to_owned(), "light=red".to_owned()),
        ("one major class".to_owned(), "category=E09".to_owned()),
        ("one community, filed".to_owned(), format!("area={community}&state=filed")),
        ("text search".to_owned(), "q=0000123".to_owned()),
        ("waiting for me (the district center's inbox)".to_owned(), "mine=true".to_owned()),
    ];
    let mut desk_figures = Vec::new();
    for (label, query) in filters {
        let mut samples = Vec::new();
        for i in 0..60 {
            let t = Instant::now();
            let r = desk.0.get(format!("{base}/api/cases?{query}")).headers(desk.1.clone()).send().await?;
            if !r.status().is_success() {
                bail!("desk {label}: {}", r.status());
            }
            let _: Value = r.json().await?;
            if i >= 10 {
                samples.push(t.elapsed());
            }
        }
        desk_figures.push((label, latency(samples)));
    }
    pool.close().await;
    let http_per_s = reports as f64 / http_wall.as_secs_f64();
    let raw_insert_per_s = reports as f64 / raw_wall.as_secs_f64();
    let raw_rows_per_s = reports as f64 / rows_wall.as_secs_f64();
    Ok(CasesReport {
        clients,
        reports,
        http_per_s,
        http_latency: latency(samples),
        raw_insert_per_s,
        share_of_raw: http_per_s / raw_insert_per_s,
        raw_rows_per_s,
        share_of_rows: http_per_s / raw_rows_per_s,
        desk_cases: total,
        desk: desk_figures,
    })
}

/// A report's rows as the peers insert them again.
#[derive(sqlx::FromRow)]
struct RawRow {
    district_code: String,
    street_code: String,
    community_code: Option<String>,
    grid_code: Option<String>,
    clock: String,
    lon: f64,
    lat: f64,
    audit: String,
}

/// Which rows a peer inserts per report.
#[derive(Clone, Copy)]
enum RawPeer {
    /// The case row, one statement.
    CaseRow,
    /// The case row, its trail entry and its staged audit entry, one transaction.
    EveryRow,
}

/// Insert `rows` again from `clients` tasks; the wall time.
async fn raw_inserts(pool: &PgPool, rows: &Arc<Vec<RawRow>>, clients: usize, peer: RawPeer) -> Result<Duration> {
    const CASE: &str = "INSERT INTO cases (number, district_code, street_code, community_code, grid_code,
            category_code, channel, state, description, geom, reporter, clock, reported_at)
        VALUES ($1, $2, $3, $4, $5, 'E06001', 'patrol', 'reported', '基准测试上报',
            ST_SetSRID(ST_MakePoint($6, $7), 4326), 'raw', $8::jsonb, now())
        RETURNING id";
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (pool, rows) = (pool.clone(), rows.clone());
        tasks.push(tokio::spawn(async move {
            for i in (c..rows.len()).step_by(clients) {
                let r = &rows[i];
                let case = |number: String| {
                    sqlx::query_scalar::<_, i64>(CASE)
                        .bind(number)
                        .bind(&r.district_code)
                        .bind(&r.street_code)
                        .bind(&r.community_code)
                        .bind(&r.grid_code)
                        .bind(r.lon)
                        .bind(r.lat)
                        .bind(&r.clock)
                };
                match peer {
                    RawPeer::CaseRow => {
                        case(format!("raw-{i}")).fetch_one(&pool).await?;
                    }
                    RawPeer::EveryRow => {
                        let mut tx = pool.begin().await?;
                        let id = case(format!("raw-rows-{i}")).fetch_one(&mut *tx).await?;
                        sqlx::query(
                            "INSERT INTO case_trail (case_id, district_code, at, actor, role, action, to_state)
                             SELECT $1, k.district_code, now(), 'raw', 'grid_worker', 'report', 'reported'
                             FROM case_key k WHERE k.id = $1",
                        )
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query(
                            "INSERT INTO audit_pending (district_code, actor, action, status, after)
                             VALUES ($2, 'raw', 'POST /api/cases', 201, $1::jsonb)",
                        )
                        .bind(&r.audit)
                        .bind(&r.district_code)
                        .execute(&mut *tx)
                        .await?;
                        tx.commit().await?;
                    }
                }
            }
            Ok::<_, anyhow::Error>(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(started.elapsed())
}

/// A signed-in client: the HTTP client with its cookie jar, and the CSRF header.
pub(crate) async fn sign_in(base: &str, username: &str) -> Result<(reqwest::Client, reqwest::header::HeaderMap)> {
    let client = reqwest::Client::builder().pool_max_idle_per_host(64).build()?;
    let r = client
        .post(format!("{base}/api/session"))
        .json(&json!({ "username": username, "password": PASSWORD }))
        .send()
        .await?;
    if !r.status().is_success() {
        bail!("sign-in {username}: {}", r.status());
    }
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
        .collect::<Vec<_>>()
        .join("; ");
    let body: Value = r.json().await?;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("cookie", cookie.parse()?);
    headers.insert("x-csrf-token", body["account"]["csrf_token"].as_str().unwrap_or_default().parse()?);
    Ok((client, headers))
}

/// Which cases [`generate_bulk`] makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bulk {
    /// Every channel, every event category (the desk's day).
    Mixed,
    /// Public reports of the public services (Open311's list).
    Public,
}

/// `n` generated cases over the last year at the district's buildings, as a working desk holds them: cases older
/// than 30 days are finished (95 % closed, 5 % rejected); of the last 30 days' cases 60 % are still open, spread
/// over the open states, with deadlines around now (some overdue).
pub(crate) async fn generate_bulk(pool: &PgPool, n: usize, kind: Bulk) -> Result<()> {
    let (cats, channel) = match kind {
        Bulk::Mixed => (
            "SELECT row_number() OVER () AS k, code, NULL::text AS service FROM category WHERE catalogue = 'event'",
            "(ARRAY['patrol','patrol','patrol','hotline','public','camera'])[1 + g % 6]",
        ),
        Bulk::Public => {
            ("SELECT row_number() OVER () AS k, category_code AS code, code AS service FROM public_service", "'public'")
        }
    };
    let now = chrono::Utc::now();
    crate::db::months::prepare(pool, now - chrono::Duration::days(366), now).await?;
    sqlx::query(&format!(
        "WITH spots AS (
            SELECT row_number() OVER () AS k, ST_PointOnSurface(b.footprint) AS p, b.community_code, c.street_code
            FROM building b JOIN community c ON c.code = b.community_code AND c.district_code = b.district_code),
         cats AS ({cats}),
         nspots AS (SELECT count(*) AS n FROM spots), ncats AS (SELECT count(*) AS n FROM cats)
         INSERT INTO cases (number, district_code, street_code, community_code, category_code, channel, state, geom,
             description, reporter, clock, reported_at, due_at, warn_at, generated, service_code)
         SELECT '990101-B-' || lpad(g::text, 8, '0'), '990101', s.street_code, s.community_code, c.code, {channel},
             CASE WHEN g % 525600 >= 43200 THEN (CASE WHEN g % 100 < 95 THEN 'closed' ELSE 'rejected' END)
                  WHEN g % 100 < 40 THEN 'closed' WHEN g % 100 < 65 THEN 'dispatched' WHEN g % 100 < 75 THEN 'filed'
                  WHEN g % 100 < 85 THEN 'reported' WHEN g % 100 < 95 THEN 'handled' ELSE 'rejected' END,
             s.p, '生成的基准案件 ' || g, 'bench', '{{\"started\": \"2026-01-01T00:00:00Z\", \"measure\": \"working\", \"budget\": 27000}}'::jsonb,
             now() - (g % 525600) * interval '1 minute',
             CASE WHEN g % 525600 < 43200 AND g % 100 BETWEEN 40 AND 94 THEN now() + ((g % 48) - 24) * interval '1 hour' END,
             CASE WHEN g % 525600 < 43200 AND g % 100 BETWEEN 40 AND 94 THEN now() + ((g % 48) - 30) * interval '1 hour' END,
             true, c.service
         FROM generate_series(1, $1) g, nspots, ncats
         JOIN LATERAL (SELECT * FROM spots WHERE spots.k = 1 + (g * 7919) % nspots.n) s ON true
         JOIN LATERAL (SELECT * FROM cats WHERE cats.k = 1 + (g * 104729) % ncats.n) c ON true"
    ))
    .bind(n as i64)
    .execute(pool)
    .await?;
    pool.execute("ANALYZE cases").await?;
    Ok(())
}

/// The report as a Markdown table.
pub fn markdown(r: &CasesReport) -> String {
    let mut out = format!(
        "| intake, {} clients, {} reports | per second | p50 ms | p99 ms |\n|---|---:|---:|---:|\n",
        r.clients, r.reports
    );
    out += &format!(
        "| Wangge `POST /api/cases` (case + trail + audit entry, one transaction) | {:.0} | {:.1} | {:.1} |\n",
        r.http_per_s, r.http_latency.p50_ms, r.http_latency.p99_ms
    );
    out += &format!(
        "| peer: the same rows as raw `INSERT`s, one transaction per report (case + trail + staged audit entry) | {:.0} | | |\n",
        r.raw_rows_per_s
    );
    out += &format!("| **Wangge as a share of that peer** | **{:.0} %** | | |\n", r.share_of_rows * 100.0);
    out +=
        &format!("| peer: the case row alone, one single-row `INSERT` per report | {:.0} | | |\n", r.raw_insert_per_s);
    out += &format!("| Wangge as a share of that peer | {:.0} % | | |\n\n", r.share_of_raw * 100.0);
    out += &format!(
        "| desk list over {} cases (`GET /api/cases`, district scope) | p50 ms | p99 ms |\n|---|---:|---:|\n",
        r.desk_cases
    );
    for (label, l) in &r.desk {
        out += &format!("| {label} | {:.1} | {:.1} |\n", l.p50_ms, l.p99_ms);
    }
    out
}
