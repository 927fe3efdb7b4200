//! Special grids: thematic overlays drawn as a polygon or assembled from blocks; they may overlap anything.

use actix_web::http::Method;
use wangge_api::error::ErrorCode;
use wangge_api::paths;

use super::body::Json;
use super::route;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::Value;
use wangge_domain::codes::DistrictCode;

use super::input;
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::special_grids::{self, Extent, NewSpecial};
use crate::state::AppState;
use crate::store;
use crate::write::Writer;

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
    let name = input::label("name", &body.name, 100)?;
    let theme = input::label("theme", &body.theme, 100)?;
    let valid_from = input::at(body.valid_from.as_deref())?;
    let extent = match (&body.geometry, body.blocks) {
        (Some(g), None) => Extent::Drawn(input::boundary(g, false)?),
        (None, Some(blocks)) if !blocks.is_empty() => Extent::Blocks(blocks),
        _ => {
            return Err(ApiError::unprocessable(
                ErrorCode::BadShape,
                "give exactly one of geometry or a non-empty blocks list",
            ))
        }
    };
    let new = NewSpecial { district, name, theme, extent, valid_from };
    Ok(HttpResponse::Created().json(special_grids::create(&state, writer, new).await?))
}

async fn list(state: web::Data<AppState>, viewer: Viewer) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(store::special_grids::list(&state.pool, &viewer.prefixes()).await?))
}
