//! Grid plans: drafts, publishing and reading versions.

use std::collections::HashMap;
use wangge_api::plans::{GridInput, Plan, PlanInput, RebalanceSummary};

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use sqlx::{PgConnection, PgExecutor, PgPool};
use wangge_domain::codes::{CommunityCode, GridCode};
use wangge_domain::lineage::{trace, After, Before};
use wangge_domain::numbering::reading_order;
use wangge_domain::plan::{
    validate_plan, Band, BlockGraph, BlockNode, GridKind, PlanReport, PlanStatus, Problem, ProposedGrid,
};

/// Why a plan could not be stored, published or proposed. The store says what went wrong in the governance's terms;
/// `error.rs` decides what HTTP makes of it.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// No such community.
    #[error("community {0} does not exist")]
    UnknownCommunity(String),
    /// No such plan (or not of this community).
    #[error("plan {0} does not exist")]
    UnknownPlan(i64),
    /// No natural grid of this key in the plan.
    #[error("natural grid {0} does not exist")]
    UnknownGrid(String),
    /// More than 999 grids: the 3-digit sequence of grid codes runs out.
    #[error("a community has at most 999 grids (3-digit sequence)")]
    TooManyGrids,
    /// `based_on` names a plan of another community.
    #[error("based_on: plan {base} is not a plan of community {community}")]
    ForeignBase {
        /// The plan named.
        base: i64,
        /// The community being planned.
        community: String,
    },
    /// Unknown blocks, or a block in two grids: never stored, not even as a draft.
    #[error("the plan assigns unknown blocks or a block twice")]
    Invalid {
        /// The structural problems.
        problems: Vec<Problem>,
    },
    /// Only drafts change or get published.
    #[error("plan {0} is {1}; only drafts change")]
    NotADraft(i64, PlanStatus),
    /// Someone else saved the draft since the revision the caller started from.
    #[error(
        "plan {plan} was saved by someone else meanwhile (revision {current}); reload or keep yours as a new draft"
    )]
    StaleRevision {
        /// The draft.
        plan: i64,
        /// Its revision now.
        current: i32,
    },
    /// The plan has problems (gaps, discontiguous grids, broken dedicated units).
    #[error("the plan has {} problem(s); fix them before publishing", .0.problems.len())]
    NotPublishable(Box<PlanReport>),
    /// Another version was published after the one this draft was based on.
    #[error("plan {plan} was drafted from {} but the latest published version is {}; rebase or keep it as a draft",
        based_on.map_or("nothing".to_owned(), |b| format!("plan {b}")),
        latest.map_or("none".to_owned(), |l| format!("plan {l}")))]
    StaleBase {
        /// The draft.
        plan: i64,
        /// What it was based on.
        based_on: Option<i64>,
        /// The latest published version.
        latest: Option<i64>,
    },
    /// A new version must start after the one in force.
    #[error("valid_from must be after {0}, when the current version took effect")]
    ValidFromTooEarly(DateTime<Utc>),
    /// The community has no blocks to divide.
    #[error("community {0} has no blocks; build them first")]
    NoBlocks(String),
    /// The partitioner refused the input.
    #[error("{0}")]
    PartitionFailed(String),
    /// The database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// Anything else (a stored value that does not parse).
    #[error(transparent)]
    Other(#[from] anyhow::Error),
    /// A store call this one builds on failed.
    #[error(transparent)]
    Store(#[from] super::StoreError),
}

/// A stored status, parsed.
fn status(stored: String) -> Result<PlanStatus> {
    PlanStatus::try_from(stored).map_err(|e| PlanError::Other(anyhow::anyhow!(e)))
}

/// Results of this module.
pub type Result<T, E = PlanError> = std::result::Result<T, E>;

const PLAN_COLUMNS: &str =
    "id, community_code, version, status, based_on, note, valid_from, valid_to, published_at, revision";

fn proposed(input: &PlanInput) -> Vec<ProposedGrid> {
    input
        .grids
        .iter()
        .map(|g| ProposedGrid { key: g.key.clone(), kind: g.kind, blocks: g.blocks.clone(), unit: g.unit.clone() })
        .collect()
}

/// Problems a draft cannot even be stored with: it would not be a partition of known blocks.
fn structural(p: &Problem) -> bool {
    matches!(p, Problem::AssignedTwice { .. } | Problem::UnknownBlocks { .. } | Problem::DuplicateKey { .. })
}

/// Load the live blocks of a community and their adjacency.
pub async fn load_graph(conn: &mut sqlx::PgConnection, community: &str) -> Result<BlockGraph> {
    let blocks: Vec<(i64, i32)> =
        sqlx::query_as("SELECT id, households FROM block WHERE community_code = $1 AND district_code = left($1, 6) AND NOT retired ORDER BY id")
            .bind(community)
            .fetch_all(&mut *conn)
            .await?;
    let pairs: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT a, b FROM block_adjacency WHERE district_code = left($1, 6) AND a IN (SELECT id FROM block WHERE community_code = $1 AND district_code = left($1, 6) AND NOT retired)",
    )
    .bind(community)
    .fetch_all(&mut *conn)
    .await?;
    Ok(BlockGraph::new(
        blocks.into_iter().map(|(id, h)| BlockNode { id, households: h.max(0) as u32 }).collect(),
        pairs,
    ))
}

