//! Grids and search on the wire: a grid's public card, its statistics for staff, search hits.

use serde::{Deserialize, Serialize};
use wangge_domain::access::Role;
use wangge_domain::plan::{GridKind, PlanStatus};

/// What a search hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HitKind {
    /// A grid.
    Grid,
    /// A community.
    Community,
    /// A building.
    Building,
    /// A place (element).
    Place,
    /// A facility (element).
    Facility,
    /// An organization (element).
    Organization,
}

impl HitKind {
    /// Its name, as sent (also the interface text's key).
    pub fn as_str(self) -> &'static str {
        match self {
            HitKind::Grid => "grid",
            HitKind::Community => "community",
            HitKind::Building => "building",
            HitKind::Place => "place",
            HitKind::Facility => "facility",
            HitKind::Organization => "organization",
        }
    }
}

/// A search result.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SearchHit {
    /// What it is.
    pub kind: HitKind,
    /// Main text.
    pub label: String,
    /// Secondary text (address, code).
    #[serde(default)]
    pub detail: Option<String>,
    /// Where it is.
    pub lon: f64,
    /// Where it is.
    pub lat: f64,
}

/// Counts of the elements in a grid, by kind.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct ElementCounts {
    /// Places.
    #[serde(default)]
    pub place: i64,
    /// Facilities.
    #[serde(default)]
    pub facility: i64,
    /// Organizations.
    #[serde(default)]
    pub organization: i64,
}

/// A grid worker's or grid head's public contact.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Contact {
    /// Name.
    pub name: String,
    /// Grid worker or grid head.
    pub role: Role,
    /// Work phone.
    #[serde(default)]
    pub work_phone: Option<String>,
}

/// A grid's public card.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GridCard {
    /// Id.
    pub id: i64,
    /// 15-digit code.
    pub code: String,
    /// `natural` or `dedicated`.
    pub kind: GridKind,
    /// Name.
    pub name: String,
    /// Community code.
    pub community_code: String,
    /// Community name.
    pub community_name: String,
    /// Street name.
    pub street_name: String,
    /// Who to contact.
    #[serde(default)]
    pub contacts: Vec<Contact>,
    /// Bounding box (west, south, east, north), to show the grid when it is opened by its URL.
    #[serde(default)]
    pub bbox: Option<[f64; 4]>,
}

/// A grid's statistics (staff whose scope covers the grid).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GridStats {
    /// The grid.
    pub id: i64,
    /// Its plan.
    pub plan_id: i64,
    /// The plan's version.
    pub plan_version: i32,
    /// The plan's status.
    pub plan_status: PlanStatus,
    /// Households.
    pub households: i32,
    /// Residents (estimated).
    pub residents: i32,
    /// Buildings.
    pub buildings: i64,
    /// Elements by kind.
    pub elements: ElementCounts,
    /// Registered residents.
    pub registered_residents: i64,
}

/// A grid of an earlier version whose incidents a grid's history takes in, with the share it takes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Ancestor {
    /// Its code.
    pub code: String,
    /// Its plan's version.
    pub plan_version: i32,
    /// The share of its incidents counted (the product of the shares that passed along the way; 1 for the grid
    /// itself).
    pub weight: f64,
}

/// Incidents of one month in a grid's history.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HistoryMonth {
    /// The month, `YYYY-MM` (China time).
    pub month: String,
    /// Incidents reported in the grid itself, while its version was in force.
    pub own: i64,
    /// Its incidents with those of its ancestors, each weighted by the share that passed to it.
    pub incidents: f64,
}

/// The households of a grid's place in one plan version: its ancestors of that version, each weighted by the share
/// that passed on towards the grid (the grid's own count in its own version).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HistoryVersion {
    /// The plan version.
    pub plan_version: i32,
    /// When the version came into force.
    pub valid_from: chrono::DateTime<chrono::Utc>,
    /// When it ended (`None`: in force).
    pub valid_to: Option<chrono::DateTime<chrono::Utc>>,
    /// Households (weighted; a fraction where a grid was shared).
    pub households: f64,
}

/// A grid's incidents month by month across redraws (`GET /api/grids/{id}/history`): what happened in the grid, and
/// before it existed in this shape, in the grids it came from, weighted by what moved; and its households version by
/// version, counted the same way.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GridHistory {
    /// The grid.
    pub id: i64,
    /// Its code.
    pub code: String,
    /// It and the grids it came from, nearest first.
    pub ancestors: Vec<Ancestor>,
    /// Month by month, oldest first (months without incidents left out).
    pub months: Vec<HistoryMonth>,
    /// Households per plan version of its place, oldest first.
    pub versions: Vec<HistoryVersion>,
}
