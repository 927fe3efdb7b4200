//! The audit log, for district admins: the newest entries, and a check of the whole hash chain.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::audit;
use crate::error::ApiResult;
use crate::startup::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/audit", web::get().to(recent)).route("/audit/verify", web::get().to(verify));
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Page {
    #[serde(default)]
    limit: Option<i64>,
    /// Entries before this sequence number (for paging back).
    #[serde(default)]
    before: Option<i64>,
}

async fn recent(state: web::Data<AppState>, q: web::Query<Page>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(audit::recent(&state.pool, q.limit.unwrap_or(100).clamp(1, 1000), q.before).await?))
}

async fn verify(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(audit::verify(&state.pool).await?))
}
