//! The state every handler can reach: the database, the in-memory views (locate cache, tiles, glyphs, incidents)
//! and the security settings, and how the views are brought in step after a write.

use std::sync::{Arc, RwLock};

use anyhow::Result;
use sqlx::PgPool;

use crate::audit::Chainer;
use crate::auth::Security;
use crate::cache::LocateCache;
use crate::case_intake::{self, Intake};
use crate::catalogue_cache::CatalogueCache;
use crate::db::reads::{LostConnection, Reads};
use crate::error::ApiError;
use crate::fonts::Glyphs;
use crate::incidents::Incidents;
use crate::store::catalogue;
use crate::tile_service::TileService;
use wangge_domain::case::clock::WorkCalendar;

/// Largest JSON body accepted (a detailed community boundary or a 100 000-point locate batch fits).
pub const JSON_LIMIT: usize = 8 * 1024 * 1024;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database (the primary: every write, and the reads that must see them).
    pub pool: PgPool,
    /// Where read-only queries that tolerate a moment's lag go: a streaming replica, or the primary.
    pub reads: Reads,
    /// The locate cache.
    pub cache: LocateCache,
    /// Vector tiles from memory.
    pub tiles: TileService,
    /// Label glyphs.
    pub glyphs: Glyphs,
    /// Every case as columns in memory (the desk's counts, the density views).
    pub incidents: Incidents,
    /// The queue of reports waiting to be written.
    pub intake: Intake,
    /// The catalogue as the intake reads it.
    pub catalogue: Arc<CatalogueCache>,
    /// Keys, cookie policy and throttles.
    pub security: Arc<Security>,
    /// Chains the audit entries of writes answered before their entries are chained.
    pub chainer: Chainer,
    calendar: Arc<RwLock<Arc<WorkCalendar>>>,
    refresh: Arc<tokio::sync::Mutex<()>>,
}

impl AppState {
    /// Load the locate cache and the tiles, and wrap the pool.
    pub async fn new(pool: PgPool, security: Security) -> Result<Self> {
        let cache = LocateCache::load(&pool).await?;
        let tiles = TileService::load(&pool).await?;
        let calendar = Arc::new(RwLock::new(Arc::new(load_calendar(&pool).await?)));
        let incidents = Incidents::load(&pool).await?;
        let (intake, queue) = Intake::new();
        let state = Self {
            pool,
            reads: Reads::default(),
            cache,
            tiles,
            glyphs: Glyphs::default(),
            incidents,
            intake,
            catalogue: Arc::default(),
            security: Arc::new(security),
            chainer: Chainer::default(),
            calendar,
            refresh: Arc::new(tokio::sync::Mutex::new(())),
        };
        state.chainer.start(state.pool.clone(), state.security.clone());
        case_intake::run(state.clone(), queue);
        Ok(state)
    }

    /// Run the read-only `query` where [`Reads`] sends it: the replica when one answers, else the primary.
    pub async fn read<T, E, F, Fut>(&self, query: F) -> Result<T, E>
    where
        F: Fn(PgPool) -> Fut,
        Fut: std::future::Future<Output = Result<T, E>>,
        E: LostConnection,
    {
        self.reads.run(&self.pool, query).await
    }

    /// The working-day calendar deadlines are counted on.
    pub fn calendar(&self) -> Arc<WorkCalendar> {
        self.calendar.read().map(|c| c.clone()).unwrap_or_default()
    }

    /// Read the official calendar again (after an import).
    pub async fn reload_calendar(&self) -> Result<()> {
        let fresh = Arc::new(load_calendar(&self.pool).await?);
        if let Ok(mut c) = self.calendar.write() {
            *c = fresh;
        }
        Ok(())
    }

    /// Bring the in-memory views (locate cache, governance tiles) in step after a write that changed areas inside
    /// `touched` (west, south, east, north; `None`: anywhere). Writers queue so snapshots are swapped in order.
    pub async fn refresh(&self, touched: Option<[f64; 4]>) -> Result<(), ApiError> {
        let _turn = self.refresh.lock().await;
        self.cache.refresh(&self.pool, touched).await?;
        self.tiles.reload_governance(&self.pool, touched).await?;
        Ok(())
    }
}

/// The default working hours on the official days stored (none stored: Monday to Friday only, with a warning).
async fn load_calendar(pool: &PgPool) -> Result<WorkCalendar> {
    let (off, on) = catalogue::calendar_days(pool).await?;
    if off.is_empty() {
        tracing::warn!(
            "no official holidays stored: deadlines count Monday to Friday only (run `wangge import-catalogue`)"
        );
    }
    Ok(WorkCalendar::default().with_days(off, on))
}
