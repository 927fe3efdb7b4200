//! Registered residents. Personal data (name, ID-card number, phone) is encrypted at rest; lists and single reads
//! show it masked; `POST /residents/{id}/reveal` shows it in clear to a scoped role and the guard writes the reveal
//! to the audit log.

use actix_web::http::Method;
use wangge_api::error::ErrorCode;
use wangge_api::paths;

use super::body::Json;
use super::route;
use actix_web::http::header::{HeaderValue, CACHE_CONTROL};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::Datelike;
use serde::Deserialize;
use serde_json::{json, Value};
use wangge_domain::personal::{IdCardNumber, PersonName, PhoneNumber};

use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::write::{Touches, Writer};

pub fn configure(cfg: &mut web::ServiceConfig) {
    route(cfg, Method::POST, paths::RESIDENTS, create);
    route(cfg, Method::GET, paths::RESIDENTS, list);
    route(cfg, Method::GET, paths::RESIDENT, get);
    route(cfg, Method::POST, paths::RESIDENT_REVEAL, reveal);
}

/// A resident's masked JSON.
const MASKED_JSON: &str = "jsonb_build_object('id', r.id, 'name', r.name_masked, 'id_card', r.id_card_masked,
    'phone', r.phone_masked, 'building_id', r.building_id, 'community_code', r.community_code,
    'grid_id', r.grid_id, 'grid_code', g.code, 'created_at', r.created_at)";

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
    let point: Option<(f64, f64)> = sqlx::query_as(
        "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(footprint) p FROM building WHERE id = $1) s",
    )
    .bind(body.building_id)
    .fetch_optional(&state.pool)
    .await?;
    let (lon, lat) = point.ok_or_else(|| ApiError::not_found("building", body.building_id))?;
    let located = state.cache.snapshot().locate(lon, lat, chrono::Utc::now());
    let key = &state.security.key;
    let mut w = writer.begin(&state).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO resident (name_enc, id_card_enc, phone_enc, name_masked, id_card_masked, phone_masked, id_card_digest,
                               building_id, geom, community_code, grid_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, ST_SetSRID(ST_MakePoint($9, $10), 4326), $11, $12) RETURNING id",
    )
    .bind(key.seal(name.as_str()))
    .bind(key.seal(id_card.as_str()))
    .bind(phone.as_ref().map(|p| key.seal(p.as_str())))
    .bind(name.masked())
    .bind(id_card.masked())
    .bind(phone.as_ref().map(PhoneNumber::masked))
    .bind(key.digest(id_card.as_str()))
    .bind(body.building_id)
    .bind(lon)
    .bind(lat)
    .bind(located.community.as_ref().map(|c| c.code.clone()))
    .bind(located.grid().map(|g| g.id))
    .fetch_one(w.conn())
    .await?;
    let grid = located.grid().map(|g| json!({ "id": g.id, "code": g.code }));
    let answer = json!({ "id": id, "community": located.community.map(|c| c.code), "grid": grid });
    w.commit(StatusCode::CREATED, answer, Touches::Nothing).await
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
    let rows: Vec<Value> = sqlx::query_scalar(&format!(
        "SELECT {MASKED_JSON} FROM resident r LEFT JOIN grid g ON g.id = r.grid_id
         WHERE in_scope(coalesce(g.code, r.community_code), $1)
           AND ($2::int8 IS NULL OR r.grid_id = $2) AND ($3::text IS NULL OR r.community_code = $3)
         ORDER BY r.id LIMIT $4"
    ))
    .bind(viewer.prefixes())
    .bind(q.grid)
    .bind(&q.community)
    .bind(q.limit.unwrap_or(500).clamp(1, 5000))
    .fetch_all(&state.pool)
    .await?;
    Ok(HttpResponse::Ok().json(rows))
}

async fn get(state: web::Data<AppState>, path: web::Path<i64>) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let row: Option<Value> = sqlx::query_scalar(&format!(
        "SELECT {MASKED_JSON} FROM resident r LEFT JOIN grid g ON g.id = r.grid_id WHERE r.id = $1"
    ))
    .bind(id)
    .fetch_optional(&state.pool)
    .await?;
    row.map(|r| HttpResponse::Ok().json(r)).ok_or_else(|| ApiError::not_found("resident", id))
}

/// A resident's sealed name, ID-card number and phone, as stored.
type SealedRow = (Vec<u8>, Vec<u8>, Option<Vec<u8>>);

/// Show a resident's personal data in full. The disclosure is audited like a write (the log keeps the masked
/// record, never the revealed values).
async fn reveal(state: web::Data<AppState>, writer: Writer, path: web::Path<i64>) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let mut w = writer.begin(&state).await?;
    let row: Option<SealedRow> = sqlx::query_as("SELECT name_enc, id_card_enc, phone_enc FROM resident WHERE id = $1")
        .bind(id)
        .fetch_optional(w.conn())
        .await?;
    let (name, id_card, phone) = row.ok_or_else(|| ApiError::not_found("resident", id))?;
    let key = &state.security.key;
    let open =
        |b: &[u8]| key.open(b).map_err(|e| ApiError::from(anyhow::Error::from(e).context(format!("resident {id}"))));
    let answer = json!({
        "id": id,
        "name": open(&name)?,
        "id_card": open(&id_card)?,
        "phone": phone.as_deref().map(open).transpose()?,
    });
    let mut res = w.commit(StatusCode::OK, answer, Touches::Nothing).await?;
    res.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}
