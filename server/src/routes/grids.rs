//! One grid: its public card (name, code, community, its grid workers' public contact, where it is) for anyone,
//! its statistics (households, residents, buildings, elements) for staff whose scope covers it, and its incidents
//! month by month across redraws.

use actix_web::http::Method;
use wangge_api::paths;

use super::route;
use actix_web::{web, HttpResponse};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{accounts, grids};

pub fn configure(cfg: &mut web::ServiceConfig) {
    route(cfg, Method::GET, paths::GRID, card);
    route(cfg, Method::GET, paths::GRID_STATS, stats);
    route(cfg, Method::GET, paths::GRID_HISTORY, history);
}

async fn history(state: web::Data<AppState>, path: web::Path<i64>) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let history = grids::history(&state.pool, id).await?;
    history.map(|h| HttpResponse::Ok().json(h)).ok_or_else(|| ApiError::not_found("grid", id))
}

/// Only grids of published plans have a public card; drafts are staff business.
async fn card(state: web::Data<AppState>, path: web::Path<i64>) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let card = grids::card(&state.pool, id).await?;
    let mut card = card.ok_or_else(|| ApiError::not_found("grid", id))?;
    card.contacts = accounts::grid_contacts(&state.pool, &card.code).await?;
    Ok(HttpResponse::Ok().json(card))
}

async fn stats(state: web::Data<AppState>, path: web::Path<i64>) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let stats = grids::stats(&state.pool, id).await?;
    stats.map(|d| HttpResponse::Ok().json(d)).ok_or_else(|| ApiError::not_found("grid", id))
}
