//! Cases: report, the desk's list, the case page, actions, photos, duplicates nearby, notifications.

use actix_web::http::Method;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use wangge_api::cases::{CaseAct, NewCase};
use wangge_api::error::ErrorCode;
use wangge_api::paths;
use wangge_domain::case::{CaseState, Channel, Light};

use super::body::{Json, Raw};
use super::form::JsonOrForm;
use super::{input, route};
use crate::auth::Viewer;
use crate::case_intake;
use crate::cases;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::cases::{self as store, Filter};
use crate::write::Writer;

pub fn configure(cfg: &mut web::ServiceConfig) {
    route(cfg, Method::GET, paths::CASES, list);
    route(cfg, Method::POST, paths::CASES, report);
    route(cfg, Method::GET, paths::CASE_DUPLICATES, duplicates);
    route(cfg, Method::GET, paths::CASE, get);
    route(cfg, Method::POST, paths::CASE_ACTIONS, act);
    route(cfg, Method::POST, paths::CASE_PHOTOS, add_photo);
    route(cfg, Method::GET, paths::CASE_PHOTO, photo);
    route(cfg, Method::GET, paths::NOTIFICATIONS, notifications);
}

/// A report as JSON, or as a form with its photos (`json` and `photo` parts).
async fn report(
    state: web::Data<AppState>,
    writer: Writer,
    viewer: Viewer,
    body: JsonOrForm<NewCase>,
) -> ApiResult<HttpResponse> {
    let (new, reported) = cases::report(&state, writer, &viewer, body.json, body.photos).await?;
    Ok(if new { HttpResponse::Created() } else { HttpResponse::Ok() }.json(reported))
}

/// The desk's filters, as query parameters.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    /// Comma-separated states.
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    light: Option<Light>,
    #[serde(default)]
    category: Option<String>,
    /// Street, community or grid code (prefix).
    #[serde(default)]
    area: Option<String>,
    #[serde(default)]
    channel: Option<Channel>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    supervised: Option<bool>,
    #[serde(default)]
    q: Option<String>,
    /// Only the cases waiting for the caller (their inbox).
    #[serde(default)]
    mine: Option<bool>,
    #[serde(default)]
    limit: Option<i64>,
    #[serde(default)]
    offset: Option<i64>,
}

async fn list(state: web::Data<AppState>, viewer: Viewer, q: web::Query<ListQuery>) -> ApiResult<HttpResponse> {
    let q = q.into_inner();
    let states = q
        .state
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<CaseState>().map_err(|e| ApiError::bad_request(ErrorCode::BadQuery, e)))
        .collect::<ApiResult<Vec<_>>>()?;
    if let Some(a) = &q.area {
        if !(a.len() == 9 || a.len() == 12 || a.len() == 15) || !a.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ApiError::bad_request(ErrorCode::BadCode, "area must be a street, community or grid code"));
        }
    }
    let filter = Filter {
        states,
        light: q.light,
        category: q.category,
        area: q.area,
        channel: q.channel,
        from: q.from.as_deref().map(|t| input::at(Some(t))).transpose()?,
        to: q.to.as_deref().map(|t| input::at(Some(t))).transpose()?,
        supervised: q.supervised.unwrap_or(false),
        text: q.q.as_deref().map(|t| input::label("q", t, 100)).transpose()?,
        turn: q.mine.unwrap_or(false).then(|| cases::inbox_actor(&viewer)),
        limit: q.limit.unwrap_or(50).clamp(1, 500),
        offset: q.offset.unwrap_or(0).max(0),
    };
    Ok(HttpResponse::Ok().json(cases::list(&state, &viewer, &filter).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NearQuery {
    category: String,
    lon: f64,
    lat: f64,
}

async fn duplicates(state: web::Data<AppState>, q: web::Query<NearQuery>) -> ApiResult<HttpResponse> {
    let p = input::lon_lat(q.lon, q.lat)?;
    Ok(HttpResponse::Ok().json(case_intake::duplicates(&state, &q.category, (p.lon(), p.lat()), None).await?))
}

async fn get(state: web::Data<AppState>, viewer: Viewer, path: web::Path<i64>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(cases::detail(&state, &viewer, path.into_inner()).await?))
}

async fn act(
    state: web::Data<AppState>,
    writer: Writer,
    viewer: Viewer,
    path: web::Path<i64>,
    body: Json<CaseAct>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(cases::act(&state, writer, &viewer, path.into_inner(), body.into_inner()).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StageQuery {
    #[serde(default)]
    stage: Option<String>,
}

async fn add_photo(
    state: web::Data<AppState>,
    writer: Writer,
    viewer: Viewer,
    path: web::Path<i64>,
    q: web::Query<StageQuery>,
    Raw(body): Raw,
) -> ApiResult<HttpResponse> {
    let stage = match q.stage.as_deref().unwrap_or("report") {
        s @ ("report" | "after") => s,
        other => return Err(ApiError::bad_request(ErrorCode::BadQuery, format!("stage {other:?}: report or after"))),
    };
    let photo = cases::add_photo(&state, writer, &viewer, path.into_inner(), stage, body).await?;
    Ok(HttpResponse::Created().json(photo))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PhotoQuery {
    #[serde(default)]
    thumb: Option<String>,
}

async fn photo(
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    q: web::Query<PhotoQuery>,
) -> ApiResult<HttpResponse> {
    let (case_id, id) = path.into_inner();
    let (mime, bytes) = store::photo_bytes(&state.pool, case_id, id, q.thumb.is_some())
        .await?
        .ok_or_else(|| ApiError::not_found("photo", id))?;
    Ok(HttpResponse::Ok().content_type(mime).insert_header(("Cache-Control", "private, max-age=86400")).body(bytes))
}

async fn notifications(state: web::Data<AppState>, viewer: Viewer) -> ApiResult<HttpResponse> {
    let seer = cases::seer(&state, &viewer).await?;
    Ok(HttpResponse::Ok().json(store::notifications(&state.pool, &seer, 50).await?))
}
