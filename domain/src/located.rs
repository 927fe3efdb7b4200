//! The answer to “where is this point?”: its street, community, natural or dedicated grid and special grids, as the
//! server sends it and the browser reads it.

use serde::{Deserialize, Serialize};

/// An area a point lies in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Area {
    /// Database id (grids and special grids; 0 for streets and communities).
    pub id: i64,
    /// Official or grid code (empty for special grids).
    pub code: String,
    /// Name.
    pub name: String,
    /// `street`, `community`, `natural`, `dedicated`, or a special grid's theme.
    pub kind: String,
    /// Households (grids only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub households: Option<i32>,
    /// Version of the plan the grid belongs to (grids only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_version: Option<i32>,
}

/// Everything a point lies in.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Located {
    /// The street.
    pub street: Option<Area>,
    /// The community.
    pub community: Option<Area>,
    /// The natural grid.
    pub natural_grid: Option<Area>,
    /// The dedicated grid.
    pub dedicated_grid: Option<Area>,
    /// Special grids (overlays).
    pub special_grids: Vec<Area>,
}

impl Located {
    /// The natural or dedicated grid (they partition a community, so at most one applies).
    pub fn grid(&self) -> Option<&Area> {
        self.natural_grid.as_ref().or(self.dedicated_grid.as_ref())
    }
}
