//! Blocks and buildings.

use actix_web::http::Method;
use wangge_api::error::ErrorCode;
use wangge_api::paths;

use super::body::{Json, OptionalJson};
use super::route;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::Value;
use wangge_domain::codes::CommunityCode;
use wangge_domain::plan::SplitPolicy;

use super::input;
use crate::blocks as service;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::block_geojson;
use crate::store::blocks::{Cut, DEFAULT_BLOCK_ROAD_CLASSES};
use crate::write::Writer;

pub fn configure(cfg: &mut web::ServiceConfig) {
    route(cfg, Method::GET, paths::COMMUNITY_BLOCKS, list_blocks);
    route(cfg, Method::POST, paths::COMMUNITY_BLOCKS_BUILD, build);
    route(cfg, Method::GET, paths::COMMUNITY_BUILDINGS, list_buildings);
    route(cfg, Method::GET, paths::COMMUNITY_BLOCK_EDGES, list_edges);
    route(cfg, Method::GET, paths::BLOCK, get_block);
    route(cfg, Method::POST, paths::BLOCK_SPLIT, split);
    route(cfg, Method::PUT, paths::BLOCK_SPLIT_POLICY, split_policy);
    route(cfg, Method::GET, paths::BUILDING, get_building);
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct BuildInput {
    /// `highway=*` classes that bound blocks (default: public streets).
    #[serde(default)]
    road_classes: Option<Vec<String>>,
}

async fn build(
    state: web::Data<AppState>,
    writer: Writer,
    path: web::Path<String>,
    body: OptionalJson<BuildInput>,
) -> ApiResult<HttpResponse> {
    let code: CommunityCode = input::code(&path)?;
    let classes: Vec<String> = body
        .into_inner()
        .and_then(|b| b.road_classes)
        .unwrap_or_else(|| DEFAULT_BLOCK_ROAD_CLASSES.iter().map(|s| s.to_string()).collect());
    if classes.is_empty() || classes.len() > 50 {
        return Err(ApiError::unprocessable(ErrorCode::BadRoadClasses, "give 1 to 50 road classes"));
    }
    let refs: Vec<&str> = classes.iter().map(String::as_str).collect();
    Ok(HttpResponse::Ok().json(service::build(&state, writer, &code, &refs).await?))
}

/// A community's answer, or 404 when the community does not exist.
fn of_community(code: &CommunityCode, fc: Option<Value>) -> ApiResult<HttpResponse> {
    fc.map(|fc| HttpResponse::Ok().json(fc)).ok_or_else(|| ApiError::not_found("community", code))
}

async fn list_blocks(state: web::Data<AppState>, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let code: CommunityCode = input::code(&path)?;
    of_community(&code, block_geojson::blocks(&state.pool, code.as_str()).await?)
}

/// The boundary lines shared by neighbouring blocks (`a`, `b`): the editor draws a grid outline where the two
/// sides are in different grids, by feature state, without re-sending geometry.
async fn list_edges(state: web::Data<AppState>, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let code: CommunityCode = input::code(&path)?;
    of_community(&code, block_geojson::edges(&state.pool, code.as_str()).await?)
}

async fn list_buildings(state: web::Data<AppState>, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let code: CommunityCode = input::code(&path)?;
    of_community(&code, block_geojson::buildings(&state.pool, code.as_str()).await?)
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SplitInput {
    /// A GeoJSON LineString drawn across the block (WGS84); without it the block splits into building cells.
    #[serde(default)]
    line: Option<Value>,
}

async fn split(
    state: web::Data<AppState>,
    writer: Writer,
    path: web::Path<i64>,
    body: OptionalJson<SplitInput>,
) -> ApiResult<HttpResponse> {
    let cut = match body.into_inner().and_then(|b| b.line) {
        None => Cut::BuildingCells,
        Some(line) => Cut::Line(line_text(&line)?),
    };
    Ok(HttpResponse::Ok().json(service::split(&state, writer, *path, &cut).await?))
}

async fn get_block(state: web::Data<AppState>, path: web::Path<i64>) -> ApiResult<HttpResponse> {
    let f = block_geojson::block(&state.pool, *path).await?;
    f.map(|f| HttpResponse::Ok().json(f)).ok_or_else(|| ApiError::not_found("block", *path))
}

async fn get_building(state: web::Data<AppState>, path: web::Path<i64>) -> ApiResult<HttpResponse> {
    let f = block_geojson::building(&state.pool, *path).await?;
    f.map(|f| HttpResponse::Ok().json(f)).ok_or_else(|| ApiError::not_found("building", *path))
}

/// A cutting line: a GeoJSON LineString of 2 to 1,000 in-range WGS84 positions.
fn line_text(v: &Value) -> ApiResult<String> {
    let bad = |why: &str| ApiError::unprocessable(ErrorCode::InvalidGeometry, format!("line: {why}"));
    if v.get("type").and_then(Value::as_str) != Some("LineString") {
        return Err(bad("must be a GeoJSON LineString"));
    }
    let coords = v.get("coordinates").and_then(Value::as_array).ok_or_else(|| bad("coordinates missing"))?;
    if !(2..=1000).contains(&coords.len()) {
        return Err(bad("needs 2 to 1,000 positions"));
    }
    let mut clean = Vec::with_capacity(coords.len());
    for c in coords {
        let (lon, lat) = match c.as_array().map(Vec::as_slice) {
            Some([x, y, ..]) => (x.as_f64(), y.as_f64()),
            _ => (None, None),
        };
        let (Some(lon), Some(lat)) = (lon, lat) else {
            return Err(bad("positions are [lon, lat] numbers"));
        };
        let p = input::lon_lat(lon, lat)?;
        clean.push([p.lon(), p.lat()]);
    }
    Ok(serde_json::json!({ "type": "LineString", "coordinates": clean }).to_string())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SplitPolicyInput {
    /// `auto`, `never` or `always`.
    split_policy: SplitPolicy,
}

async fn split_policy(
    state: web::Data<AppState>,
    writer: Writer,
    path: web::Path<i64>,
    body: Json<SplitPolicyInput>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::set_split_policy(&state, writer, *path, body.split_policy).await?))
}
