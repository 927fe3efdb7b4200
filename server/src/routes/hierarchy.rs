//! Districts, streets and communities.

use actix_web::http::Method;
use wangge_api::error::ErrorCode;
use wangge_api::paths;

use super::body::Json;
use super::route;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};
use wangge_domain::codes::{CommunityCode, DistrictCode, StreetCode};

use super::input;
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::hierarchy::{self, misplaced, upsert_area, Level, Misplaced};
use crate::write::{Touches, Writer};

pub fn configure(cfg: &mut web::ServiceConfig) {
    route(cfg, Method::GET, paths::DISTRICTS, list_districts);
    route(cfg, Method::POST, paths::DISTRICTS, create_district);
    route(cfg, Method::GET, paths::DISTRICT_STREETS, list_streets);
    route(cfg, Method::POST, paths::STREETS, create_street);
    route(cfg, Method::GET, paths::STREET_COMMUNITIES, list_communities);
    route(cfg, Method::POST, paths::COMMUNITIES, create_community);
    route(cfg, Method::GET, paths::COMMUNITY, get_community);
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AreaInput {
    code: String,
    name: String,
    #[serde(default)]
    geometry: Option<Value>,
    /// Coordinates are GCJ-02 and must be converted.
    #[serde(default)]
    gcj02: bool,
}

async fn list_districts(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(hierarchy::districts(&state.pool).await?))
}

async fn list_streets(state: web::Data<AppState>, viewer: Viewer, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let code: DistrictCode = input::code(&path)?;
    must_exist(&state, Level::District, code.as_str()).await?;
    Ok(HttpResponse::Ok().json(hierarchy::streets(&state.pool, code.as_str(), &viewer.prefixes()).await?))
}

async fn list_communities(
    state: web::Data<AppState>,
    viewer: Viewer,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let code: StreetCode = input::code(&path)?;
    must_exist(&state, Level::Street, code.as_str()).await?;
    Ok(HttpResponse::Ok().json(hierarchy::communities(&state.pool, code.as_str(), &viewer.prefixes()).await?))
}

/// 404 unless area `code` of `level` exists.
async fn must_exist(state: &AppState, level: Level, code: &str) -> ApiResult<()> {
    match hierarchy::exists(&state.pool, level, code).await? {
        true => Ok(()),
        false => Err(ApiError::not_found(level.table(), code)),
    }
}

async fn get_community(state: web::Data<AppState>, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let code: CommunityCode = input::code(&path)?;
    let feature = hierarchy::community(&state.pool, code.as_str()).await?;
    feature.map(|f| HttpResponse::Ok().json(f)).ok_or_else(|| ApiError::not_found("community", code))
}

async fn create(
    state: &AppState,
    writer: Writer,
    level: Level,
    body: AreaInput,
    code: &str,
) -> ApiResult<HttpResponse> {
    let name = input::label("name", &body.name, 100)?;
    let boundary = body.geometry.as_ref().map(|g| input::boundary(g, body.gcj02)).transpose()?;
    if level == Level::Community && boundary.is_none() {
        return Err(ApiError::unprocessable(ErrorCode::NoBoundary, "a community needs a geometry"));
    }
    if let Some(parent) = level.parent() {
        must_exist(state, parent, &code[..level.parent_digits()]).await?;
    }
    if hierarchy::exists(&state.pool, level, code).await? {
        return Err(ApiError::conflict(ErrorCode::Duplicate, format!("{} {code} already exists", level.table())));
    }
    if let Some(b) = &boundary {
        if let Some(m) = misplaced(&state.pool, level, code, b).await? {
            return Err(misplaced_error(level, m));
        }
    }
    let mut w = writer.begin(state).await?;
    upsert_area(w.conn(), level, code, &name, boundary.as_ref(), false).await?;
    w.commit(StatusCode::CREATED, json!({ "code": code, "name": name }), Touches::Areas(None)).await
}

/// 422 for a boundary that does not fit the hierarchy, with the areas in m².
fn misplaced_error(level: Level, m: Misplaced) -> ApiError {
    let message = format!("this {}: {m}", level.table());
    match m {
        Misplaced::OutsideParent { parent, area_m2 } => ApiError::unprocessable(ErrorCode::OutsideParent, message)
            .with_details(json!({ "parent": parent, "area_m2": area_m2 })),
        Misplaced::Overlaps { with } => {
            let list: Vec<Value> = with.iter().map(|(code, area)| json!({ "code": code, "area_m2": area })).collect();
            ApiError::unprocessable(ErrorCode::OverlapsSibling, message).with_details(json!({ "overlaps": list }))
        }
    }
}

async fn create_district(state: web::Data<AppState>, writer: Writer, body: Json<AreaInput>) -> ApiResult<HttpResponse> {
    let code: DistrictCode = input::code(&body.code)?;
    create(&state, writer, Level::District, body.into_inner(), code.as_str()).await
}

async fn create_street(state: web::Data<AppState>, writer: Writer, body: Json<AreaInput>) -> ApiResult<HttpResponse> {
    let code: StreetCode = input::code(&body.code)?;
    create(&state, writer, Level::Street, body.into_inner(), code.as_str()).await
}

async fn create_community(
    state: web::Data<AppState>,
    writer: Writer,
    body: Json<AreaInput>,
) -> ApiResult<HttpResponse> {
    let code: CommunityCode = input::code(&body.code)?;
    create(&state, writer, Level::Community, body.into_inner(), code.as_str()).await
}
