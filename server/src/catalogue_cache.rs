//! The catalogue as the intake reads it, from memory: the categories and each district's stage limits, read from the
//! database at most once per [`FRESH`] while reports arrive, and afresh at once after a catalogue write through this
//! server ([`Touches::Catalogue`](crate::write::Touches::Catalogue)). A change made by another process (an import
//! from the command line) is seen within [`FRESH`]. A batch of reports then reads neither from the database: two
//! round trips fewer per batch.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use sqlx::PgPool;
use wangge_api::cases::Category;
use wangge_domain::case::clock::StageLimits;

use crate::store::catalogue;

/// How long what was read serves.
pub const FRESH: Duration = Duration::from_secs(1);

/// See the module.
#[derive(Debug, Default)]
pub struct CatalogueCache {
    categories: RwLock<Option<(Instant, HashMap<String, Category>)>>,
    limits: RwLock<HashMap<String, (Instant, StageLimits)>>,
}

impl CatalogueCache {
    /// The categories of `codes` that exist, by code.
    pub async fn categories_of(&self, pool: &PgPool, codes: &[String]) -> anyhow::Result<HashMap<String, Category>> {
        let pick = |all: &HashMap<String, Category>| {
            codes.iter().filter_map(|c| all.get(c).map(|cat| (c.clone(), cat.clone()))).collect()
        };
        if let Some((at, all)) = &*self.categories.read().expect("catalogue cache") {
            if at.elapsed() < FRESH {
                return Ok(pick(all));
            }
        }
        let read = Instant::now();
        let all: HashMap<String, Category> =
            catalogue::categories(pool).await?.into_iter().map(|c| (c.code.clone(), c)).collect();
        let found = pick(&all);
        *self.categories.write().expect("catalogue cache") = Some((read, all));
        Ok(found)
    }

    /// The stage limits of `district`.
    pub async fn stage_limits(&self, pool: &PgPool, district: &str) -> anyhow::Result<StageLimits> {
        if let Some((at, limits)) = self.limits.read().expect("catalogue cache").get(district) {
            if at.elapsed() < FRESH {
                return Ok(limits.clone());
            }
        }
        let read = Instant::now();
        let limits = catalogue::stage_limits(pool, district).await?;
        self.limits.write().expect("catalogue cache").insert(district.to_owned(), (read, limits.clone()));
        Ok(limits)
    }

    /// Forget everything: the catalogue was just written.
    pub fn forget(&self) {
        *self.categories.write().expect("catalogue cache") = None;
        self.limits.write().expect("catalogue cache").clear();
    }
}
