//! Districts, streets and communities.

use actix_web::http::Method;
use wangge_api::paths;

use super::body::Json;
use super::route;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::Value;
use wangge_domain::codes::{CommunityCode, DistrictCode, StreetCode};

use super::input;
use crate::areas::{self, NewArea};
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::hierarchy::{self, Level};
use crate::write::Writer;

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
    areas::must_exist(&state, Level::District, code.as_str()).await?;
    Ok(HttpResponse::Ok().json(hierarchy::streets(&state.pool, code.as_str(), &viewer.prefixes()).await?))
}

async fn list_communities(
    state: web::Data<AppState>,
    viewer: Viewer,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let code: StreetCode = input::code(&path)?;
    areas::must_exist(&state, Level::Street, code.as_str()).await?;
    Ok(HttpResponse::Ok().json(hierarchy::communities(&state.pool, code.as_str(), &viewer.prefixes()).await?))
}

async fn get_community(state: web::Data<AppState>, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let code: CommunityCode = input::code(&path)?;
    let feature = hierarchy::community(&state.pool, code.as_str()).await?;
    feature.map(|f| HttpResponse::Ok().json(f)).ok_or_else(|| ApiError::not_found("community", code))
}

/// Parse the rest of an area and create it.
async fn create(
    state: &AppState,
    writer: Writer,
    level: Level,
    body: AreaInput,
    code: &str,
) -> ApiResult<HttpResponse> {
    let name = input::label("name", &body.name, 100)?;
    let boundary = body.geometry.as_ref().map(|g| input::boundary(g, body.gcj02)).transpose()?;
    let area = NewArea { level, code: code.to_owned(), name, boundary };
    Ok(HttpResponse::Created().json(areas::create(state, writer, area).await?))
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
