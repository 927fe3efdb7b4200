//! Elements located to grids: places, facilities (部件) and organizations.

use actix_web::http::Method;
use wangge_api::paths;
use wangge_domain::element::ElementKind;

use super::body::Json;
use super::route;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use wangge_domain::codes::FacilityId;

use super::input;
use crate::auth::Viewer;
use crate::elements::{self as service, Element};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::elements::{self, ElementFilter};
use crate::write::Writer;

pub fn configure(cfg: &mut web::ServiceConfig) {
    route(cfg, Method::POST, paths::ELEMENTS, create);
    route(cfg, Method::GET, paths::ELEMENTS, list);
    route(cfg, Method::GET, paths::ELEMENT, get);
}

/// What kind of element, with the fields only that kind has.
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum KindInput {
    Place {
        #[serde(default)]
        category: Option<String>,
    },
    Facility {
        facility_id: String,
    },
    Organization {
        #[serde(default)]
        category: Option<String>,
    },
}

#[derive(Deserialize)]
struct ElementInput {
    name: String,
    lon: f64,
    lat: f64,
    #[serde(default)]
    address: Option<String>,
    #[serde(flatten)]
    kind: KindInput,
}

async fn create(state: web::Data<AppState>, writer: Writer, body: Json<ElementInput>) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let name = input::label("name", &body.name, 200)?;
    let p = input::lon_lat(body.lon, body.lat)?;
    let (kind, category, facility_id) = match body.kind {
        KindInput::Place { category } => (ElementKind::Place, category, None),
        KindInput::Organization { category } => (ElementKind::Organization, category, None),
        KindInput::Facility { facility_id } => {
            let id: FacilityId = input::code(&facility_id)?;
            (ElementKind::Facility, Some(format!("{}{}", id.major_category(), id.minor_category())), Some(id))
        }
    };
    let element = Element {
        kind,
        name: &name,
        category: category.as_deref(),
        facility_id: facility_id.as_ref(),
        address: body.address.as_deref(),
        at: p,
    };
    Ok(HttpResponse::Created().json(service::register(&state, writer, element).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    kind: Option<ElementKind>,
    community: Option<String>,
    grid: Option<i64>,
    limit: Option<i64>,
}

async fn list(state: web::Data<AppState>, viewer: Viewer, q: web::Query<ListQuery>) -> ApiResult<HttpResponse> {
    let filter = ElementFilter {
        kind: q.kind,
        community: q.community.as_deref(),
        grid: q.grid,
        limit: q.limit.unwrap_or(1000).clamp(1, 10_000),
        prefixes: &viewer.prefixes(),
    };
    Ok(HttpResponse::Ok().json(elements::list(&state.pool, filter).await?))
}

async fn get(state: web::Data<AppState>, path: web::Path<i64>) -> ApiResult<HttpResponse> {
    let row = elements::get(&state.pool, *path).await?;
    row.map(|r| HttpResponse::Ok().json(r)).ok_or_else(|| ApiError::not_found("element", *path))
}
