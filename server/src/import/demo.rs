//! Load the generated demo district: hierarchy, features, blocks, and a first published grid plan per community
//! (the school, hospital and market as dedicated grids, the rest divided block by block into ~300-household natural grids).

use anyhow::{Context, Result};
use chrono::{TimeZone, Utc};
use geo::Geometry;
use sqlx::PgPool;
use wangge_domain::boundary::Boundary;
use wangge_domain::households::HouseholdModel;
use wangge_domain::partition::{partition, Options};
use wangge_domain::plan::GridKind;
use wangge_gis_data::demo::{generate, DemoSize};

use wangge_domain::access::{Assignment, Role, Scope};
use wangge_domain::codes::DistrictCode;

use crate::auth::password::NewPassword;
use crate::store::accounts::{self, NewAccount};
use crate::store::blocks::{build_blocks, DEFAULT_BLOCK_ROAD_CLASSES};
use crate::store::features::insert_features;
use crate::store::hierarchy::{upsert_area, Level};
use crate::store::plans::{partition_input, publish, save_draft};
use wangge_api::plans::{GridInput, PlanInput};

/// North-west corner of the demo district (open country south-east of Jiangning; the geography is invented).
pub const DEMO_ORIGIN: (f64, f64) = (118.90, 31.86);

/// What loading the demo made.
#[derive(Debug, serde::Serialize)]
pub struct DemoSummary {
    /// Communities.
    pub communities: usize,
    /// Buildings.
    pub buildings: u64,
    /// Blocks.
    pub blocks: i64,
    /// Published grids.
    pub grids: usize,
}

fn boundary(mp: &geo::MultiPolygon<f64>) -> Result<Boundary> {
    Boundary::parse(Geometry::MultiPolygon(mp.clone())).context("generated boundary is invalid")
}

/// Generate and store the demo district. Does nothing if it is already loaded.
pub async fn load_demo(pool: &PgPool, size: DemoSize) -> Result<Option<DemoSummary>> {
    let demo = generate(size, DEMO_ORIGIN.0, DEMO_ORIGIN.1);
    let loaded: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM district WHERE code = $1)")
        .bind(demo.district.code.as_str())
        .fetch_one(pool)
        .await?;
    if loaded {
        return Ok(None);
    }
    let d = &demo.district;
    upsert_area(pool, Level::District, d.code.as_str(), &d.name, Some(&boundary(&d.boundary)?), true).await?;
    for s in &demo.streets {
        upsert_area(pool, Level::Street, s.code.as_str(), &s.name, Some(&boundary(&s.boundary)?), true).await?;
    }
    for c in &demo.communities {
        upsert_area(pool, Level::Community, c.code.as_str(), &c.name, Some(&boundary(&c.boundary)?), true).await?;
    }
    let summary = insert_features(pool, "demo", &demo.features, &HouseholdModel::default()).await?;
    let mut blocks = 0;
    let mut grids = 0;
    for c in &demo.communities {
        let mut tx = pool.begin().await?;
        blocks += build_blocks(&mut tx, c.code.as_str(), &DEFAULT_BLOCK_ROAD_CLASSES).await?.blocks;
        tx.commit().await?;
        let plan = first_plan(pool, c.code.as_str()).await?;
        grids += plan.grids.len();
        let mut tx = pool.begin().await?;
        let (draft, _) = save_draft(&mut tx, &c.code, None, &plan).await?;
        publish(&mut tx, draft.id, Some(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().expect("valid date")))
            .await?;
        tx.commit().await?;
    }
    Ok(Some(DemoSummary { communities: demo.communities.len(), buildings: summary.buildings, blocks, grids }))
}

/// The dedicated units of the demo: land-use kind, grid key, grid name.
const UNITS: [(&str, &str, &str); 3] = [
    ("school", "school", "学校专属网格（演示）"),
    ("hospital", "hospital", "医院专属网格（演示）"),
    ("retail", "market", "市场专属网格（演示）"),
];

