//! Special grids: thematic overlays drawn as a polygon or assembled from blocks; they may overlap anything.

use actix_web::http::Method;
use wangge_api::error::ErrorCode;
use wangge_api::paths;

use super::body::Json;
use super::route;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};
use wangge_domain::codes::DistrictCode;

use super::input;
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::geojson_text;
use crate::store::special_grids::{self, NewSpecialGrid};
use crate::write::{Touches, Writer};

pub fn configure(cfg: &mut web::ServiceConfig) {
    route(cfg, Method::GET, paths::SPECIAL_GRIDS, list);
    route(cfg, Method::POST, paths::SPECIAL_GRIDS, create);
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SpecialInput {
    district_code: String,
    name: String,
    /// Theme: `safety`, `environment`, `river`, `fire`…
    theme: String,
    /// Either a polygon…
    #[serde(default)]
    geometry: Option<Value>,
    /// …or a set of blocks.
    #[serde(default)]
    blocks: Option<Vec<i64>>,
    #[serde(default)]
    valid_from: Option<String>,
}

async fn create(state: web::Data<AppState>, writer: Writer, body: Json<SpecialInput>) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let district: DistrictCode = input::code(&body.district_code)?;
    for (field, v) in [("name", &body.name), ("theme", &body.theme)] {
        input::label(field, v, 100)?;
    }
    let valid_from = input::at(body.valid_from.as_deref())?;
    let geom_sql = match (&body.geometry, &body.blocks) {
        (Some(g), None) => {
            let b = input::boundary(g, false)?;
            geojson_text(b.multi_polygon())
        }
        (None, Some(blocks)) if !blocks.is_empty() => {
            let (found, geojson) = special_grids::blocks_union(&state.pool, blocks, district.as_str()).await?;
            let mut wanted = blocks.clone();
            wanted.sort_unstable();
            wanted.dedup();
            if found as usize != wanted.len() {
                return Err(ApiError::unprocessable(
                    ErrorCode::UnknownBlocks,
                    "some blocks do not exist in this district",
                ));
            }
            geojson.unwrap_or_default()
        }
        _ => {
            return Err(ApiError::unprocessable(
                ErrorCode::BadShape,
                "give exactly one of geometry or a non-empty blocks list",
            ))
        }
    };
    let mut w = writer.begin(&state).await?;
    let new = NewSpecialGrid {
        district: district.as_str(),
        name: body.name.trim(),
        theme: body.theme.trim(),
        blocks: body.blocks.as_deref(),
        geojson: &geom_sql,
        valid_from,
    };
    let id = special_grids::insert(w.conn(), new).await?;
    w.commit(StatusCode::CREATED, json!({ "id": id }), Touches::Areas(None)).await
}

async fn list(state: web::Data<AppState>, viewer: Viewer) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(special_grids::list(&state.pool, &viewer.prefixes()).await?))
}
