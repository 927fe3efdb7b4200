//! Incident density: hexagon bins with their hot-spot class, and counts and rates per area with the change against
//! the previous period of the same length.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use wangge_domain::emerging::Emerging;
use wangge_domain::hotspot::HotSpotClass;

/// One hexagon bin (an H3 cell).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bin {
    /// The H3 cell, as its hexadecimal index.
    pub cell: String,
    /// Incidents in it.
    pub count: u32,
    /// Gi* z-score (hot-spot requests only).
    pub z: Option<f64>,
    /// Its one-sided normal p-value.
    pub p: Option<f64>,
    /// Hot or cold, and how sure (with the false-discovery-rate correction).
    pub class: Option<HotSpotClass>,
    /// The hexagon's corners, (lon, lat), for drawing.
    pub boundary: Vec<(f64, f64)>,
}

/// The bins of a view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bins {
    /// H3 resolution.
    pub resolution: u8,
    /// Incidents counted.
    pub total: u64,
    /// The bins with incidents (and, for hot spots, the empty bins around them they were tested with).
    pub bins: Vec<Bin>,
}

/// The level areas are counted at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaLevel {
    /// Streets (街道).
    Street,
    /// Communities (社区).
    Community,
    /// Natural grids (网格).
    Grid,
    /// Dedicated grids (专属网格: a school, a hospital, a market).
    Dedicated,
    /// Special grids (专项网格), by id: overlays that may cover other grids.
    Special,
}

/// Incidents of one area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaDensity {
    /// Its code (a special grid's: its id).
    pub code: String,
    /// Its name.
    pub name: Option<String>,
    /// Incidents in the window.
    pub count: u64,
    /// Incidents in the window of the same length just before.
    pub previous: u64,
    /// Households (for grids: of the plan in force; else of its buildings).
    pub households: i64,
    /// Residents.
    pub residents: i64,
    /// Incidents per 100 households (none without households).
    pub per_100_households: Option<f64>,
    /// Incidents per 1,000 residents.
    pub per_1000_residents: Option<f64>,
}

/// A place where the same problem keeps coming back (the monthly meeting's "hard issues").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepeatPlace {
    /// Minor category code.
    pub category: String,
    /// The H3 cell of the place.
    pub cell: String,
    /// Its centre (lon, lat).
    pub at: (f64, f64),
    /// Reports of that category there in the window.
    pub count: u32,
    /// The newest of them first (at most 20 ids).
    pub case_ids: Vec<i64>,
}

/// A place with a history of hot spots: a bin hot in the final slice, classed by its slices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmergingBin {
    /// The H3 cell.
    pub cell: String,
    /// New, consecutive, intensifying, persistent, diminishing, sporadic or oscillating.
    pub class: Emerging,
    /// Incidents per slice, oldest first.
    pub counts: Vec<u32>,
    /// Gi* z-score per slice.
    pub z: Vec<f64>,
    /// Mann–Kendall trend of the z-scores: its normal score.
    pub trend_z: f64,
    /// Its two-sided p-value.
    pub trend_p: f64,
    /// The hexagon's corners, (lon, lat).
    pub boundary: Vec<(f64, f64)>,
}

/// Emerging hot spots of a view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmergingBins {
    /// H3 resolution.
    pub resolution: u8,
    /// The time slices, oldest first: [from, to).
    pub slices: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// The places hot in the final slice.
    pub bins: Vec<EmergingBin>,
}

/// One bin of a two-period comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareBin {
    /// The H3 cell.
    pub cell: String,
    /// Incidents in the window.
    pub count: u32,
    /// Incidents in the window of the same length just before.
    pub previous: u32,
    /// The hexagon's corners, (lon, lat).
    pub boundary: Vec<(f64, f64)>,
}

/// A view's bins in this period and the one before (the difference map).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// H3 resolution.
    pub resolution: u8,
    /// Incidents in the window.
    pub total: u64,
    /// Incidents in the period before.
    pub previous_total: u64,
    /// Every bin with incidents in either period.
    pub bins: Vec<CompareBin>,
}

/// Incidents of one major class per time interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassSeries {
    /// Major class code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Incidents per interval, oldest first.
    pub counts: Vec<u32>,
}

/// A view's incidents over time, per major class (the time-series chart).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// Where each interval starts.
    pub starts: Vec<DateTime<Utc>>,
    /// The classes, most incidents first.
    pub classes: Vec<ClassSeries>,
}

/// How long a time-series interval is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    /// A day.
    Day,
    /// A week.
    Week,
    /// A calendar month (China time).
    Month,
}
