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
use sqlx::PgPool;
use wangge_domain::codes::{CommunityCode, DistrictCode, StreetCode};

use super::input;
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::hierarchy::{misplaced, upsert_area, Level, Misplaced};
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

/// The children of `parent` that the viewer's scope touches (`sql` filters with `$1` parent and `$2` prefixes).
async fn children(pool: &PgPool, sql: &str, parent: &str, viewer: &Viewer) -> ApiResult<HttpResponse> {
    let rows: Vec<Value> = sqlx::query_scalar(sql).bind(parent).bind(viewer.prefixes()).fetch_all(pool).await?;
    Ok(HttpResponse::Ok().json(rows))
}

async fn list_districts(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let rows: Vec<Value> = sqlx::query_scalar(
        "SELECT json_build_object('code', code, 'name', name, 'generated', generated,
                'bbox', CASE WHEN geom IS NULL THEN NULL ELSE
                  json_build_array(ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)) END)
         FROM district ORDER BY code",
    )
    .fetch_all(&state.pool)
    .await?;
    Ok(HttpResponse::Ok().json(rows))
}

async fn list_streets(state: web::Data<AppState>, viewer: Viewer, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let code: DistrictCode = input::code(&path)?;
    exists(&state.pool, "district", code.as_str()).await?;
    children(
        &state.pool,
        "SELECT json_build_object('code', code, 'name', name, 'has_boundary', geom IS NOT NULL)
         FROM street WHERE district_code = $1 AND touches_scope(code, $2) ORDER BY code",
        code.as_str(),
        &viewer,
    )
    .await
}

async fn list_communities(
    state: web::Data<AppState>,
    viewer: Viewer,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let code: StreetCode = input::code(&path)?;
    exists(&state.pool, "street", code.as_str()).await?;
    children(
        &state.pool,
        "SELECT json_build_object('code', c.code, 'name', c.name, 'has_boundary', c.geom IS NOT NULL,
                'blocks', (SELECT count(*) FROM block b WHERE b.community_code = c.code AND NOT b.retired),
                'households', (SELECT coalesce(sum(households), 0) FROM block b WHERE b.community_code = c.code AND NOT b.retired))
         FROM community c WHERE street_code = $1 AND touches_scope(code, $2) ORDER BY code",
        code.as_str(),
        &viewer,
    )
    .await
}

async fn exists(pool: &PgPool, table: &str, code: &str) -> ApiResult<()> {
    let found: bool = sqlx::query_scalar(&format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE code = $1)"))
        .bind(code)
        .fetch_one(pool)
        .await?;
    if found {
        Ok(())
    } else {
        Err(ApiError::not_found(table, code))
    }
}

async fn get_community(state: web::Data<AppState>, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let code: CommunityCode = input::code(&path)?;
    let feature: Option<Value> = sqlx::query_scalar(
        "SELECT json_build_object('type', 'Feature', 'id', c.code,
                'geometry', ST_AsGeoJSON(c.geom, 7)::json,
                'properties', json_build_object('code', c.code, 'name', c.name, 'street_code', c.street_code,
                    'street_name', s.name, 'district_code', s.district_code,
                    'blocks', (SELECT count(*) FROM block b WHERE b.community_code = c.code AND NOT b.retired),
                    'buildings', (SELECT count(*) FROM building b WHERE b.community_code = c.code),
                    'households', (SELECT coalesce(sum(households), 0) FROM block b WHERE b.community_code = c.code AND NOT b.retired),
                    'plan_in_force', (SELECT p.id FROM plan p WHERE p.community_code = c.code AND p.status = 'published'
                        AND p.valid_from <= now() AND (p.valid_to IS NULL OR p.valid_to > now()))))
         FROM community c JOIN street s ON s.code = c.street_code WHERE c.code = $1",
    )
    .bind(code.as_str())
    .fetch_optional(&state.pool)
    .await?;
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
    if let Some(parent) = level.parent_column() {
        let table = if parent == "district_code" { "district" } else { "street" };
        exists(&state.pool, table, &code[..level.parent_digits()]).await?;
    }
    let taken: bool = sqlx::query_scalar(&format!("SELECT EXISTS (SELECT 1 FROM {} WHERE code = $1)", level.table()))
        .bind(code)
        .fetch_one(&state.pool)
        .await?;
    if taken {
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