/// Store a draft: a new version, or (with `replace`) new contents for an existing draft. Gaps, discontiguous
/// grids and broken dedicated units are allowed in a draft and reported; overlaps and unknown blocks are refused.
pub async fn save_draft(
    tx: &mut PgConnection,
    community: &CommunityCode,
    replace: Option<i64>,
    input: &PlanInput,
) -> Result<(Plan, PlanReport)> {
    if input.grids.len() > 999 {
        return Err(PlanError::TooManyGrids);
    }
    let exists: Option<String> =
        sqlx::query_scalar("SELECT code FROM community WHERE code = $1 AND district_code = left($1, 6) FOR UPDATE")
            .bind(community.as_str())
            .fetch_optional(&mut *tx)
            .await?;
    if exists.is_none() {
        return Err(PlanError::UnknownCommunity(community.to_string()));
    }
    if let Some(base) = input.based_on {
        let base_community: Option<String> = sqlx::query_scalar("SELECT community_code FROM plan WHERE id = $1")
            .bind(base)
            .fetch_optional(&mut *tx)
            .await?;
        if base_community.as_deref() != Some(community.as_str()) {
            return Err(PlanError::ForeignBase { base, community: community.to_string() });
        }
    }
    let graph = load_graph(tx, community.as_str()).await?;
    let report = validate_plan(&graph, &proposed(input), Band::default());
    let blocking: Vec<&Problem> = report.problems.iter().filter(|p| structural(p)).collect();
    if !blocking.is_empty() {
        return Err(PlanError::Invalid { problems: blocking.into_iter().cloned().collect() });
    }
    let plan_id = match replace {
        Some(id) => {
            let row: Option<(String, String, i32)> =
                sqlx::query_as("SELECT community_code, status, revision FROM plan WHERE id = $1 FOR UPDATE")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            match row {
                None => return Err(PlanError::UnknownPlan(id)),
                Some((c, _, _)) if c != community.as_str() => return Err(PlanError::UnknownPlan(id)),
                Some((_, s, _)) if status(s.clone())? != PlanStatus::Draft => {
                    return Err(PlanError::NotADraft(id, status(s)?))
                }
                Some((_, _, current)) if input.revision.is_some_and(|r| r != current) => {
                    return Err(PlanError::StaleRevision { plan: id, current })
                }
                Some(_) => {}
            }
            sqlx::query("DELETE FROM grid WHERE plan_id = $1").bind(id).execute(&mut *tx).await?;
            sqlx::query(
                "UPDATE plan SET based_on = $2, note = $3, updated_at = now(), revision = revision + 1 WHERE id = $1",
            )
            .bind(id)
            .bind(input.based_on)
            .bind(&input.note)
            .execute(&mut *tx)
            .await?;
            id
        }
        None => {
            sqlx::query_scalar(
                "INSERT INTO plan (community_code, district_code, version, status, based_on, note)
             VALUES ($1, left($1, 6), (SELECT coalesce(max(version), 0) + 1 FROM plan WHERE community_code = $1 AND district_code = left($1, 6)), 'draft',
                     $2, $3)
             RETURNING id",
            )
            .bind(community.as_str())
            .bind(input.based_on)
            .bind(&input.note)
            .fetch_one(&mut *tx)
            .await?
        }
    };
    let stats: HashMap<&str, u32> = report.grids.iter().map(|g| (g.key.as_str(), g.households)).collect();
    for g in &input.grids {
        let grid_id: i64 = sqlx::query_scalar(
            "INSERT INTO grid (plan_id, district_code, key, kind, name, households, unit_block_ids)
             VALUES ($1, left($7, 6), $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(plan_id)
        .bind(&g.key)
        .bind(g.kind.as_str())
        .bind(&g.name)
        .bind(stats.get(g.key.as_str()).copied().unwrap_or(0) as i32)
        .bind(&g.unit)
        .bind(community.as_str())
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO grid_block (plan_id, block_id, grid_id, district_code)
             SELECT $1, unnest($2::int8[]), $3, left($4, 6)",
        )
        .bind(plan_id)
        .bind(&g.blocks)
        .bind(grid_id)
        .bind(community.as_str())
        .execute(&mut *tx)
        .await?;
    }
    derive_geometry_and_codes(tx, plan_id, community).await?;
    Ok((get_plan(&mut *tx, plan_id).await?, report))
}

/// Grid geometry is the union of its blocks. Codes: a community's first version numbers its grids in reading order of
/// their interior points; a later one keeps the codes of the grids of the version it replaces that its grids hold
/// most of, issues new numbers after the highest ever issued, and records where each grid came from
/// ([`wangge_domain::lineage`]). A draft's codes are provisional: saving it again gives the same ones.
async fn derive_geometry_and_codes(tx: &mut PgConnection, plan_id: i64, community: &CommunityCode) -> Result<()> {
    sqlx::query(
        "UPDATE grid g SET geom = s.geom, residents = s.residents
         FROM (SELECT gb.grid_id, ST_Multi(ST_Union(b.geom)) AS geom, sum(b.residents)::int AS residents
               FROM grid_block gb JOIN block b ON b.id = gb.block_id AND b.district_code = gb.district_code WHERE gb.plan_id = $1 GROUP BY gb.grid_id) s
         WHERE g.id = s.grid_id",
    )
    .bind(plan_id)
    .execute(&mut *tx)
    .await?;
    let based_on: Option<i64> =
        sqlx::query_scalar("SELECT based_on FROM plan WHERE id = $1").bind(plan_id).fetch_one(&mut *tx).await?;
    let new = grids_with_blocks(tx, plan_id).await?;
    let code = |seq: u16| GridCode::new(community, seq).map(String::from).map_err(|_| PlanError::TooManyGrids);
    let Some(base) = based_on else {
        let order = reading_order(&new.iter().map(|g| (g.x, g.y)).collect::<Vec<_>>());
        let codes: Vec<String> = order.into_iter().map(code).collect::<Result<_>>()?;
        return set_codes(tx, &new.iter().map(|g| g.id).collect::<Vec<_>>(), &codes, &vec![None; new.len()]).await;
    };
    let old = grids_with_blocks(tx, base).await?;
    let issued: i32 = sqlx::query_scalar(
        "SELECT coalesce(max(right(g.code, 3)::int), 0) FROM grid g JOIN plan p ON p.id = g.plan_id AND p.district_code = g.district_code
         WHERE p.community_code = $1 AND p.district_code = left($1, 6) AND p.status = 'published' AND g.code IS NOT NULL",
    )
    .bind(community.as_str())
    .fetch_one(&mut *tx)
    .await?;
    let before: Vec<Before> =
        old.iter().map(|g| Before { seq: g.seq(), dedicated: g.dedicated(), blocks: g.blocks(|b, _| b) }).collect();
    // A building cell cut from a block since the old version counts as a part of that block.
    let held_before: std::collections::HashSet<i64> = old.iter().flat_map(|g| g.blocks.iter().copied()).collect();
    let after: Vec<After> = new
        .iter()
        .map(|g| After {
            dedicated: g.dedicated(),
            blocks: g.blocks(|b, from| if held_before.contains(&b) { b } else { from }),
            at: (g.x, g.y),
        })
        .collect();
    let traced = trace(&before, &after, u16::try_from(issued + 1).map_err(|_| PlanError::TooManyGrids)?);
    let codes: Vec<String> = traced.grids.iter().map(|t| code(t.seq)).collect::<Result<_>>()?;
    let origins: Vec<Option<&str>> = traced.grids.iter().map(|t| Some(t.origin.as_str())).collect();
    set_codes(tx, &new.iter().map(|g| g.id).collect::<Vec<_>>(), &codes, &origins).await?;
    let old_id: HashMap<u16, i64> = old.iter().map(|g| (g.seq(), g.id)).collect();
    let links: Vec<(i64, i64, i32, i32, f64)> = new
        .iter()
        .zip(&traced.grids)
        .flat_map(|(g, t)| {
            t.parents.iter().filter_map(|p| {
                Some((g.id, *old_id.get(&p.seq)?, p.households as i32, p.blocks as i32, p.share.min(1.0)))
            })
        })
        .collect();
    sqlx::query(
        "INSERT INTO grid_lineage (grid_id, parent_id, households, blocks, share, district_code)
         SELECT l.*, $6 FROM unnest($1::int8[], $2::int8[], $3::int4[], $4::int4[], $5::float8[])
             AS l (grid_id, parent_id, households, blocks, share)",
    )
    .bind(links.iter().map(|l| l.0).collect::<Vec<_>>())
    .bind(links.iter().map(|l| l.1).collect::<Vec<_>>())
    .bind(links.iter().map(|l| l.2).collect::<Vec<_>>())
    .bind(links.iter().map(|l| l.3).collect::<Vec<_>>())
    .bind(links.iter().map(|l| l.4).collect::<Vec<_>>())
    .bind(&community.as_str()[..6])
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// A stored grid with its blocks, for tracing.
#[derive(sqlx::FromRow)]
struct Held {
    id: i64,
    code: Option<String>,
    kind: String,
    blocks: Vec<i64>,
    /// The block each was cut from (itself when it was not).
    sources: Vec<i64>,
    households: Vec<i32>,
    /// An interior point.
    x: f64,
    y: f64,
}

impl Held {
    /// Its code's sequence number (0 before it has one).
    fn seq(&self) -> u16 {
        self.code.as_deref().and_then(|c| c.parse::<GridCode>().ok()).map_or(0, |c| c.sequence())
    }

    fn dedicated(&self) -> bool {
        self.kind == GridKind::Dedicated.as_str()
    }

    /// (block id, households), each block named by `name(block, source)`.
    fn blocks(&self, name: impl Fn(i64, i64) -> i64) -> Vec<(i64, u32)> {
        self.blocks
            .iter()
            .zip(&self.sources)
            .zip(&self.households)
            .map(|((&b, &from), &h)| (name(b, from), h.max(0) as u32))
            .collect()
    }
}

/// The grids of a plan with their blocks, in id order.
async fn grids_with_blocks(tx: &mut PgConnection, plan_id: i64) -> Result<Vec<Held>> {
    Ok(sqlx::query_as(
        "SELECT g.id, g.code, g.kind, array_agg(b.id ORDER BY b.id) AS blocks,
                array_agg(coalesce(b.parent_id, b.id) ORDER BY b.id) AS sources,
                array_agg(b.households ORDER BY b.id) AS households, ST_X(s.p) AS x, ST_Y(s.p) AS y
         FROM grid g CROSS JOIN LATERAL (SELECT ST_PointOnSurface(g.geom) AS p) s
              JOIN grid_block gb ON gb.grid_id = g.id AND gb.district_code = g.district_code JOIN block b ON b.id = gb.block_id AND b.district_code = gb.district_code
         WHERE g.plan_id = $1 AND g.geom IS NOT NULL GROUP BY g.id, g.district_code, s.p ORDER BY g.id",
    )
    .bind(plan_id)
    .fetch_all(&mut *tx)
    .await?)
}

/// Write the codes (and origins) of grids `ids`.
async fn set_codes(tx: &mut PgConnection, ids: &[i64], codes: &[String], origins: &[Option<&str>]) -> Result<()> {
    sqlx::query(
        "UPDATE grid g SET code = c.code, origin = c.origin
         FROM unnest($1::int8[], $2::text[], $3::text[]) AS c(id, code, origin) WHERE g.id = c.id",
    )
    .bind(ids)
    .bind(codes)
    .bind(origins)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// One plan version.
pub async fn get_plan<'e>(db: impl PgExecutor<'e>, id: i64) -> Result<Plan> {
    sqlx::query_as::<_, Plan>(&format!("SELECT {PLAN_COLUMNS} FROM plan WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or(PlanError::UnknownPlan(id))
}

/// All versions of a community's plan, newest first.
pub async fn list_plans(pool: &PgPool, community: &str) -> Result<Vec<Plan>> {
    Ok(sqlx::query_as::<_, Plan>(&format!(
        "SELECT {PLAN_COLUMNS} FROM plan WHERE community_code = $1 AND district_code = left($1, 6) ORDER BY version DESC"
    ))
    .bind(community)
    .fetch_all(pool)
    .await?)
}

/// The plan in force for a community at `at`.
pub async fn plan_in_force<'e>(
    db: impl sqlx::PgExecutor<'e>,
    community: &str,
    at: DateTime<Utc>,
) -> Result<Option<Plan>> {
    Ok(sqlx::query_as::<_, Plan>(&format!(
        "SELECT {PLAN_COLUMNS} FROM plan WHERE community_code = $1 AND district_code = left($1, 6) AND status = 'published'
         AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2)"
    ))
    .bind(community)
    .bind(at)
    .fetch_optional(db)
    .await?)
}

/// The blocks of a dedicated grid's unit, when it has one.
type UnitBlocks = Option<Vec<i64>>;

/// A stored grid as `grids_geojson` reads it: id, key, kind, code, name, households, residents, blocks, geometry.
type GridRow = (i64, String, String, Option<String>, Option<String>, i32, i32, Vec<i64>, Option<Value>);

/// The plan's grids as proposals (for re-validation) read back from storage.
async fn stored_grids(tx: &mut PgConnection, plan_id: i64) -> Result<Vec<ProposedGrid>> {
    let rows: Vec<(String, String, Vec<i64>, UnitBlocks)> = sqlx::query_as(
        "SELECT g.key, g.kind, coalesce(array_agg(gb.block_id ORDER BY gb.block_id) FILTER (WHERE gb.block_id IS NOT NULL), '{}'),
                g.unit_block_ids
         FROM grid g LEFT JOIN grid_block gb ON gb.grid_id = g.id AND gb.district_code = g.district_code WHERE g.plan_id = $1 GROUP BY g.id, g.district_code ORDER BY g.id",
    )
    .bind(plan_id)
    .fetch_all(&mut *tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(key, kind, blocks, unit)| ProposedGrid {
            key,
            kind: GridKind::parse(&kind).unwrap_or(GridKind::Natural),
            blocks,
            unit,
        })
        .collect())
}

/// Validate the plan against the current blocks without storing anything.
pub async fn validate_stored(pool: &PgPool, plan_id: i64) -> Result<PlanReport> {
    let plan = get_plan(pool, plan_id).await?;
    let mut conn = pool.acquire().await?;
    let graph = load_graph(&mut conn, &plan.community_code).await?;
    let grids = stored_grids(&mut conn, plan_id).await?;
    Ok(validate_plan(&graph, &grids, Band::default()))
}

/// Publish a draft from `valid_from` (default: now). Refused with the problems if the plan is not a valid
/// partition, and with 409 if another version was published after the draft's base.
pub async fn publish(
    tx: &mut PgConnection,
    plan_id: i64,
    valid_from: Option<DateTime<Utc>>,
) -> Result<(Plan, PlanReport, u64)> {
    let row: Option<(String, String, Option<i64>)> =
        sqlx::query_as("SELECT community_code, status, based_on FROM plan WHERE id = $1 FOR UPDATE")
            .bind(plan_id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((community, stored_status, based_on)) = row else {
        return Err(PlanError::UnknownPlan(plan_id));
    };
    sqlx::query("SELECT 1 FROM community WHERE code = $1 AND district_code = left($1, 6) FOR UPDATE")
        .bind(&community)
        .execute(&mut *tx)
        .await?;
    let current_status = status(stored_status)?;
    if current_status != PlanStatus::Draft {
        return Err(PlanError::NotADraft(plan_id, current_status));
    }
    let graph = load_graph(tx, &community).await?;
    let report = validate_plan(&graph, &stored_grids(tx, plan_id).await?, Band::default());
    if !report.is_publishable() {
        return Err(PlanError::NotPublishable(Box::new(report)));
    }
    let latest: Option<(i64, DateTime<Utc>)> = sqlx::query_as(
        "SELECT id, valid_from FROM plan WHERE community_code = $1 AND district_code = left($1, 6) AND status = 'published'
         ORDER BY valid_from DESC LIMIT 1",
    )
    .bind(&community)
    .fetch_optional(&mut *tx)
    .await?;
    if latest.map(|l| l.0) != based_on {
        return Err(PlanError::StaleBase { plan: plan_id, based_on, latest: latest.map(|l| l.0) });
    }
    let valid_from = valid_from.unwrap_or_else(Utc::now);
    if let Some((prev, prev_from)) = latest {
        if valid_from <= prev_from {
            return Err(PlanError::ValidFromTooEarly(prev_from));
        }
        sqlx::query("UPDATE plan SET valid_to = $2 WHERE id = $1")
            .bind(prev)
            .bind(valid_from)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("UPDATE plan SET status = 'published', valid_from = $2, published_at = now() WHERE id = $1")
        .bind(plan_id)
        .bind(valid_from)
        .execute(&mut *tx)
        .await?;
    let relocated = super::elements::relocate_community(tx, &community, Utc::now()).await?;
    Ok((get_plan(&mut *tx, plan_id).await?, report, relocated))
}

/// A plan's block → grid assignment: (block, grid key, grid code, households).
pub async fn assignment(pool: &PgPool, plan_id: i64) -> Result<Vec<(i64, String, Option<String>, i32)>> {
    Ok(sqlx::query_as(
        "SELECT gb.block_id, g.key, g.code, b.households FROM grid_block gb JOIN grid g ON g.id = gb.grid_id AND g.district_code = gb.district_code
         JOIN block b ON b.id = gb.block_id AND b.district_code = gb.district_code WHERE gb.plan_id = $1 ORDER BY gb.block_id",
    )
    .bind(plan_id)
    .fetch_all(pool)
    .await?)
}

/// The grids of a plan as a GeoJSON FeatureCollection (households, deviation from 300, kind, code, blocks).
pub async fn grids_geojson(pool: &PgPool, plan_id: i64) -> Result<Value> {
    let band = Band::default();
    let rows: Vec<GridRow> = sqlx::query_as(
        "SELECT g.id, g.key, g.kind, g.code, g.name, g.households, g.residents,
                coalesce(array_agg(gb.block_id ORDER BY gb.block_id) FILTER (WHERE gb.block_id IS NOT NULL), '{}'),
                ST_AsGeoJSON(g.geom, 7)::json
         FROM grid g LEFT JOIN grid_block gb ON gb.grid_id = g.id AND gb.district_code = g.district_code WHERE g.plan_id = $1 GROUP BY g.id, g.district_code ORDER BY g.code, g.id",
    )
    .bind(plan_id)
    .fetch_all(pool)
    .await?;
    let features: Vec<Value> = rows
        .into_iter()
        .map(|(id, key, kind, code, name, households, residents, blocks, geometry)| {
            let h = households.max(0) as u32;
            json!({
                "type": "Feature",
                "id": id,
                "geometry": geometry,
                "properties": {
                    "id": id, "key": key, "kind": kind, "code": code, "name": name,
                    "households": households, "residents": residents,
                    "deviation": band.deviation(h),
                    "within_band": kind != "natural" || band.contains(h),
                    "blocks": blocks,
                }
            })
        })
        .collect();
    Ok(json!({ "type": "FeatureCollection", "features": features }))
}

/// A live block as the partitioner's graph reads it.
#[derive(sqlx::FromRow)]
struct GraphRow {
    id: i64,
    households: i32,
    area_m2: f64,
    perimeter: f64,
    lon: f64,
    lat: f64,
    /// The block it was divided from: its compound.
    parent_id: Option<i64>,
}

/// The community's block graph in the partitioner's format (building cells carry their compound): households, area and perimeter in metres, points in
/// local metres, shared boundary lengths; the blocks of `fixed` grids (key → blocks) held in place.
pub async fn partition_input(
    conn: &mut PgConnection,
    community: &str,
    fixed: &[(String, Vec<i64>)],
) -> Result<wangge_domain::partition::BlockGraphInput> {
    use wangge_domain::partition::{BlockGraphInput, Edge, Node};
    let rows: Vec<GraphRow> = sqlx::query_as(
        "SELECT id, households, area_m2, ST_Perimeter(geom::geography) AS perimeter, ST_X(p) AS lon, ST_Y(p) AS lat,
                parent_id
         FROM (SELECT *, ST_PointOnSurface(geom) p FROM block WHERE community_code = $1 AND district_code = left($1, 6) AND NOT retired) b ORDER BY id",
    )
    .bind(community)
    .fetch_all(&mut *conn)
    .await?;
    let lat0 = rows.first().map_or(0.0, |r| r.lat).to_radians();
    let nodes = rows
        .into_iter()
        .map(|r| Node {
            id: r.id,
            households: r.households.max(0) as u32,
            area: r.area_m2,
            perimeter: r.perimeter,
            x: r.lon * 111_320.0 * lat0.cos(),
            y: r.lat * 110_574.0,
            compound: r.parent_id,
        })
        .collect();
    let edges: Vec<(i64, i64, f64)> = sqlx::query_as(
        "SELECT a, b, shared_m FROM block_adjacency WHERE district_code = left($1, 6) AND a IN (SELECT id FROM block WHERE community_code = $1 AND district_code = left($1, 6) AND NOT retired)",
    )
    .bind(community)
    .fetch_all(&mut *conn)
    .await?;
    Ok(BlockGraphInput {
        nodes,
        edges: edges.into_iter().map(|(a, b, length)| Edge { a, b, length }).collect(),
        fixed: fixed.iter().flat_map(|(key, blocks)| blocks.iter().map(move |b| (*b, key.clone()))).collect(),
    })
}

/// Propose a draft: keep the dedicated grids of the plan in force and divide every other block into ~300-household
/// natural grids with the partitioner; the draft to store is based on the plan in force.
pub async fn suggest_input(
    conn: &mut PgConnection,
    community: &CommunityCode,
    options: &wangge_domain::partition::Options,
) -> Result<(PlanInput, wangge_domain::partition::PartitionResult)> {
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM community WHERE code = $1 AND district_code = left($1, 6))")
            .bind(community.as_str())
            .fetch_one(&mut *conn)
            .await?;
    if !exists {
        return Err(PlanError::UnknownCommunity(community.to_string()));
    }
    let current = plan_in_force(&mut *conn, community.as_str(), Utc::now()).await?;
    let dedicated: Vec<(String, Vec<i64>, Option<String>, UnitBlocks)> = match &current {
        Some(p) => {
            sqlx::query_as(
                "SELECT g.key, array_agg(gb.block_id ORDER BY gb.block_id), g.name, g.unit_block_ids
             FROM grid g JOIN grid_block gb ON gb.grid_id = g.id AND gb.district_code = g.district_code JOIN block b ON b.id = gb.block_id AND b.district_code = gb.district_code AND NOT b.retired
             WHERE g.plan_id = $1 AND g.kind = 'dedicated' GROUP BY g.id, g.district_code ORDER BY g.key",
            )
            .bind(p.id)
            .fetch_all(&mut *conn)
            .await?
        }
        None => Vec::new(),
    };
    let fixed: Vec<(String, Vec<i64>)> = dedicated.iter().map(|d| (d.0.clone(), d.1.clone())).collect();
    let graph = partition_input(conn, community.as_str(), &fixed).await?;
    if graph.nodes.is_empty() {
        return Err(PlanError::NoBlocks(community.to_string()));
    }
    let result =
        wangge_domain::partition::partition(&graph, options).map_err(|e| PlanError::PartitionFailed(e.to_string()))?;
    let mut grids: Vec<GridInput> = dedicated
        .into_iter()
        .map(|(key, blocks, name, unit)| GridInput { key, kind: GridKind::Dedicated, name, blocks, unit })
        .collect();
    grids.extend(result.regions.iter().filter(|r| !r.label.starts_with("fixed:")).map(|r| GridInput {
        key: r.label.clone(),
        kind: GridKind::Natural,
        name: None,
        blocks: r.blocks.clone(),
        unit: None,
    }));
    let input = PlanInput {
        grids,
        based_on: current.map(|p| p.id),
        note: Some(format!("suggested (seed {})", result.seed)),
        revision: None,
    };
    Ok((input, result))
}

/// How a stored plan is redrawn in part.
#[derive(Debug, Clone)]
pub enum Rebalance {
    /// Re-divide the grids within `hops` steps of grid `focus`; every farther grid stays.
    Around {
        /// The natural grid the edit was around.
        focus: String,
        /// Grid-adjacency steps.
        hops: usize,
    },
    /// Bring the grids outside the band back; every grid inside it stays exactly as it is.
    Community,
}

/// A new draft (and its community) redrawn from plan `plan_id` as `how` says; dedicated grids always stay. Blocks
/// divided since the plan was drawn are replaced by their cells, in the same grid. For [`Rebalance::Community`],
/// also what changed.
pub async fn rebalance_input(
    pool: &PgPool,
    plan_id: i64,
    how: &Rebalance,
) -> Result<(CommunityCode, PlanInput, wangge_domain::partition::PartitionResult, Option<RebalanceSummary>)> {
    let plan = get_plan(pool, plan_id).await?;
    let community: CommunityCode =
        plan.community_code.parse().map_err(|e: wangge_domain::codes::CodeError| anyhow::anyhow!(e))?;
    let grids = stored_grids(&mut *pool.acquire().await?, plan_id).await?;
    if let Rebalance::Around { focus, .. } = how {
        if !grids.iter().any(|g| &g.key == focus && g.kind == GridKind::Natural) {
            return Err(PlanError::UnknownGrid(format!("{focus} in plan {plan_id}")));
        }
    }
    let cells: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT parent_id, id FROM block WHERE community_code = $1 AND district_code = left($1, 6) AND parent_id IS NOT NULL AND NOT retired",
    )
    .bind(community.as_str())
    .fetch_all(pool)
    .await?;
    // a block of the plan divided since: its cells, in its grid
    let live = |blocks: &[i64]| -> Vec<i64> {
        blocks
            .iter()
            .flat_map(|&b| {
                let pieces: Vec<i64> = cells.iter().filter(|c| c.0 == b).map(|c| c.1).collect();
                if pieces.is_empty() {
                    vec![b]
                } else {
                    pieces
                }
            })
            .collect()
    };
    let dedicated: Vec<(String, Vec<i64>)> =
        grids.iter().filter(|g| g.kind == GridKind::Dedicated).map(|g| (g.key.clone(), live(&g.blocks))).collect();
    let graph = partition_input(&mut *pool.acquire().await?, community.as_str(), &dedicated).await?;
    let in_graph: std::collections::HashSet<i64> = graph.nodes.iter().map(|n| n.id).collect();
    let assignment: std::collections::BTreeMap<i64, String> = grids
        .iter()
        .filter(|g| g.kind == GridKind::Natural)
        .flat_map(|g| live(&g.blocks).into_iter().map(move |b| (b, g.key.clone())))
        .filter(|(b, _)| in_graph.contains(b))
        .collect();
    let (result, summary, note) = match how {
        Rebalance::Around { focus, hops } => {
            let result =
                wangge_domain::partition::rebalance_neighbours(&graph, &assignment, focus, *hops, &Default::default())
                    .map_err(|e| PlanError::PartitionFailed(e.to_string()))?;
            (result, None, format!("rebalanced around {focus} ({hops} step(s))"))
        }
        Rebalance::Community => {
            let r = wangge_domain::partition::rebalance_community(&graph, &assignment, &Default::default())
                .map_err(|e| PlanError::PartitionFailed(e.to_string()))?;
            let note = format!(
                "community rebalanced: {} grid(s) changed, {} household(s) moved",
                r.changed.len(),
                r.moved_households
            );
            let summary = RebalanceSummary {
                kept: r.kept,
                changed: r.changed,
                moved_households: r.moved_households,
                moved_blocks: r.moved_blocks,
                widened: r.widened,
            };
            (r.result, Some(summary), note)
        }
    };
    let names: HashMap<&str, (&GridKind, &Option<Vec<i64>>)> =
        grids.iter().map(|g| (g.key.as_str(), (&g.kind, &g.unit))).collect();
    let input = PlanInput {
        grids: result
            .regions
            .iter()
            .map(|r| {
                let (kind, unit) =
                    names.get(r.label.as_str()).map_or((GridKind::Natural, None), |(k, u)| (**k, (*u).clone()));
                GridInput { key: r.label.clone(), kind, name: None, blocks: r.blocks.clone(), unit }
            })
            .collect(),
        based_on: if plan.status == PlanStatus::Published { Some(plan.id) } else { plan.based_on },
        note: Some(note),
        revision: None,
    };
    Ok((community, input, result, summary))
}

/// Where each grid of plan `plan_id` came from, and the codes of the version it replaces that it retired.
pub async fn lineage(pool: &PgPool, plan_id: i64) -> Result<wangge_api::plans::Lineage> {
    use wangge_api::plans::{GridLineage, Lineage, LineageParent};
    let plan = get_plan(pool, plan_id).await?;
    #[derive(sqlx::FromRow)]
    struct Row {
        code: Option<String>,
        key: String,
        name: Option<String>,
        origin: Option<String>,
        parents: sqlx::types::Json<Vec<LineageParent>>,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT g.code, g.key, g.name, g.origin,
                coalesce(json_agg(json_build_object('code', p.code, 'households', l.households, 'blocks', l.blocks,
                                                    'share', l.share)
                                  ORDER BY l.households DESC, l.blocks DESC, p.code) FILTER (WHERE p.id IS NOT NULL),
                         '[]') AS parents
         FROM grid g LEFT JOIN grid_lineage l ON l.grid_id = g.id AND l.district_code = g.district_code LEFT JOIN grid p ON p.id = l.parent_id AND p.district_code = l.district_code
         WHERE g.plan_id = $1 GROUP BY g.id, g.district_code ORDER BY g.code, g.key",
    )
    .bind(plan_id)
    .fetch_all(pool)
    .await?;
    let retired: Vec<String> = sqlx::query_scalar(
        "SELECT code FROM grid WHERE plan_id = $1 AND code IS NOT NULL
           AND code NOT IN (SELECT code FROM grid WHERE plan_id = $2 AND code IS NOT NULL) ORDER BY code",
    )
    .bind(plan.based_on)
    .bind(plan_id)
    .fetch_all(pool)
    .await?;
    Ok(Lineage {
        plan: plan.id,
        based_on: plan.based_on,
        provisional: plan.status == PlanStatus::Draft,
        grids: rows
            .into_iter()
            .map(|r| GridLineage {
                code: r.code.unwrap_or_default(),
                key: r.key,
                name: r.name,
                origin: r.origin.as_deref().and_then(wangge_domain::lineage::Origin::parse),
                parents: r.parents.0,
            })
            .collect(),
        retired,
    })
}
