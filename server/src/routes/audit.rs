//! The audit log, for district admins: the newest entries, a check of the whole hash chain against its anchored
//! head, and the summary of refused sign-ins.

use actix_web::http::Method;
use wangge_api::paths;

use super::route;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::audit;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::store::accounts;

pub fn configure(cfg: &mut web::ServiceConfig) {
    route(cfg, Method::GET, paths::AUDIT, recent);
    route(cfg, Method::GET, paths::AUDIT_VERIFY, verify);
    route(cfg, Method::GET, paths::AUDIT_SIGN_IN_FAILURES, sign_in_failures);
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
    let (limit, before) = (q.limit.unwrap_or(100).clamp(1, 1000), q.before);
    Ok(HttpResponse::Ok().json(state.read(|pool| async move { audit::recent(&pool, limit, before).await }).await?))
}

/// On the primary: the anchor moves with the primary's chain, and a replica a moment behind would look cut short.
async fn verify(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(audit::verify(&state.pool, &state.security.audit_head).await?))
}

/// Refused sign-ins per account name and client address (they are counted there, not logged one entry each).
async fn sign_in_failures(state: web::Data<AppState>, q: web::Query<Page>) -> ApiResult<HttpResponse> {
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    Ok(HttpResponse::Ok().json(state.read(|pool| async move { accounts::sign_in_failures(&pool, limit).await }).await?))
}
