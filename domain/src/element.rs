//! The elements located in grids besides people and buildings: places, facilities (city components) and
//! organizations.
//!
//! ```
//! use wangge_domain::element::ElementKind;
//! assert_eq!(ElementKind::Organization.as_str(), "organization");
//! ```

use serde::{Deserialize, Serialize};

/// What an element is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ElementKind {
    /// 地: a named place or point of interest.
    Place,
    /// 物 / 部件: a city component with its 16-digit id (manhole cover, street light, hydrant, …).
    Facility,
    /// 组织: a company, social organization, party organization, property company.
    Organization,
}

impl ElementKind {
    /// The name as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            ElementKind::Place => "place",
            ElementKind::Facility => "facility",
            ElementKind::Organization => "organization",
        }
    }
}
