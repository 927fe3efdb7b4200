//! `wangge bench-tiles`: our tile server against Martin serving the same PostGIS tables, on a fixed list of z12–z16
//! tiles over the Nanjing extract and a larger generated district; throughput and p50/p99 latency, cold and warm,
//! with a browser's `Accept-Encoding: gzip`.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use sqlx::PgPool;
use wangge_domain::households::HouseholdModel;
use wangge_gis_data::demo::DemoSize;
use wangge_tiles::TileId;

use crate::auth::vault::DataKey;
use crate::auth::Security;
use crate::startup;
use crate::state::AppState;

/// One measured pass.
#[derive(Debug)]
pub struct TilePass {
    /// `wangge` or `martin`.
    pub server: &'static str,
    /// Layers requested.
    pub layers: &'static str,
    /// `cold` (first request of each tile) or `warm`.
    pub phase: &'static str,
    /// Concurrent requests.
    pub concurrency: usize,
    /// Tiles requested.
    pub tiles: usize,
    /// Tiles per second.
    pub tiles_per_s: f64,
    /// Median latency.
    pub p50: Duration,
    /// 99th percentile latency.
    pub p99: Duration,
    /// Mean response size (gzip), bytes.
    pub mean_bytes: f64,
}

/// The larger generated district used besides the Nanjing extract.
pub const BENCH_DISTRICT: DemoSize = DemoSize { streets: 4, communities_per_street: 4, blocks_per_side: 12, seed: 99 };

/// Every tile at z12–z16 covering a box (west, south, east, north).
pub fn tiles_over(bbox: [f64; 4]) -> Vec<TileId> {
    let mut out = Vec::new();
    for z in 12..=16u8 {
        let a = TileId::containing(bbox[0], bbox[3], z);
        let b = TileId::containing(bbox[2], bbox[1], z);
        for x in a.x..=b.x {
            for y in a.y..=b.y {
                out.push(TileId { z, x, y });
            }
        }
    }
    out
}

async fn prepare(pool: &PgPool, data: &Path) -> Result<()> {
    let buildings: i64 = sqlx::query_scalar("SELECT count(*) FROM building").fetch_one(pool).await?;
    if buildings == 0 {
        crate::import::osm::import_osm(pool, &data.join("nanjing-osm/nanjing-center.osm"), &HouseholdModel::default())
            .await?;
        crate::import::demo::load_demo(pool, BENCH_DISTRICT).await?;
    }
    Ok(())
}

struct Martin(Child);

impl Drop for Martin {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn start_martin(binary: &Path, db_url: &str) -> Result<(Martin, String)> {
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let child = Command::new(binary)
        .args([
            "--listen-addresses",
            &format!("127.0.0.1:{port}"),
            "--auto-bounds",
            "skip",
            "--workers",
            "2",
            "--cache-size",
            "512",
        ])
        .arg(db_url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let martin = Martin(child);
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..120 {
        if client.get(format!("{base}/health")).send().await.is_ok_and(|r| r.status().is_success()) {
            return Ok((martin, base));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    bail!("martin did not come up on {base}")
}

async fn pass(client: &reqwest::Client, urls: &[String], concurrency: usize) -> Result<(Duration, Vec<Duration>, u64)> {
    let started = Instant::now();
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, urls, next) = (client.clone(), urls.to_vec(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut bytes = 0u64;
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(url) = urls.get(i) else { break };
                let t = Instant::now();
                let r = client.get(url).header("Accept-Encoding", "gzip").send().await?;
                if !(r.status().is_success() || r.status().as_u16() == 204) {
                    bail!("{url}: {}", r.status());
                }
                bytes += r.bytes().await?.len() as u64;
                lat.push(t.elapsed());
            }
            Ok::<_, anyhow::Error>((lat, bytes))
        }));
    }
    let mut all = Vec::new();
    let mut bytes = 0;
    for t in tasks {
        let (l, b) = t.await??;
        all.extend(l);
        bytes += b;
    }
    Ok((started.elapsed(), all, bytes))
}

