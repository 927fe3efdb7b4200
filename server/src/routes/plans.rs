//! Grid plans over HTTP: versions, drafts, validation and publishing. Writes go through the application service
//! ([`crate::plans`]); this module parses requests and picks the status.

use actix_web::http::Method;
use wangge_api::error::ErrorCode;
use wangge_api::paths;

use super::body::{Json, OptionalJson};
use super::route;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;
use wangge_domain::codes::CommunityCode;

use super::input;
use crate::error::{ApiError, ApiResult};
use crate::plans as service;
use crate::state::AppState;
use crate::store::plans::{self, Rebalance};
use crate::write::Writer;
use wangge_api::plans::PlanInput;

pub fn configure(cfg: &mut web::ServiceConfig) {
    route(cfg, Method::GET, paths::COMMUNITY_PLANS, list);
    route(cfg, Method::POST, paths::COMMUNITY_PLANS, create);
    route(cfg, Method::POST, paths::COMMUNITY_PLANS_SUGGEST, suggest);
    route(cfg, Method::GET, paths::COMMUNITY_GRIDS, grids_in_force);
    route(cfg, Method::GET, paths::PLAN, get);
    route(cfg, Method::PUT, paths::PLAN, replace);
    route(cfg, Method::POST, paths::PLAN_PUBLISH, publish);
    route(cfg, Method::POST, paths::PLAN_REBALANCE, rebalance);
    route(cfg, Method::GET, paths::PLAN_DIFF, diff);
    route(cfg, Method::GET, paths::PLAN_LINEAGE, lineage);
}

async fn list(state: web::Data<AppState>, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let code: CommunityCode = input::code(&path)?;
    let rows = plans::list_plans(&state.pool, code.as_str()).await?;
    Ok(HttpResponse::Ok().json(rows))
}

async fn create(
    state: web::Data<AppState>,
    writer: Writer,
    path: web::Path<String>,
    body: Json<PlanInput>,
) -> ApiResult<HttpResponse> {
    let code: CommunityCode = input::code(&path)?;
    Ok(HttpResponse::Created().json(service::create_draft(&state, writer, &code, &body).await?))
}

async fn replace(
    state: web::Data<AppState>,
    writer: Writer,
    path: web::Path<i64>,
    body: Json<PlanInput>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::replace_draft(&state, writer, *path, &body).await?))
}

