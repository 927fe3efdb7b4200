//! Incident density: hexagon bins, hot spots, counts and rates per area.

use actix_web::http::Method;
use actix_web::{web, HttpResponse};
use chrono::Duration;
use serde::Deserialize;
use wangge_api::density::AreaLevel;
use wangge_api::error::ErrorCode;
use wangge_api::paths;
use wangge_domain::case::CaseState;

use super::body::Json;
use super::{input, route};
use crate::auth::Viewer;
use crate::density::{self, View};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::write::Writer;

pub fn configure(cfg: &mut web::ServiceConfig) {
    route(cfg, Method::GET, paths::DENSITY_BINS, bins);
    route(cfg, Method::GET, paths::DENSITY_HOTSPOTS, hotspots);
    route(cfg, Method::GET, paths::DENSITY_AREAS, areas);
    route(cfg, Method::GET, paths::DENSITY_REPEATS, repeats);
    route(cfg, Method::GET, paths::DENSITY_EMERGING, emerging);
    route(cfg, Method::GET, paths::DENSITY_PUBLISHED, published);
    route(cfg, Method::PUT, paths::DENSITY_PUBLISHED, publish);
    route(cfg, Method::GET, paths::PUBLIC_DENSITY, public_bins);
    route(cfg, Method::GET, paths::DENSITY_COMPARE, compare);
    route(cfg, Method::GET, paths::DENSITY_CASES, cases);
    route(cfg, Method::GET, paths::DENSITY_SERIES, series);
    route(cfg, Method::GET, paths::DENSITY_TILE, tile);
    route(cfg, Method::GET, paths::DENSITY_POINTS, points);
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
    /// `street`, `community`, `grid`, `dedicated` or `special` (areas and the cases of an area; default grid).
    #[serde(default)]
    level: Option<AreaLevel>,
    /// Reports at one place that make it a repeat place (repeats only, default 3).
    #[serde(default)]
    min: Option<u32>,
    /// Time slices of the window (emerging hot spots only, default 6).
    #[serde(default)]
    slices: Option<usize>,
    /// An H3 cell (the cases of one hexagon only).
    #[serde(default)]
    cell: Option<String>,
    /// An area code at `level` (the cases of one area only; a special grid by its id).
    #[serde(default)]
    area: Option<String>,
    /// `day`, `week` or `month` (the time series only, default week).
    #[serde(default)]
    interval: Option<wangge_api::density::Interval>,
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

async fn published(state: web::Data<AppState>, viewer: Viewer) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(serde_json::json!({ "enabled": density::published(&state, &viewer).await? })))
}

/// Publishing the density map, or not.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Publish {
    enabled: bool,
}

async fn publish(
    state: web::Data<AppState>,
    writer: Writer,
    viewer: Viewer,
    body: Json<Publish>,
) -> ApiResult<HttpResponse> {
    let on = density::publish(&state, writer, &viewer, body.into_inner().enabled).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "enabled": on })))
}

/// The public density map's view.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PublicQuery {
    bbox: String,
    /// H3 resolution (5–9, default 8).
    #[serde(default)]
    resolution: Option<u8>,
    /// The last this many days (default 92, at most 366).
    #[serde(default)]
    days: Option<i64>,
}

async fn public_bins(state: web::Data<AppState>, q: web::Query<PublicQuery>) -> ApiResult<HttpResponse> {
    let bbox = input::bbox(&q.bbox)?;
    let days = q.days.unwrap_or(92).clamp(1, 366);
    Ok(HttpResponse::Ok().json(density::public_bins(&state, bbox, q.resolution.unwrap_or(8), days).await?))
}

async fn compare(state: web::Data<AppState>, viewer: Viewer, q: web::Query<ViewQuery>) -> ApiResult<HttpResponse> {
    let resolution = density::resolution(q.resolution.unwrap_or(9))?;
    Ok(HttpResponse::Ok().json(density::compare(&state, &viewer, view(&q)?, resolution).await?))
}

async fn cases(state: web::Data<AppState>, viewer: Viewer, q: web::Query<ViewQuery>) -> ApiResult<HttpResponse> {
    let area = q.area.as_deref().map(|code| (q.level.unwrap_or(AreaLevel::Grid), code));
    let (total, cases) = density::cases_at(&state, &viewer, view(&q)?, q.cell.as_deref(), area).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "total": total, "cases": cases })))
}

async fn series(state: web::Data<AppState>, viewer: Viewer, q: web::Query<ViewQuery>) -> ApiResult<HttpResponse> {
    let interval = q.interval.unwrap_or(wangge_api::density::Interval::Week);
    Ok(HttpResponse::Ok().json(density::series(&state, &viewer, view(&q)?, interval).await?))
}

/// A density tile's filters.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TileQuery {
    /// Whole days in the window (default 92, at most 366).
    #[serde(default)]
    days: Option<i64>,
    /// Its last day (China date; default today).
    #[serde(default)]
    end: Option<chrono::NaiveDate>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    state: Option<String>,
}

async fn tile(
    state: web::Data<AppState>,
    viewer: Viewer,
    path: web::Path<(u8, u32, u32)>,
    q: web::Query<TileQuery>,
) -> ApiResult<HttpResponse> {
    let (z, x, y) = path.into_inner();
    let tile = wangge_tiles::TileId::new(z, x, y)
        .ok_or_else(|| ApiError::bad_request(ErrorCode::BadTile, format!("no tile {z}/{x}/{y}")))?;
    let states = list(&q.state)
        .iter()
        .map(|s| s.parse::<CaseState>().map_err(|e| ApiError::bad_request(ErrorCode::BadQuery, e)))
        .collect::<ApiResult<Vec<_>>>()?;
    let days = q.days.unwrap_or(92).clamp(1, 366);
    let (bytes, hit) = density::tile(&state, &viewer, list(&q.category), states, days, q.end, tile).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.mapbox-vector-tile")
        .insert_header(("X-Cache", if hit { "hit" } else { "miss" }))
        .insert_header(("Cache-Control", "private, no-cache"))
        .body(bytes.as_ref().clone()))
}

async fn points(state: web::Data<AppState>, viewer: Viewer, q: web::Query<ViewQuery>) -> ApiResult<HttpResponse> {
    let (total, points) = density::points(&state, &viewer, view(&q)?).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "total": total, "points": points })))
}
