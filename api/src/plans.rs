//! Grid plans on the wire: the draft a planner (or the editor) sends, and the answers the server gives.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use wangge_domain::partition::Findings;
use wangge_domain::plan::{GridKind, GridStats, PlanReport, PlanStatus, Problem};

/// A grid as submitted by a planner.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GridInput {
    /// Client key (a code or a temporary label); unique in the plan.
    pub key: String,
    /// `natural` or `dedicated`.
    pub kind: GridKind,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Blocks assigned.
    pub blocks: Vec<i64>,
    /// Dedicated grids: the unit's blocks that must stay in it.
    #[serde(default)]
    pub unit: Option<Vec<i64>>,
}

/// A submitted plan.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    /// Its grids.
    pub grids: Vec<GridInput>,
    /// The published plan this draft starts from (checked at publish time).
    #[serde(default)]
    pub based_on: Option<i64>,
    /// A note.
    #[serde(default)]
    pub note: Option<String>,
    /// When replacing a draft: the revision the editor started from. A different stored revision means someone
    /// else saved meanwhile, and the save is refused (409 `stale_revision`) rather than overwriting theirs.
    #[serde(default)]
    pub revision: Option<i32>,
}

/// A plan version as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct Plan {
    /// Id.
    pub id: i64,
    /// Community.
    pub community_code: String,
    /// Version number in the community.
    pub version: i32,
    /// Draft or published.
    #[cfg_attr(feature = "sqlx", sqlx(try_from = "String"))]
    pub status: PlanStatus,
    /// The published plan it was based on.
    pub based_on: Option<i64>,
    /// Note.
    pub note: Option<String>,
    /// Valid from (published).
    pub valid_from: Option<DateTime<Utc>>,
    /// Valid until, exclusive (superseded).
    pub valid_to: Option<DateTime<Utc>>,
    /// When published.
    pub published_at: Option<DateTime<Utc>>,
    /// Bumped by every save.
    pub revision: i32,
}

/// A stored draft and its validation report (the answer to creating or replacing a draft).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// The version.
    pub plan: Plan,
    /// Problems and per-grid figures.
    pub report: PlanReport,
}

/// A draft proposed by the partitioner, with the blocks it could not balance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    /// The version.
    pub plan: Plan,
    /// Problems and per-grid figures.
    pub report: PlanReport,
    /// What the partitioner found: blocks it could not balance, compounds it cut, pieces, empty grids.
    #[serde(flatten)]
    pub findings: Findings,
    /// Compounds divided into building cells for this suggestion (block id → its cells), before it was made.
    #[serde(default)]
    pub divided: Vec<Divided>,
    /// For "rebalance the community": what changed of the plan it started from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebalanced: Option<RebalanceSummary>,
}

/// What "rebalance the community" changed: the grids inside the band stay exactly as they were.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RebalanceSummary {
    /// Grids left exactly as they were.
    pub kept: Vec<String>,
    /// Grids that gained or lost blocks (new ones are keyed `new-1`, …).
    pub changed: Vec<String>,
    /// Households of the blocks that moved to another grid.
    pub moved_households: u32,
    /// Blocks that moved.
    pub moved_blocks: usize,
    /// Rings of in-band neighbours that had to join (0: only grids outside the band changed).
    pub widened: usize,
}

/// A compound divided into building cells, or a tower into its units: the block it was, and the cells that replace
/// it in new plans.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Divided {
    /// The block (kept by published versions that use it).
    pub block: i64,
    /// Its households.
    pub households: i32,
    /// Its building cells (or units).
    pub cells: Vec<i64>,
}

/// A published version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Published {
    /// The version, now in force from its `valid_from`.
    pub plan: Plan,
    /// Its report.
    pub report: PlanReport,
    /// Located elements and residents whose grid was recomputed.
    pub elements_relocated: u64,
}

/// A block no grid polygon of an imported layer covers enough (left unassigned).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockBetween {
    /// The block.
    pub block: i64,
    /// Share of its area covered by any polygon (0–1, two decimals).
    pub covered: f64,
}

/// A block an imported layer's polygons cut across (assigned to the one covering most of it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockAcross {
    /// The block.
    pub block: i64,
    /// The grid it went to.
    pub grid: String,
    /// Share of its area in that grid (0–1, two decimals).
    pub share: f64,
}

/// A draft made from an imported layer of grid polygons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Imported {
    /// The version.
    pub plan: Plan,
    /// Problems and per-grid figures.
    pub report: PlanReport,
    /// Blocks between the layer's polygons.
    pub between: Vec<BlockBetween>,
    /// Blocks across them.
    pub across: Vec<BlockAcross>,
    /// Polygons of the layer that cover no block (left out of the draft).
    pub grids_without_blocks: Vec<String>,
}

/// The details of a refusal to publish (`plan_not_publishable`): what stops it, and the figures per grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotPublishable {
    /// The problems.
    pub problems: Vec<Problem>,
    /// Figures per grid.
    pub grids: Vec<GridStats>,
}

/// What a grid of a version holds of a grid of the version it replaces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineageParent {
    /// The old grid's code.
    pub code: String,
    /// Households it passed on.
    pub households: i32,
    /// Blocks it passed on.
    pub blocks: i32,
    /// The share of the old grid that passed on (of its households; of its blocks when it had none).
    pub share: f64,
}

/// Where a grid of a version came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridLineage {
    /// Its code (provisional while the version is a draft).
    pub code: String,
    /// Its key in the plan.
    pub key: String,
    /// Its name.
    pub name: Option<String>,
    /// How it came about (none for a community's first version).
    pub origin: Option<wangge_domain::lineage::Origin>,
    /// The old grids it holds a part of, the largest part first.
    pub parents: Vec<LineageParent>,
}

/// A version's grids traced to the version it replaces (`GET /api/plans/{id}/lineage`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lineage {
    /// The version.
    pub plan: i64,
    /// The version it replaces.
    pub based_on: Option<i64>,
    /// Whether the codes are provisional (a draft: they are issued when it is published).
    pub provisional: bool,
    /// Its grids.
    pub grids: Vec<GridLineage>,
    /// Codes of the version replaced that no grid keeps: retired, never issued again.
    pub retired: Vec<String>,
}
