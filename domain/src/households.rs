//! How many households live in a building, when nobody has counted them.
//!
//! `households = round(residential footprint area × floors ÷ gross floor area per household)`.
//! Only residential buildings get households. A count imported from a register (or an OSM `building:flats` tag)
//! always wins over the estimate. Residents are households × persons per household.
//!
//! ```
//! use wangge_domain::households::{HouseholdModel, BuildingUse};
//! let model = HouseholdModel::default(); // 120 m² gross per household, 6 floors when unknown
//! let est = model.estimate(BuildingUse::Residential, 600.0, Some(18), None);
//! assert_eq!(est.households, 90); // 600 m² × 18 floors ÷ 120 m²
//! assert_eq!(model.estimate(BuildingUse::Other, 600.0, Some(18), None).households, 0);
//! assert_eq!(model.estimate(BuildingUse::Residential, 600.0, Some(18), Some(40)).households, 40);
//! ```

use serde::{Deserialize, Serialize};

/// What a building is used for, as far as household counting cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuildingUse {
    /// Homes: apartments, houses, dormitories.
    Residential,
    /// Everything else: offices, shops, schools, hospitals, factories…
    Other,
}

impl BuildingUse {
    /// Classify an OpenStreetMap `building=*` value; `building=yes` counts as residential only inside residential
    /// land use (`in_residential_landuse`).
    pub fn from_osm(building: &str, in_residential_landuse: bool) -> Self {
        match building {
            "residential" | "apartments" | "house" | "detached" | "semidetached_house" | "terrace" | "dormitory"
            | "bungalow" | "villa" => BuildingUse::Residential,
            "yes" if in_residential_landuse => BuildingUse::Residential,
            _ => BuildingUse::Other,
        }
    }
}

/// Where a household count came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HouseholdSource {
    /// Computed from footprint × floors ÷ gross area per household.
    Estimated,
    /// Taken from a register or a source attribute.
    Imported,
}

impl HouseholdSource {
    /// Stable lower-case name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            HouseholdSource::Estimated => "estimated",
            HouseholdSource::Imported => "imported",
        }
    }
}

/// The parameters of the estimate (configurable per import).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HouseholdModel {
    /// Gross floor area per household in m² (common areas included). Default 120.
    pub gross_m2_per_household: f64,
    /// Floors assumed for a residential building with no floor count. Default 6 (the typical walk-up).
    pub default_floors: u16,
    /// Persons per household, to estimate residents. Default 2.62 (China, 2020 census).
    pub persons_per_household: f64,
}

impl Default for HouseholdModel {
    fn default() -> Self {
        Self { gross_m2_per_household: 120.0, default_floors: 6, persons_per_household: 2.62 }
    }
}

/// The result of estimating one building.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdEstimate {
    /// Households living in the building.
    pub households: u32,
    /// Residents living in the building.
    pub residents: u32,
    /// Whether `households` was counted or estimated.
    pub source: HouseholdSource,
}

impl HouseholdModel {
    /// Estimate one building: its use, footprint area in m², floors if known, and an imported count if any.
    pub fn estimate(
        &self,
        building_use: BuildingUse,
        footprint_m2: f64,
        floors: Option<u16>,
        imported: Option<u32>,
    ) -> HouseholdEstimate {
        let (households, source) = match imported {
            Some(n) => (n, HouseholdSource::Imported),
            None if building_use == BuildingUse::Residential => {
                let floors = f64::from(floors.unwrap_or(self.default_floors).max(1));
                let gross = footprint_m2.max(0.0) * floors;
                ((gross / self.gross_m2_per_household).round() as u32, HouseholdSource::Estimated)
            }
            None => (0, HouseholdSource::Estimated),
        };
        let residents = (f64::from(households) * self.persons_per_household).round() as u32;
        HouseholdEstimate { households, residents, source }
    }
}
