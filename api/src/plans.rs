//! Grid plans on the wire: the draft a planner (or the editor) sends.

use serde::{Deserialize, Serialize};
use wangge_domain::plan::GridKind;

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
