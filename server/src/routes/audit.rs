//! The audit log, for district admins: the newest entries, a check of the whole hash chain against its anchored
//! head, and the summary of refused sign-ins. An admin reads their district's chain, or with `chain=000000` the
//! shared one (entries about no one district, and the log from before chains were per district).

use actix_web::http::Method;
use wangge_api::paths;

use super::route;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::audit::{self, SHARED_CHAIN};
use crate::auth::principal::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::accounts;
use wangge_api::error::ErrorCode;

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
    /// The chain: the admin's district (the default) or the shared chain.
    #[serde(default)]
    chain: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Chain {
    #[serde(default)]
    chain: Option<String>,
}

/// The chain `asked` for (by default the viewer's district's); another district's is outside the viewer's scope.
fn chain_of(viewer: &Viewer, asked: Option<String>) -> ApiResult<String> {
    let own = viewer.district.as_str();
    match asked {
        None => Ok(own.to_owned()),
        Some(c) if c == own || c == SHARED_CHAIN => Ok(c),
        Some(c) => Err(ApiError::forbidden(
            ErrorCode::OutsideScope,
            format!("chain {c:?}: you may read your district's chain ({own}) and the shared one ({SHARED_CHAIN})"),
        )),
    }
}

async fn recent(state: web::Data<AppState>, viewer: Viewer, q: web::Query<Page>) -> ApiResult<HttpResponse> {
    let q = q.into_inner();
    let (limit, before, chain) = (q.limit.unwrap_or(100).clamp(1, 1000), q.before, chain_of(&viewer, q.chain)?);
    let read = state.read(|pool| {
        let chain = chain.clone();
        async move { audit::recent(&pool, &chain, limit, before).await }
    });
    Ok(HttpResponse::Ok().json(read.await?))
}

/// On the primary: the anchor moves with the primary's chain, and a replica a moment behind would look cut short.
async fn verify(state: web::Data<AppState>, viewer: Viewer, q: web::Query<Chain>) -> ApiResult<HttpResponse> {
    let chain = chain_of(&viewer, q.into_inner().chain)?;
    Ok(HttpResponse::Ok().json(audit::verify(&state.pool, &state.security.audit_head, &chain).await?))
}

/// Refused sign-ins per account name and client address (they are counted there, not logged one entry each).
async fn sign_in_failures(state: web::Data<AppState>, q: web::Query<Page>) -> ApiResult<HttpResponse> {
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    Ok(HttpResponse::Ok().json(state.read(|pool| async move { accounts::sign_in_failures(&pool, limit).await }).await?))
}
