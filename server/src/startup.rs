//! Building and running the HTTP server.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::error::QueryPayloadError;
use actix_web::{web, App, HttpRequest, HttpServer};
use anyhow::Result;
use sqlx::PgPool;

use crate::auth::Security;
use crate::cache::LocateCache;
use crate::error::ApiError;
use crate::fonts::Glyphs;
use crate::tile_service::TileService;

/// Largest JSON body accepted (a detailed community boundary or a 100 000-point locate batch fits).
pub const JSON_LIMIT: usize = 8 * 1024 * 1024;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub pool: PgPool,
    /// The locate cache.
    pub cache: LocateCache,
    /// Vector tiles from memory.
    pub tiles: TileService,
    /// Label glyphs.
    pub glyphs: Glyphs,
    /// Keys, cookie policy and throttles.
    pub security: Arc<Security>,
    refresh: Arc<tokio::sync::Mutex<()>>,
}

impl AppState {
    /// Load the locate cache and the tiles, and wrap the pool.
    pub async fn new(pool: PgPool, security: Security) -> Result<Self> {
        let cache = LocateCache::load(&pool).await?;
        let tiles = TileService::load(&pool).await?;
        Ok(Self {
            pool,
            cache,
            tiles,
            glyphs: Glyphs::default(),
            security: Arc::new(security),
            refresh: Arc::new(tokio::sync::Mutex::new(())),
        })
    }

    /// Bring the in-memory views (locate cache, governance tiles) in step after a write that changed areas inside
    /// `touched` (west, south, east, north; `None`: anywhere). Writers queue so snapshots are swapped in order.
    pub async fn refresh(&self, touched: Option<[f64; 4]>) -> Result<(), ApiError> {
        let _turn = self.refresh.lock().await;
        self.cache.refresh(&self.pool).await?;
        self.tiles.reload_governance(&self.pool, touched).await?;
        Ok(())
    }
}

fn query_error(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::bad_request("bad_query", err.to_string()).into()
}

fn path_error(err: actix_web::error::PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::bad_request("bad_path", err.to_string()).into()
}

/// Start serving on `listener` (already bound; port 0 in tests), with the built web app from `web_dir` at `/` when
/// given.
pub fn run(listener: TcpListener, state: AppState, web_dir: Option<PathBuf>) -> Result<Server> {
    let data = web::Data::new(state);
    let csp = crate::headers::content_security_policy(web_dir.as_deref())?;
    let server = HttpServer::new(move || {
        let app = App::new()
            .app_data(data.clone())
            .app_data(web::QueryConfig::default().error_handler(query_error))
            .app_data(web::PathConfig::default().error_handler(path_error))
            .app_data(web::PayloadConfig::new(JSON_LIMIT))
            .wrap(actix_web::middleware::from_fn(crate::auth::guard::guard))
            .wrap(actix_web::middleware::Compress::default())
            .wrap(crate::headers::security_headers(&csp))
            .configure(crate::routes::configure)
            .configure(crate::routes::tiles::configure);
        let not_found =
            web::to(|| async { Err::<actix_web::HttpResponse, _>(ApiError::not_found("route", "(no such endpoint)")) });
        match &web_dir {
            Some(dir) => {
                app.service(actix_files::Files::new("/", dir).index_file("index.html").default_handler(not_found))
            }
            None => app.default_service(not_found),
        }
    })
    .listen(listener)?
    .run();
    Ok(server)
}
