//! Locate: which street, community, natural/dedicated grid and special grids a point is in (MapIt-style), one
//! point or many, as of now or any date. Served from the in-memory cache.

use actix_web::http::Method;
use wangge_api::error::ErrorCode;
use wangge_api::paths;

use super::body::Json;
use super::route;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::input;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Most points one batch may hold.
pub const MAX_BATCH: usize = 100_000;

pub fn configure(cfg: &mut web::ServiceConfig) {
    route(cfg, Method::GET, paths::LOCATE, one);
    route(cfg, Method::POST, paths::LOCATE, batch);
}

#[derive(Deserialize)]
struct OneQuery {
    lon: f64,
    lat: f64,
    at: Option<String>,
}

async fn one(state: web::Data<AppState>, q: web::Query<OneQuery>) -> ApiResult<HttpResponse> {
    let p = input::lon_lat(q.lon, q.lat)?;
    let at = input::at(q.at.as_deref())?;
    let located = state.cache.snapshot().locate(p.lon(), p.lat(), at);
    Ok(HttpResponse::Ok().json(json!({ "point": [p.lon(), p.lat()], "at": at, "located": located })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchInput {
    /// `[[lon, lat], …]`.
    points: Vec<[f64; 2]>,
    at: Option<String>,
}

async fn batch(state: web::Data<AppState>, body: Json<BatchInput>) -> ApiResult<HttpResponse> {
    if body.points.len() > MAX_BATCH {
        return Err(ApiError::new(
            actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::TooManyPoints,
            format!("{} points; at most {MAX_BATCH} per request", body.points.len()),
        ));
    }
    let at = input::at(body.at.as_deref())?;
    let points = body
        .points
        .iter()
        .enumerate()
        .map(|(i, &[lon, lat])| {
            input::lon_lat(lon, lat)
                .map_err(|e| ApiError::bad_request(ErrorCode::BadCoordinates, format!("point {i}: {}", e.message)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let snapshot = state.cache.snapshot();
    let results: Vec<_> = points.iter().map(|p| snapshot.locate(p.lon(), p.lat(), at)).collect();
    Ok(HttpResponse::Ok().json(json!({ "at": at, "results": results })))
}
