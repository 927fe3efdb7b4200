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
    /// Street, community, natural or dedicated grid, or a special grid (sent as its theme).
    pub kind: AreaKind,
    /// Households (grids only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub households: Option<i32>,
    /// Version of the plan the grid belongs to (grids only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_version: Option<i32>,
}

/// What kind of area a point lies in. On the wire it is one word: `street`, `community`, `natural`, `dedicated`,
/// or, for a special grid, its theme (`river`, `safety`, …).
///
/// ```
/// use wangge_domain::located::AreaKind;
/// assert_eq!(AreaKind::from("dedicated".to_owned()), AreaKind::Dedicated);
/// assert_eq!(AreaKind::from("river".to_owned()), AreaKind::Special("river".into()));
/// assert_eq!(String::from(AreaKind::Natural), "natural");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum AreaKind {
    /// 街道.
    Street,
    /// 社区.
    Community,
    /// 自然网格.
    Natural,
    /// 专属网格.
    Dedicated,
    /// 专项网格, with its theme.
    Special(String),
}

impl From<String> for AreaKind {
    fn from(s: String) -> Self {
        match s.as_str() {
            "street" => AreaKind::Street,
            "community" => AreaKind::Community,
            "natural" => AreaKind::Natural,
            "dedicated" => AreaKind::Dedicated,
            _ => AreaKind::Special(s),
        }
    }
}

impl From<AreaKind> for String {
    fn from(k: AreaKind) -> String {
        match k {
            AreaKind::Street => "street".into(),
            AreaKind::Community => "community".into(),
            AreaKind::Natural => "natural".into(),
            AreaKind::Dedicated => "dedicated".into(),
            AreaKind::Special(theme) => theme,
        }
    }
}

impl std::fmt::Display for AreaKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&String::from(self.clone()))
    }
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
