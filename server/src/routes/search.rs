//! Search: grids (code or name), communities, buildings (name or address) and elements (name).

use actix_web::http::Method;
use wangge_api::error::ErrorCode;
use wangge_api::paths;

use super::route;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::search;

pub fn configure(cfg: &mut web::ServiceConfig) {
    route(cfg, Method::GET, paths::SEARCH, find);
}

#[derive(Deserialize)]
struct SearchQuery {
    q: String,
}

async fn find(state: web::Data<AppState>, q: web::Query<SearchQuery>) -> ApiResult<HttpResponse> {
    let text = q.q.trim();
    if text.is_empty() || text.chars().count() > 100 {
        return Err(ApiError::bad_request(ErrorCode::BadQuery, "q must have 1 to 100 characters"));
    }
    let hits = state.read(|pool| async move { search::search(&pool, text).await }).await?;
    Ok(HttpResponse::Ok().json(hits))
}