async fn get(state: web::Data<AppState>, path: web::Path<i64>) -> ApiResult<HttpResponse> {
    let plan = plans::get_plan(&state.pool, *path).await?;
    let report = plans::validate_stored(&state.pool, plan.id).await?;
    let grids = plans::grids_geojson(&state.pool, plan.id).await?;
    Ok(HttpResponse::Ok().json(json!({ "plan": plan, "report": report, "grids": grids })))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PublishInput {
    /// RFC 3339 or YYYY-MM-DD; default now.
    #[serde(default)]
    valid_from: Option<String>,
}

async fn publish(
    state: web::Data<AppState>,
    writer: Writer,
    path: web::Path<i64>,
    body: OptionalJson<PublishInput>,
) -> ApiResult<HttpResponse> {
    let valid_from = body.into_inner().and_then(|b| b.valid_from);
    let valid_from = valid_from.as_deref().map(|s| input::at(Some(s))).transpose()?;
    Ok(HttpResponse::Ok().json(service::publish(&state, writer, *path, valid_from).await?))
}

#[derive(Deserialize)]
struct AtQuery {
    at: Option<String>,
}

async fn grids_in_force(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<AtQuery>,
) -> ApiResult<HttpResponse> {
    let code: CommunityCode = input::code(&path)?;
    let at = input::at(query.at.as_deref())?;
    let plan = plans::plan_in_force(&state.pool, code.as_str(), at)
        .await?
        .ok_or_else(|| ApiError::not_found("published plan of community", format!("{code} at {at}")))?;
    let grids = plans::grids_geojson(&state.pool, plan.id).await?;
    Ok(HttpResponse::Ok().json(json!({ "plan": plan, "grids": grids })))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SuggestInput {
    /// Households per grid (default 300).
    #[serde(default)]
    target: Option<u32>,
    /// Tolerance (default 0.10).
    #[serde(default)]
    tolerance: Option<f64>,
    /// Seed (default 1).
    #[serde(default)]
    seed: Option<u64>,
}

async fn suggest(
    state: web::Data<AppState>,
    writer: Writer,
    path: web::Path<String>,
    body: OptionalJson<SuggestInput>,
) -> ApiResult<HttpResponse> {
    let code: CommunityCode = input::code(&path)?;
    let body = body.into_inner().unwrap_or_default();
    let mut options = wangge_domain::partition::Options::default();
    if let Some(t) = body.target {
        if !(50..=2000).contains(&t) {
            return Err(ApiError::unprocessable(ErrorCode::BadTarget, "target must be 50 to 2000 households"));
        }
        options.target = t;
    }
    if let Some(t) = body.tolerance {
        if !(0.01..=0.5).contains(&t) {
            return Err(ApiError::unprocessable(ErrorCode::BadTolerance, "tolerance must be 0.01 to 0.5"));
        }
        options.tolerance = t;
    }
    options.seed = body.seed.unwrap_or(options.seed);
    Ok(HttpResponse::Created().json(service::suggest(&state, writer, &code, &options).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RebalanceInput {
    /// Key of the natural grid the edit was around; absent: rebalance the community (the grids outside the band are
    /// brought back, every grid inside it stays as it is).
    #[serde(default)]
    grid: Option<String>,
    /// Grid-adjacency steps to re-divide around `grid`: 1 or 2 (default 1).
    #[serde(default)]
    hops: Option<usize>,
}

async fn rebalance(
    state: web::Data<AppState>,
    writer: Writer,
    path: web::Path<i64>,
    body: Json<RebalanceInput>,
) -> ApiResult<HttpResponse> {
    let hops = body.hops.unwrap_or(1);
    if !(1..=2).contains(&hops) {
        return Err(ApiError::unprocessable(ErrorCode::BadHops, "hops must be 1 or 2"));
    }
    let how = match body.into_inner() {
        RebalanceInput { grid: Some(focus), .. } => Rebalance::Around { focus, hops },
        RebalanceInput { grid: None, hops: None } => Rebalance::Community,
        RebalanceInput { grid: None, hops: Some(_) } => {
            return Err(ApiError::unprocessable(ErrorCode::BadHops, "hops go with a grid to rebalance around"))
        }
    };
    Ok(HttpResponse::Created().json(service::rebalance(&state, writer, *path, &how).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DiffQuery {
    /// The plan to compare with (same community); default: the plan it was based on, else the one in force.
    #[serde(default)]
    against: Option<i64>,
}

/// Which blocks changed grid between two versions of a community's plan, and the households they carry.
async fn lineage(state: web::Data<AppState>, path: web::Path<i64>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(plans::lineage(&state.pool, *path).await?))
}

async fn diff(state: web::Data<AppState>, path: web::Path<i64>, q: web::Query<DiffQuery>) -> ApiResult<HttpResponse> {
    let plan = plans::get_plan(&state.pool, *path).await?;
    let against = match q.against.or(plan.based_on) {
        Some(id) => Some(plans::get_plan(&state.pool, id).await?),
        None => plans::plan_in_force(&state.pool, &plan.community_code, chrono::Utc::now())
            .await?
            .filter(|p| p.id != plan.id),
    };
    if against.as_ref().is_some_and(|a| a.community_code != plan.community_code) {
        return Err(ApiError::unprocessable(ErrorCode::OtherCommunity, "both plans must belong to the same community"));
    }
    let after = plans::assignment(&state.pool, plan.id).await?;
    let before = match &against {
        Some(a) => plans::assignment(&state.pool, a.id).await?,
        None => Vec::new(),
    };
    let households: std::collections::HashMap<i64, u32> =
        before.iter().chain(after.iter()).map(|(b, _, _, h)| (*b, (*h).max(0) as u32)).collect();
    let pairs = |rows: &[(i64, String, Option<String>, i32)]| {
        rows.iter().map(|(b, k, _, _)| (*b, k.clone())).collect::<Vec<_>>()
    };
    let d =
        wangge_domain::plan_diff::diff(&pairs(&before), &pairs(&after), |b| households.get(&b).copied().unwrap_or(0));
    Ok(HttpResponse::Ok().json(json!({ "plan": plan.id, "against": against.map(|a| a.id), "diff": d })))
}
