//! Registered residents. Personal data (name, ID-card number, phone) is encrypted at rest; lists and single reads
//! show it masked; `POST /residents/{id}/reveal` shows it in clear to a scoped role, and the reveal is audited through
//! the after-write path (the log keeps the masked record).

use actix_web::http::Method;
use wangge_api::error::ErrorCode;
use wangge_api::paths;

use super::body::Json;
use super::route;
use actix_web::http::header::{HeaderValue, CACHE_CONTROL};
use actix_web::{web, HttpResponse};
use chrono::Datelike;
use serde::Deserialize;
use wangge_domain::personal::{IdCardNumber, PersonName, PhoneNumber};

use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::residents::{self as service, Person};
use crate::state::AppState;
use crate::store::residents;
use crate::write::Writer;

pub fn configure(cfg: &mut web::ServiceConfig) {
    route(cfg, Method::POST, paths::RESIDENTS, create);
    route(cfg, Method::GET, paths::RESIDENTS, list);
    route(cfg, Method::GET, paths::RESIDENT, get);
    route(cfg, Method::POST, paths::RESIDENT_REVEAL, reveal);
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResidentInput {
    name: String,
    id_card: String,
    #[serde(default)]
    phone: Option<String>,
    /// The building the resident lives in; its interior point locates the resident.
    building_id: i64,
}

fn unprocessable(code: ErrorCode) -> impl Fn(wangge_domain::personal::PersonalDataError) -> ApiError {
    move |e| ApiError::unprocessable(code, e.to_string())
}

async fn create(state: web::Data<AppState>, writer: Writer, body: Json<ResidentInput>) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let name = PersonName::new(&body.name).map_err(unprocessable(ErrorCode::BadName))?;
    let id_card: IdCardNumber = body.id_card.parse().map_err(unprocessable(ErrorCode::BadIdCard))?;
    // Today in China (UTC+8): nobody registered here is born later.
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    id_card.check_born_by((today.year(), today.month(), today.day())).map_err(unprocessable(ErrorCode::BadIdCard))?;
    let phone: Option<PhoneNumber> =
        body.phone.as_deref().map(str::parse).transpose().map_err(unprocessable(ErrorCode::BadPhone))?;
    let person = Person { name, id_card, phone };
    Ok(HttpResponse::Created().json(service::register(&state, writer, person, body.building_id).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    #[serde(default)]
    grid: Option<i64>,
    #[serde(default)]
    community: Option<String>,
    #[serde(default)]
    limit: Option<i64>,
}

async fn list(state: web::Data<AppState>, viewer: Viewer, q: web::Query<ListQuery>) -> ApiResult<HttpResponse> {
    let limit = q.limit.unwrap_or(500).clamp(1, 5000);
    let rows = residents::list(&state.pool, &viewer.prefixes(), q.grid, q.community.as_deref(), limit).await?;
    Ok(HttpResponse::Ok().json(rows))
}

async fn get(state: web::Data<AppState>, path: web::Path<i64>) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let row = residents::get(&state.pool, id).await?;
    row.map(|r| HttpResponse::Ok().json(r)).ok_or_else(|| ApiError::not_found("resident", id))
}

/// Show a resident's personal data in full. The disclosure is audited like a write (the log keeps the masked
/// record, never the revealed values).
async fn reveal(state: web::Data<AppState>, writer: Writer, path: web::Path<i64>) -> ApiResult<HttpResponse> {
    let revealed = service::reveal(&state, writer, path.into_inner()).await?;
    Ok(HttpResponse::Ok().insert_header((CACHE_CONTROL, HeaderValue::from_static("no-store"))).json(revealed))
}
