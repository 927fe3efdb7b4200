//! Public reporting: the problem list, the public map's reports, a resident's report, the duplicate hint, following,
//! the tracking page and its rating, public photos; and the staff's blurring of a photo's public copy.

use actix_web::http::Method;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use wangge_api::paths;
use wangge_api::public::{NewPublicReport, NewRating};

use super::body::Json;
use super::form::JsonOrForm;
use super::{input, route};
use crate::error::ApiResult;
use crate::media::Region;
use crate::public_reports::{self as public, Filing};
use crate::state::AppState;
use crate::write::Writer;

pub fn configure(cfg: &mut web::ServiceConfig) {
    route(cfg, Method::GET, paths::PUBLIC_SERVICES, services);
    route(cfg, Method::GET, paths::PUBLIC_REPORTS, map);
    route(cfg, Method::POST, paths::PUBLIC_REPORTS, report);
    route(cfg, Method::GET, paths::PUBLIC_NEARBY, nearby);
    route(cfg, Method::POST, paths::PUBLIC_FOLLOW, follow);
    route(cfg, Method::GET, paths::PUBLIC_PHOTO, photo);
    route(cfg, Method::GET, paths::TRACK, track);
    route(cfg, Method::POST, paths::TRACK_RATING, rate);
    route(cfg, Method::POST, paths::CASE_PHOTO_BLUR, blur);
}

async fn services(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(public::services(&state).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MapQuery {
    bbox: String,
    /// Reported in the last this many days (default 90, at most 366).
    #[serde(default)]
    days: Option<i64>,
    /// At most this many (default 500, at most 2,000).
    #[serde(default)]
    limit: Option<usize>,
}

async fn map(state: web::Data<AppState>, q: web::Query<MapQuery>) -> ApiResult<HttpResponse> {
    let bbox = input::bbox(&q.bbox)?;
    let days = q.days.unwrap_or(90).clamp(1, 366);
    let limit = q.limit.unwrap_or(500).clamp(1, 2000);
    Ok(HttpResponse::Ok().json(public::map(&state, bbox, days, limit).await?))
}

async fn report(
    state: web::Data<AppState>,
    writer: Writer,
    req: HttpRequest,
    body: JsonOrForm<NewPublicReport>,
) -> ApiResult<HttpResponse> {
    let address = req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default();
    let (new, tracking, _) = public::file(&state, writer, Filing::from_form(body.json, address), body.photos).await?;
    Ok(if new { HttpResponse::Created() } else { HttpResponse::Ok() }.json(tracking))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NearbyQuery {
    service: String,
    lon: f64,
    lat: f64,
}

async fn nearby(state: web::Data<AppState>, q: web::Query<NearbyQuery>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(public::nearby(&state, &q.service, q.lon, q.lat).await?))
}

async fn follow(state: web::Data<AppState>, number: web::Path<String>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(public::follow(&state, &number).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PhotoQuery {
    #[serde(default)]
    thumb: Option<String>,
    /// A version the staff page adds after blurring, so the browser fetches the new copy (not read here).
    #[serde(default, rename = "v")]
    _version: Option<String>,
}

async fn photo(state: web::Data<AppState>, id: web::Path<i64>, q: web::Query<PhotoQuery>) -> ApiResult<HttpResponse> {
    let bytes = public::photo(&state, id.into_inner(), q.thumb.is_some()).await?;
    Ok(HttpResponse::Ok()
        .content_type("image/jpeg")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(bytes))
}

async fn track(state: web::Data<AppState>, token: web::Path<String>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(public::track(&state, &token).await?))
}

async fn rate(
    state: web::Data<AppState>,
    writer: Writer,
    token: web::Path<String>,
    body: Json<NewRating>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(public::rate(&state, writer, &token, body.into_inner()).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BlurBody {
    regions: Vec<Region>,
}

async fn blur(
    state: web::Data<AppState>,
    writer: Writer,
    path: web::Path<(i64, i64)>,
    body: Json<BlurBody>,
) -> ApiResult<HttpResponse> {
    let (case_id, photo) = path.into_inner();
    Ok(HttpResponse::Ok().json(public::blur(&state, writer, case_id, photo, body.into_inner().regions).await?))
}
