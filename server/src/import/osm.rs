//! Import an OpenStreetMap file (XML or PBF).

use std::path::Path;

use anyhow::{Context, Result};
use sqlx::PgPool;
use wangge_domain::households::HouseholdModel;
use wangge_gis_data::osm;

use crate::store::features::{insert_features, ImportSummary};

/// Read, extract and store; rows already imported are skipped.
pub async fn import_osm(pool: &PgPool, path: &Path, model: &HouseholdModel) -> Result<ImportSummary> {
    let raw = osm::read_file(path).with_context(|| format!("reading {}", path.display()))?;
    let features = osm::extract(&raw);
    Ok(insert_features(pool, "osm", &features, model).await?)
}
