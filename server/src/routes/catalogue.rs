//! The case catalogue: categories, departments, dispatch rules, stage limits.

use actix_web::http::Method;
use actix_web::{web, HttpResponse};
use wangge_api::cases::{CategoryEdit, DispatchRule, NewCategory, NewDepartment};
use wangge_api::paths;
use wangge_domain::case::TimeLimit;

use super::body::Json;
use super::route;
use crate::auth::Viewer;
use crate::catalogue;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::store::catalogue as store;
use crate::write::Writer;

pub fn configure(cfg: &mut web::ServiceConfig) {
    route(cfg, Method::GET, paths::CATEGORIES, categories);
    route(cfg, Method::POST, paths::CATEGORIES, add_category);
    route(cfg, Method::PUT, paths::CATEGORY, edit_category);
    route(cfg, Method::GET, paths::DEPARTMENTS, departments);
    route(cfg, Method::POST, paths::DEPARTMENTS, add_department);
    route(cfg, Method::GET, paths::DISPATCH_RULES, rules);
    route(cfg, Method::POST, paths::DISPATCH_RULES, add_rule);
    route(cfg, Method::GET, paths::STAGE_LIMITS, stage_limits);
    route(cfg, Method::PUT, paths::STAGE_LIMIT, set_stage_limit);
}

async fn stage_limits(state: web::Data<AppState>, viewer: Viewer) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(catalogue::stage_limits(&state, &viewer).await?))
}

async fn set_stage_limit(
    state: web::Data<AppState>,
    writer: Writer,
    viewer: Viewer,
    path: web::Path<String>,
    body: Json<TimeLimit>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(catalogue::set_stage_limit(&state, writer, &viewer, &path, body.into_inner()).await?))
}

async fn categories(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(store::categories(&state.pool).await?))
}

async fn add_category(state: web::Data<AppState>, writer: Writer, body: Json<NewCategory>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created().json(catalogue::add_category(&state, writer, body.into_inner()).await?))
}

async fn edit_category(
    state: web::Data<AppState>,
    writer: Writer,
    viewer: Viewer,
    path: web::Path<String>,
    body: Json<CategoryEdit>,
) -> ApiResult<HttpResponse> {
    let category = catalogue::edit_category(&state, writer, &viewer, &path, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(category))
}

async fn departments(state: web::Data<AppState>, viewer: Viewer) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(store::departments(&state.pool, viewer.district.as_str()).await?))
}

async fn add_department(
    state: web::Data<AppState>,
    writer: Writer,
    viewer: Viewer,
    body: Json<NewDepartment>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created().json(catalogue::add_department(&state, writer, &viewer, body.into_inner()).await?))
}

async fn rules(state: web::Data<AppState>, viewer: Viewer) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(store::rules(&state.pool, viewer.district.as_str()).await?))
}

async fn add_rule(
    state: web::Data<AppState>,
    writer: Writer,
    viewer: Viewer,
    body: Json<DispatchRule>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created().json(catalogue::add_rule(&state, writer, &viewer, body.into_inner()).await?))
}
