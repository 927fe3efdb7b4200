//! One grid's public details: counts of what it holds, never anyone's personal data.

use actix_web::{web, HttpResponse};
use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::startup::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/grids/{id}", web::get().to(get));
}

async fn get(state: web::Data<AppState>, path: web::Path<i64>) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let detail: Option<Value> = sqlx::query_scalar(
        "SELECT json_build_object(
             'id', g.id, 'code', g.code, 'kind', g.kind, 'name', coalesce(g.name, g.code),
             'households', g.households, 'residents', g.residents,
             'plan_id', p.id, 'plan_version', p.version, 'plan_status', p.status,
             'buildings', (SELECT count(*) FROM building b JOIN grid_block gb ON gb.block_id = b.block_id WHERE gb.grid_id = g.id),
             'elements', (SELECT coalesce(json_object_agg(kind, n), '{}'::json) FROM
                            (SELECT kind, count(*) AS n FROM element WHERE grid_id = g.id GROUP BY kind) e),
             'registered_residents', (SELECT count(*) FROM resident WHERE grid_id = g.id),
             'community_code', c.code, 'community_name', c.name, 'street_name', s.name,
             'bbox', json_build_array(ST_XMin(g.geom), ST_YMin(g.geom), ST_XMax(g.geom), ST_YMax(g.geom)))
         FROM grid g JOIN plan p ON p.id = g.plan_id JOIN community c ON c.code = p.community_code
              JOIN street s ON s.code = c.street_code
         WHERE g.id = $1",
    )
    .bind(id)
    .fetch_optional(&state.pool)
    .await?;
    detail.map(|d| HttpResponse::Ok().json(d)).ok_or_else(|| ApiError::not_found("grid", id))
}
