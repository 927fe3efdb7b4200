//! Search: grids (code or name), communities, buildings (name or address) and elements (name).

use actix_web::http::Method;
use wangge_api::error::ErrorCode;
use wangge_api::paths;

use super::route;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    route(cfg, Method::GET, paths::SEARCH, search);
}

#[derive(Deserialize)]
struct SearchQuery {
    q: String,
}

/// Escape LIKE wildcards so the text is matched literally.
fn like_literal(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

async fn search(state: web::Data<AppState>, q: web::Query<SearchQuery>) -> ApiResult<HttpResponse> {
    let text = q.q.trim();
    if text.is_empty() || text.chars().count() > 100 {
        return Err(ApiError::bad_request(ErrorCode::BadQuery, "q must have 1 to 100 characters"));
    }
    let pattern = like_literal(text);
    let hits: Vec<Value> = sqlx::query_scalar(
        "SELECT json_build_object('kind', kind, 'label', label, 'detail', detail, 'lon', ST_X(p), 'lat', ST_Y(p)) FROM (
           SELECT 0 AS rank, 'grid' AS kind, coalesce(g.name, g.code) AS label, g.code AS detail, ST_PointOnSurface(g.geom) AS p
           FROM grid g JOIN plan pl ON pl.id = g.plan_id
           WHERE pl.status = 'published' AND pl.valid_from <= now() AND (pl.valid_to IS NULL OR pl.valid_to > now())
             AND (g.code LIKE $1 || '%' OR g.name ILIKE '%' || $1 || '%')
           UNION ALL
           SELECT 1, 'community', name, code, ST_PointOnSurface(geom) FROM community
           WHERE geom IS NOT NULL AND (code LIKE $1 || '%' OR name ILIKE '%' || $1 || '%')
           UNION ALL
           SELECT 2, 'building', coalesce(name, address, kind), address, ST_PointOnSurface(footprint) FROM building
           WHERE name ILIKE '%' || $1 || '%' OR address ILIKE '%' || $1 || '%'
           UNION ALL
           SELECT 3, kind, name, coalesce(address, category), geom FROM element WHERE name ILIKE '%' || $1 || '%'
         ) s ORDER BY rank, length(label), label LIMIT 20",
    )
    .bind(pattern)
    .fetch_all(&state.pool)
    .await?;
    Ok(HttpResponse::Ok().json(hits))
}
