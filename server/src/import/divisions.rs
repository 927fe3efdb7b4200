//! Import official street and community codes (no geometry) from the division CSVs.

use std::path::Path;

use anyhow::{Context, Result};
use sqlx::PgPool;
use wangge_domain::codes::{CommunityCode, DistrictCode, StreetCode};
use wangge_gis_data::divisions::read_divisions;

use crate::store::hierarchy::{upsert_area, Level};

/// Counts stored.
#[derive(Debug, serde::Serialize)]
pub struct DivisionSummary {
    /// Streets.
    pub streets: usize,
    /// Communities.
    pub communities: usize,
}

/// Store the district (named `district_name`), its streets and communities. Existing geometry is kept.
pub async fn import_divisions(
    pool: &PgPool,
    district: &DistrictCode,
    district_name: &str,
    streets_csv: &Path,
    communities_csv: &Path,
) -> Result<DivisionSummary> {
    let open = |p: &Path| std::fs::File::open(p).with_context(|| format!("opening {}", p.display()));
    let streets = read_divisions::<StreetCode, _>(open(streets_csv)?)?;
    let communities = read_divisions::<CommunityCode, _>(open(communities_csv)?)?;
    upsert_area(pool, Level::District, district.as_str(), district_name, None, false).await?;
    let mut n_streets = 0;
    for s in streets.iter().filter(|s| s.code.district() == *district) {
        upsert_area(pool, Level::Street, s.code.as_str(), &s.name, None, false).await?;
        n_streets += 1;
    }
    let mut n_communities = 0;
    for c in communities.iter().filter(|c| c.code.street().district() == *district) {
        upsert_area(pool, Level::Community, c.code.as_str(), &c.name, None, false).await?;
        n_communities += 1;
    }
    Ok(DivisionSummary { streets: n_streets, communities: n_communities })
}
