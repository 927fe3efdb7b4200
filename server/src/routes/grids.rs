//! One grid: its public card (name, code, community, its grid workers' public contact, where it is) for anyone,
//! and its statistics (households, residents, buildings, elements) for staff whose scope covers it.

use actix_web::http::Method;
use wangge_api::paths;

use super::route;
use actix_web::{web, HttpResponse};
use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::accounts;

pub fn configure(cfg: &mut web::ServiceConfig) {
    route(cfg, Method::GET, paths::GRID, card);
    route(cfg, Method::GET, paths::GRID_STATS, stats);
}

/// Only grids of published plans have a public card; drafts are staff business.
async fn card(state: web::Data<AppState>, path: web::Path<i64>) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let card: Option<Value> = sqlx::query_scalar(
        "SELECT jsonb_build_object(
             'id', g.id, 'code', g.code, 'kind', g.kind, 'name', coalesce(g.name, g.code),
             'community_code', c.code, 'community_name', c.name, 'street_name', s.name,
             'bbox', jsonb_build_array(ST_XMin(g.geom), ST_YMin(g.geom), ST_XMax(g.geom), ST_YMax(g.geom)))
         FROM grid g JOIN plan p ON p.id = g.plan_id JOIN community c ON c.code = p.community_code
              JOIN street s ON s.code = c.street_code
         WHERE g.id = $1 AND p.status = 'published'",
    )
    .bind(id)
    .fetch_optional(&state.pool)
    .await?;
    let mut card = card.ok_or_else(|| ApiError::not_found("grid", id))?;
    let contacts = match card["code"].as_str() {
        Some(code) => accounts::grid_contacts(&state.pool, code).await?,
        None => Vec::new(),
    };
    card["contacts"] = Value::from(contacts);
    Ok(HttpResponse::Ok().json(card))
}

async fn stats(state: web::Data<AppState>, path: web::Path<i64>) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let stats: Option<Value> = sqlx::query_scalar(
        "SELECT json_build_object(
             'id', g.id, 'households', g.households, 'residents', g.residents,
             'plan_id', p.id, 'plan_version', p.version, 'plan_status', p.status,
             'buildings', (SELECT count(*) FROM building b JOIN grid_block gb ON gb.block_id = b.block_id WHERE gb.grid_id = g.id),
             'elements', (SELECT coalesce(json_object_agg(kind, n), '{}'::json) FROM
                            (SELECT kind, count(*) AS n FROM element WHERE grid_id = g.id GROUP BY kind) e),
             'registered_residents', (SELECT count(*) FROM resident WHERE grid_id = g.id))
         FROM grid g JOIN plan p ON p.id = g.plan_id WHERE g.id = $1",
    )
    .bind(id)
    .fetch_optional(&state.pool)
    .await?;
    stats.map(|d| HttpResponse::Ok().json(d)).ok_or_else(|| ApiError::not_found("grid", id))
}
