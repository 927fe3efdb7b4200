//! Import the default case catalogue from the shared data folder: the national classification of components and
//! events, the community-side taxonomy, and the official holiday calendar; and give a district its default
//! departments.

use std::fs::File;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;
use sqlx::PgPool;
use wangge_gis_data::catalogue::{
    read_grid_taxonomy, read_holidays, read_national, unclassified, DEFAULT_DEPARTMENTS, PUBLIC_SERVICES,
};

use crate::store::catalogue;

/// What an import added.
#[derive(Debug, Serialize)]
pub struct CatalogueSummary {
    /// New categories.
    pub categories_added: u64,
    /// Calendar days stored.
    pub calendar_days: u64,
    /// New public services (the short list residents choose from).
    pub public_services_added: u64,
}

fn open(dir: &Path, file: &str) -> Result<File> {
    let path = dir.join(file);
    File::open(&path).with_context(|| format!("reading {}", path.display()))
}

/// Import the catalogue and the calendar from `data` (the shared data folder).
pub async fn import_catalogue(pool: &PgPool, data: &Path) -> Result<CatalogueSummary> {
    let mut seeds = read_national(open(data, "cn-urban-management/gbt47678.5-2026_components_events.csv")?)?;
    seeds.extend(read_grid_taxonomy(open(data, "grid-event-taxonomy/grid_event_enums.csv")?)?);
    seeds.push(unclassified());
    let days = read_holidays(open(data, "cn-holidays/cn_holidays_2024_2026.csv")?)?;
    let categories_added = catalogue::seed_categories(pool, &seeds).await?;
    Ok(CatalogueSummary {
        categories_added,
        calendar_days: catalogue::store_calendar(pool, &days).await?,
        public_services_added: catalogue::seed_public_services(pool, &PUBLIC_SERVICES).await?,
    })
}

/// Give `district` the default departments (existing ones are kept); returns how many were new.
pub async fn seed_departments(pool: &PgPool, district: &str) -> Result<u64> {
    let mut conn = pool.acquire().await?;
    Ok(catalogue::add_departments(&mut conn, district, &DEFAULT_DEPARTMENTS).await?)
}