fn summarise(
    server: &'static str,
    layers: &'static str,
    phase: &'static str,
    concurrency: usize,
    (elapsed, mut lat, bytes): (Duration, Vec<Duration>, u64),
) -> TilePass {
    lat.sort();
    let at = |q: f64| lat[((lat.len() as f64 - 1.0) * q).round() as usize];
    TilePass {
        server,
        layers,
        phase,
        concurrency,
        tiles: lat.len(),
        tiles_per_s: lat.len() as f64 / elapsed.as_secs_f64(),
        p50: at(0.5),
        p99: at(0.99),
        mean_bytes: bytes as f64 / lat.len().max(1) as f64,
    }
}

/// Run the benchmark; `db_url` is the database `pool` is connected to (Martin connects to it too).
pub async fn bench_tiles(pool: &PgPool, db_url: &str, data: &Path, martin: &Path) -> Result<(usize, Vec<TilePass>)> {
    prepare(pool, data).await?;
    let demo_bbox: (f64, f64, f64, f64) = sqlx::query_as(
        "SELECT ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom) FROM district WHERE code = '990101'",
    )
    .fetch_one(pool)
    .await?;
    let mut tiles = tiles_over([118.762, 32.034, 118.797, 32.053]);
    tiles.extend(tiles_over([demo_bbox.0, demo_bbox.1, demo_bbox.2, demo_bbox.3]));

    let listener = TcpListener::bind("127.0.0.1:0")?;
    let ours = format!("http://{}", listener.local_addr()?);
    let server = startup::run(
        listener,
        AppState::new(
            pool.clone(),
            Security::new(
                DataKey::ephemeral(),
                true,
                usize::MAX,
                std::env::temp_dir().join("wangge-bench-audit-head.json"),
            ),
        )
        .await?,
        None,
    )?;
    tokio::spawn(server);
    let (_martin, theirs) = start_martin(martin, db_url).await?;
    let client = reqwest::Client::builder().pool_max_idle_per_host(64).build()?;

    // (label, lowest zoom, our path, Martin's path); z14+ is where both servers send buildings (we generalise
    // them away below z14, Martin sends every footprint at every zoom)
    // each set asks for a different layer combination, so its first pass is cold on both servers
    let sets: [(&'static str, u8, &str, &str); 2] = [
        ("buildings z14–16", 14, "/tiles/buildings", "/building"),
        ("buildings+roads z12–16", 12, "/tiles/buildings,roads", "/building,road"),
    ];
    let mut passes = Vec::new();
    for (label, min_zoom, our_path, their_path) in sets {
        for (name, base, path) in [("wangge", &ours, our_path), ("martin", &theirs, their_path)] {
            let urls: Vec<String> = tiles
                .iter()
                .filter(|t| t.z >= min_zoom)
                .map(|t| format!("{base}{path}/{}/{}/{}", t.z, t.x, t.y))
                .collect();
            passes.push(summarise(name, label, "cold", 1, pass(&client, &urls, 1).await?));
            for c in [1, 16] {
                let mut best: Option<TilePass> = None;
                for _ in 0..3 {
                    let p = summarise(name, label, "warm", c, pass(&client, &urls, c).await?);
                    if best.as_ref().is_none_or(|b| p.tiles_per_s > b.tiles_per_s) {
                        best = Some(p);
                    }
                }
                passes.extend(best);
            }
        }
    }
    Ok((tiles.len(), passes))
}

/// The passes as a Markdown table.
pub fn markdown(tiles: usize, passes: &[TilePass]) -> String {
    let mut s = format!(
        "{tiles} tiles (z12–z16 over the Nanjing extract and the generated district), `Accept-Encoding: gzip`, Martin with a 512 MB cache\n\n\
         | layers | server | phase | concurrency | tiles/s | p50 | p99 | mean size |\n|---|---|---|---|---|---|---|---|\n"
    );
    for p in passes {
        s += &format!(
            "| {} | {} | {} | {} | {:.0} | {:.2} ms | {:.2} ms | {:.1} KB |\n",
            p.layers,
            p.server,
            p.phase,
            p.concurrency,
            p.tiles_per_s,
            p.p50.as_secs_f64() * 1e3,
            p.p99.as_secs_f64() * 1e3,
            p.mean_bytes / 1024.0
        );
    }
    s
}
