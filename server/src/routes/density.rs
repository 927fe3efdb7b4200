//! Incident density: hexagon bins, hot spots, counts and rates per area.

use actix_web::http::Method;
use actix_web::{web, HttpResponse};
use chrono::Duration;
use serde::Deserialize;
use wangge_api::density::AreaLevel;
use wangge_api::error::ErrorCode;
use wangge_api::paths;
use wangge_domain::case::CaseState;

use super::{input, route};
use crate::auth::Viewer;
use crate::density::{self, View};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    route(cfg, Method::GET, paths::DENSITY_BINS, bins);
    route(cfg, Method::GET, paths::DENSITY_HOTSPOTS, hotspots);
    route(cfg, Method::GET, paths::DENSITY_AREAS, areas);
    route(cfg, Method::GET, paths::DENSITY_REPEATS, repeats);
    route(cfg, Method::GET, paths::DENSITY_EMERGING, emerging);
}

/// A view, as query parameters.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ViewQuery {
    /// Reported from (RFC 3339 or a date; default: 92 days before `to`).
    #[serde(default)]
    from: Option<String>,
    /// Reported before (default: now).
    #[serde(default)]
    to: Option<String>,
    /// Comma-separated minor category or major class codes.
    #[serde(default)]
    category: Option<String>,
    /// Comma-separated states.
    #[serde(default)]
    state: Option<String>,
    /// `west,south,east,north`.
    #[serde(default)]
    bbox: Option<String>,
    /// H3 resolution of the bins (5–11, default 9).
    #[serde(default)]
    resolution: Option<u8>,
    /// `street`, `community` or `grid` (areas only).
    #[serde(default)]
    level: Option<AreaLevel>,
    /// Reports at one place that make it a repeat place (repeats only, default 3).
    #[serde(default)]
    min: Option<u32>,
    /// Time slices of the window (emerging hot spots only, default 6).
    #[serde(default)]
    slices: Option<usize>,
}

fn list(raw: &Option<String>) -> Vec<String> {
    raw.as_deref().unwrap_or_default().split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

fn view(q: &ViewQuery) -> ApiResult<View> {
    let to = input::at(q.to.as_deref())?;
    let from = match q.from.as_deref() {
        Some(f) => input::at(Some(f))?,
        None => to - Duration::days(92),
    };
    let states = list(&q.state)
        .iter()
        .map(|s| s.parse::<CaseState>().map_err(|e| ApiError::bad_request(ErrorCode::BadQuery, e)))
        .collect::<ApiResult<Vec<_>>>()?;
    let bbox = q.bbox.as_deref().map(input::bbox).transpose()?;
    Ok(View { from, to, categories: list(&q.category), states, bbox })
}

async fn bins(state: web::Data<AppState>, viewer: Viewer, q: web::Query<ViewQuery>) -> ApiResult<HttpResponse> {
    let resolution = density::resolution(q.resolution.unwrap_or(9))?;
    Ok(HttpResponse::Ok().json(density::bins(&state, &viewer, view(&q)?, resolution, false).await?))
}

async fn hotspots(state: web::Data<AppState>, viewer: Viewer, q: web::Query<ViewQuery>) -> ApiResult<HttpResponse> {
    let resolution = density::resolution(q.resolution.unwrap_or(9))?;
    Ok(HttpResponse::Ok().json(density::bins(&state, &viewer, view(&q)?, resolution, true).await?))
}

async fn areas(state: web::Data<AppState>, viewer: Viewer, q: web::Query<ViewQuery>) -> ApiResult<HttpResponse> {
    let level = q.level.unwrap_or(AreaLevel::Grid);
    Ok(HttpResponse::Ok().json(density::areas(&state, &viewer, view(&q)?, level).await?))
}

async fn repeats(state: web::Data<AppState>, viewer: Viewer, q: web::Query<ViewQuery>) -> ApiResult<HttpResponse> {
    let resolution = density::resolution(q.resolution.unwrap_or(10))?;
    Ok(HttpResponse::Ok().json(density::repeats(&state, &viewer, view(&q)?, resolution, q.min.unwrap_or(3)).await?))
}

async fn emerging(state: web::Data<AppState>, viewer: Viewer, q: web::Query<ViewQuery>) -> ApiResult<HttpResponse> {
    let resolution = density::resolution(q.resolution.unwrap_or(9))?;
    Ok(HttpResponse::Ok().json(density::emerging(&state, &viewer, view(&q)?, resolution, q.slices.unwrap_or(6)).await?))
}