/// The blocks of each dedicated unit (school, hospital, market) as a dedicated grid, everything else divided by the
/// partitioner block by block, as a first plan drawn before anyone divided the compounds.
async fn first_plan(pool: &PgPool, community: &str) -> Result<PlanInput> {
    let mut fixed = Vec::new();
    let mut dedicated = Vec::new();
    for (kind, key, name) in UNITS {
        let blocks: Vec<i64> = sqlx::query_scalar(
            "SELECT b.id FROM block b WHERE b.community_code = $1 AND b.district_code = left($1, 6) AND NOT b.retired
               AND EXISTS (SELECT 1 FROM landuse l WHERE l.kind = $2 AND ST_Intersects(b.geom, ST_PointOnSurface(l.geom)))
             ORDER BY b.id",
        )
        .bind(community)
        .bind(kind)
        .fetch_all(pool)
        .await?;
        if !blocks.is_empty() {
            fixed.push((key.to_owned(), blocks.clone()));
            dedicated.push(GridInput {
                key: key.into(),
                kind: GridKind::Dedicated,
                name: Some(name.into()),
                unit: Some(blocks.clone()),
                blocks,
            });
        }
    }
    let graph = partition_input(&mut *pool.acquire().await?, community, &fixed).await?;
    let result = partition(&graph, &Options::default())?;
    let mut grids: Vec<GridInput> = result
        .regions
        .into_iter()
        .filter(|r| !r.label.starts_with("fixed:"))
        .map(|r| GridInput { key: r.label, kind: GridKind::Natural, name: None, blocks: r.blocks, unit: None })
        .collect();
    grids.extend(dedicated);
    Ok(PlanInput { grids, based_on: None, note: Some("generated demo plan".into()), revision: None })
}

/// The demo's staff accounts, one per role, all with `password`; grid workers get the grids of the first community
/// one or two each. Does nothing if the district already has accounts. Returns (username, role, scope) of each.
pub async fn create_demo_accounts(pool: &PgPool, password: &NewPassword) -> Result<Vec<(String, String, String)>> {
    let district: DistrictCode = wangge_gis_data::demo::DEMO_DISTRICT_CODE.parse()?;
    let existing: i64 = sqlx::query_scalar("SELECT count(*) FROM account WHERE district_code = $1")
        .bind(district.as_str())
        .fetch_one(pool)
        .await?;
    if existing > 0 {
        return Ok(Vec::new());
    }
    let street: String = sqlx::query_scalar("SELECT min(code) FROM street WHERE district_code = $1")
        .bind(district.as_str())
        .fetch_one(pool)
        .await?;
    let community: String = sqlx::query_scalar("SELECT min(code) FROM community WHERE street_code = $1")
        .bind(&street)
        .fetch_one(pool)
        .await?;
    let grids: Vec<String> = sqlx::query_scalar(
        "SELECT g.code FROM grid g JOIN plan p ON p.id = g.plan_id AND p.district_code = g.district_code
         WHERE p.community_code = $1 AND p.district_code = left($1, 6) AND p.status = 'published' AND p.valid_to IS NULL AND g.code IS NOT NULL ORDER BY g.code",
    )
    .bind(&community)
    .fetch_all(pool)
    .await?;
    let mut accounts = vec![
        ("admin", "张明（演示）", Role::DistrictAdmin, Scope::District(district.clone()), None),
        ("planner", "王芳（演示）", Role::Planner, Scope::District(district.clone()), None),
        ("street", "刘强（演示）", Role::StreetOperator, Scope::Street(street.parse()?), None),
        ("center", "赵敏（演示）", Role::StreetOperator, Scope::District(district.clone()), None),
        ("dept", "陈杰（演示）", Role::DepartmentHandler, Scope::Department("城管".to_owned().try_into()?), None),
        (
            "head",
            "李华（演示）",
            Role::GridHead,
            Scope::Community(community.parse()?),
            Some("025-5210-0000".to_owned()),
        ),
    ];
    // worker1 covers the first two grids, then one worker per grid.
    let mut chunks: Vec<Vec<String>> = grids.iter().take(2).cloned().map(|g| vec![g]).collect();
    if chunks.len() == 2 {
        let second = chunks.pop().expect("two");
        chunks[0].extend(second);
    }
    chunks.extend(grids.iter().skip(2).cloned().map(|g| vec![g]));
    let workers: Vec<(String, String, Scope, String)> = chunks
        .into_iter()
        .enumerate()
        .map(|(i, gs)| -> Result<_> {
            let codes = gs.iter().map(|g| g.parse()).collect::<Result<_, _>>()?;
            Ok((
                format!("worker{}", i + 1),
                format!("网格员{}（演示）", i + 1),
                Scope::Grids(codes),
                format!("138{:08}", 52100001 + i),
            ))
        })
        .collect::<Result<_>>()?;
    let mut made = Vec::new();
    let all = accounts
        .drain(..)
        .map(|(u, d, r, s, p)| (u.to_owned(), d.to_owned(), r, s, p))
        .chain(workers.into_iter().map(|(u, d, s, p)| (u, d, Role::GridWorker, s, Some(p))));
    for (username, display, role, scope, phone) in all {
        let assignment = Assignment::new(role, scope)?;
        let new = NewAccount {
            username: &username,
            display_name: &display,
            assignment: &assignment,
            district: &district,
            work_phone: phone.as_deref(),
            password,
        };
        accounts::create(pool, new).await?;
        made.push((username, role.to_string(), serde_json::to_string(assignment.scope())?));
    }
    Ok(made)
}
