//! Partner applications (API clients) of the admin's district.

use actix_web::http::Method;
use actix_web::{web, HttpResponse};
use wangge_api::clients::NewClient;
use wangge_api::paths;

use super::body::Json;
use super::route;
use crate::auth::Viewer;
use crate::clients;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::store;
use crate::write::Writer;

pub fn configure(cfg: &mut web::ServiceConfig) {
    route(cfg, Method::GET, paths::API_CLIENTS, list);
    route(cfg, Method::POST, paths::API_CLIENTS, register);
    route(cfg, Method::POST, paths::API_CLIENT_REVOKE, revoke);
}

async fn list(state: web::Data<AppState>, viewer: Viewer) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(store::clients::list(&state.pool, viewer.district.as_str()).await?))
}

async fn register(
    state: web::Data<AppState>,
    writer: Writer,
    viewer: Viewer,
    body: Json<NewClient>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created().json(clients::register(&state, writer, &viewer, body.into_inner()).await?))
}

async fn revoke(
    state: web::Data<AppState>,
    writer: Writer,
    viewer: Viewer,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(clients::revoke(&state, writer, &viewer, path.into_inner()).await?))
}
