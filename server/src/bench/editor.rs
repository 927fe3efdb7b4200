//! Stroke latency of the grid editor in headless Chromium on a community with many grids: a generated community
//! of `blocks_per_side`² blocks whose draft has `grids` grids (blocks chunked in reading order), opened in the real
//! app served by the real server; `bench/editor_strokes.mjs` paints blocks with real clicks and reads the time
//! from each pointer event to the updated counts.

use std::net::TcpListener;
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use sqlx::PgPool;
use wangge_domain::access::{Assignment, Role, Scope};
use wangge_domain::plan::GridKind;
use wangge_gis_data::demo::DemoSize;

use crate::auth::password::NewPassword;
use crate::auth::vault::DataKey;
use crate::auth::Security;
use crate::startup;
use crate::state::AppState;
use crate::store::accounts::{self, NewAccount};
use crate::store::plans::save_draft;
use wangge_api::plans::{GridInput, PlanInput};

const COMMUNITY: &str = "990101001001";
const PASSWORD: &str = "bench-password-1";

async fn prepare(pool: &PgPool, blocks_per_side: usize, grids: usize) -> Result<Value> {
    let size = DemoSize { streets: 1, communities_per_street: 1, blocks_per_side, seed: 11 };
    crate::import::demo::load_demo(pool, size).await?;
    let blocks: Vec<(i64, f64, f64)> = sqlx::query_as(
        "SELECT id, ST_X(p), ST_Y(p) FROM (SELECT id, ST_PointOnSurface(geom) p FROM block WHERE community_code = $1 AND district_code = left($1, 6) AND NOT retired) b
         ORDER BY round(ST_Y(p)::numeric, 3) DESC, ST_X(p)",
    )
    .bind(COMMUNITY)
    .fetch_all(pool)
    .await?;
    if blocks.len() < grids {
        bail!("{} blocks cannot make {grids} grids: raise --blocks-per-side", blocks.len());
    }
    let in_force: i64 = sqlx::query_scalar(
        "SELECT id FROM plan WHERE community_code = $1 AND district_code = left($1, 6) AND status = 'published' AND valid_to IS NULL",
    )
    .bind(COMMUNITY)
    .fetch_one(pool)
    .await?;
    let drafts: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM plan WHERE community_code = $1 AND district_code = left($1, 6) AND status = 'draft'",
    )
    .bind(COMMUNITY)
    .fetch_one(pool)
    .await?;
    if drafts == 0 {
        // Exactly `grids` grids: grid i takes the i-th equal share of the blocks in reading order.
        let n = blocks.len();
        let input = PlanInput {
            grids: (0..grids)
                .map(|i| {
                    let share = &blocks[i * n / grids..(i + 1) * n / grids];
                    GridInput {
                        key: format!("b{i}"),
                        kind: GridKind::Natural,
                        name: None,
                        blocks: share.iter().map(|b| b.0).collect(),
                        unit: None,
                    }
                })
                .collect(),
            based_on: Some(in_force),
            note: Some("editor benchmark".into()),
            revision: None,
        };
        let community = COMMUNITY.parse()?;
        let mut tx = pool.begin().await?;
        save_draft(&mut tx, &community, None, &input).await?;
        tx.commit().await?;
    }
    if accounts::for_login(pool, "bench").await?.is_none() {
        let assignment = Assignment::new(Role::Planner, Scope::District("990101".parse()?))?;
        let password = NewPassword::parse(PASSWORD)?;
        let district = "990101".parse()?;
        let new = NewAccount {
            username: "bench",
            display_name: "bench",
            assignment: &assignment,
            district: &district,
            work_phone: None,
            password: &password,
        };
        accounts::create(pool, new).await?;
    }
    let grid_code: String =
        sqlx::query_scalar("SELECT min(code) FROM grid WHERE plan_id = $1").bind(in_force).fetch_one(pool).await?;
    let sample: Vec<Value> =
        blocks.iter().step_by((blocks.len() / 60).max(1)).map(|b| json!({ "id": b.0, "x": b.1, "y": b.2 })).collect();
    let draft_grids: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM grid WHERE plan_id = (SELECT max(id) FROM plan WHERE community_code = $1 AND district_code = left($1, 6) AND status = 'draft')",
    )
    .bind(COMMUNITY)
    .fetch_one(pool)
    .await?;
    Ok(
        json!({ "community": COMMUNITY, "search": grid_code, "grids": draft_grids, "blocks": blocks.len(), "sample": sample,
               "username": "bench", "password": PASSWORD }),
    )
}

/// Prepare the data, serve the app, run the browser script; returns its report (JSON).
pub async fn bench_editor(pool: &PgPool, blocks_per_side: usize, grids: usize, root: &Path) -> Result<Value> {
    let fixture = prepare(pool, blocks_per_side, grids).await?;
    let web = root.join("web/dist");
    if !web.join("index.html").exists() {
        bail!("the web app is not built: run bin/build-web");
    }
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let address = format!("http://{}", listener.local_addr()?);
    let state = AppState::new(
        pool.clone(),
        Security::new(
            DataKey::ephemeral(),
            true,
            usize::MAX,
            std::env::temp_dir().join("wangge-bench-audit-head.json"),
        ),
    )
    .await?;
    tokio::spawn(startup::run(listener, state, Some(web))?);
    let script = root.join("bench/editor_strokes.mjs");
    let out = tokio::process::Command::new("node")
        .arg(&script)
        .arg(&address)
        .arg(fixture.to_string())
        .output()
        .await
        .context("running node")?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!("{} failed:\n{stdout}\n{}", script.display(), String::from_utf8_lossy(&out.stderr));
    }
    let last = stdout.lines().last().unwrap_or_default();
    let mut report: Value = serde_json::from_str(last).with_context(|| format!("the script's report: {last}"))?;
    report["blocks"] = fixture["blocks"].clone();
    report["grids"] = fixture["grids"].clone();
    Ok(report)
}
