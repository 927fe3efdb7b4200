//! The in-memory incident store: every case (reported, imported or generated) as columns in report-time order, so
//! the desk's counts and pages and the density views scan memory instead of asking the database.
//!
//! It is read whole at start ([`Incidents::load`]) and kept in step three ways: a write of this server names the
//! cases it changed and they are read again right after its commit ([`Incidents::refresh_cases`], through the
//! after-write path), so the writer sees its own write; and a job catches up with writes of other processes
//! (imports, the demo loader): cases written since shortly before the newest write seen, and a full reload when the
//! database holds cases memory missed (a long import whose rows carry its start time) or fewer than memory, or when
//! months were archived or restored.

pub mod columns;
pub mod density;
pub mod desk;
pub mod nearby;
pub mod public;
pub mod select;
pub mod tiles;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard};

use chrono::Duration;
use sqlx::PgPool;

use crate::store::{self, incidents as rows};
use columns::Columns;

/// How far before the newest write seen a catch-up looks again (transactions commit out of `updated_at` order).
const OVERLAP_SECONDS: i64 = 10;

/// The store, shared by every handler.
#[derive(Debug, Clone, Default)]
pub struct Incidents {
    columns: Arc<RwLock<Columns>>,
    /// The last archiving or restoring of months memory has seen (`case_archive`).
    archives: Arc<AtomicI64>,
    /// Encoded density tiles, dropped per tile as cases are written into them.
    pub tiles: Arc<tiles::TileCache>,
}

impl Incidents {
    /// Read every case.
    pub async fn load(pool: &PgPool) -> store::Result<Self> {
        let archives = rows::last_archive(pool).await?;
        let columns = Columns::from_rows(rows::all(pool).await?);
        tracing::info!(cases = columns.len(), "incident store loaded");
        Ok(Self {
            columns: Arc::new(RwLock::new(columns)),
            archives: Arc::new(AtomicI64::new(archives)),
            tiles: Arc::default(),
        })
    }

    /// Read access to the columns.
    pub fn read(&self) -> RwLockReadGuard<'_, Columns> {
        self.columns.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write_in(&self, fresh: Vec<rows::IncidentRow>) {
        let points: Vec<(f64, f64)> = fresh.iter().map(|r| (r.lon, r.lat)).collect();
        self.columns.write().unwrap_or_else(|poisoned| poisoned.into_inner()).upsert(fresh);
        self.tiles.invalidate(&points);
    }

    /// Read cases `ids` again (after a write of them committed).
    pub async fn refresh_cases(&self, pool: &PgPool, ids: &[i64]) -> store::Result<()> {
        let fresh = rows::by_ids(pool, ids).await?;
        self.write_in(fresh);
        Ok(())
    }

    /// Catch up with writes of other processes; returns how many cases were read again. The database's count is
    /// taken first: every case it counts was committed before the catch-up reads what changed, so after it memory
    /// holds at least as many cases — unless some were deleted, or a long transaction's rows carry an `updated_at`
    /// older than the overlap; then everything is read again. (Comparing the count after catching up would reload
    /// everything whenever a write of this server committed in between.)
    pub async fn catch_up(&self, pool: &PgPool) -> store::Result<usize> {
        let (known, since) = {
            let c = self.read();
            (c.len() as i64, c.written_until)
        };
        let (in_db, archives) = rows::count(pool).await?;
        let mut n = 0;
        if in_db >= known && self.archives.load(Ordering::Relaxed) == archives {
            if let Some(since) = since {
                let fresh = rows::changed_since(pool, since - Duration::seconds(OVERLAP_SECONDS)).await?;
                n = fresh.len();
                self.write_in(fresh);
            }
            if self.read().len() as i64 >= in_db {
                return Ok(n);
            }
        }
        self.reload(pool).await?;
        self.archives.store(archives, Ordering::Relaxed);
        Ok(self.read().len())
    }

    /// Read every case again (after a bulk load in this process).
    pub async fn reload(&self, pool: &PgPool) -> store::Result<()> {
        let fresh = Columns::from_rows(rows::all(pool).await?);
        *self.columns.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = fresh;
        self.tiles.clear();
        Ok(())
    }
}
