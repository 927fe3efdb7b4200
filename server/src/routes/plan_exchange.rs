//! Plans in and out: export a version as GeoJSON or a zipped Shapefile (grid polygons with codes and counts) or as a
//! block → grid CSV, and import a draft from an existing layer of grid polygons (GeoJSON or zipped Shapefile),
//! reporting the blocks that fell between grids or across them.

use actix_web::http::Method;
use wangge_api::error::ErrorCode;
use wangge_api::paths;

use super::body::{Json, Raw};
use super::route;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};
use wangge_domain::codes::CommunityCode;

use super::input;
use crate::error::{ApiError, ApiResult};
use crate::plan_import::{self, LayerGrid};
use crate::state::AppState;
use crate::store::plans;
use crate::write::Writer;
use wangge_domain::boundary::Boundary;
use wangge_gis_data::shapes::{read_zip, write_zip, Attribute, ShapeFeature, UnpackLimits, ZipReadError};

pub fn configure(cfg: &mut web::ServiceConfig) {
    route(cfg, Method::GET, paths::PLAN_EXPORT, export);
    route(cfg, Method::POST, paths::COMMUNITY_PLANS_IMPORT, import);
    route(cfg, Method::POST, paths::COMMUNITY_PLANS_IMPORT_SHAPEFILE, import_shapefile);
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportQuery {
    /// `geojson` (default), `shapefile` (zipped) or `csv`.
    #[serde(default)]
    format: Option<String>,
}

async fn export(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    q: web::Query<ExportQuery>,
) -> ApiResult<HttpResponse> {
    let plan = plans::get_plan(&state.pool, *path).await?;
    let stem = format!("plan-{}-v{}", plan.community_code, plan.version);
    match q.format.as_deref().unwrap_or("geojson") {
        "geojson" => {
            let mut fc = plans::grids_geojson(&state.pool, plan.id).await?;
            for f in fc["features"].as_array_mut().into_iter().flatten() {
                let blocks = f["properties"]["blocks"].as_array().map_or(0, Vec::len);
                let props = &mut f["properties"];
                props["blocks"] = json!(blocks);
                props["community_code"] = json!(plan.community_code);
                props["plan_version"] = json!(plan.version);
            }
            Ok(HttpResponse::Ok()
                .content_type("application/geo+json")
                .insert_header(("Content-Disposition", format!("attachment; filename=\"{stem}.geojson\"")))
                .json(fc))
        }
        "csv" => {
            let mut out = String::from("block_id,grid_key,grid_code,households\n");
            for (block, key, code, households) in plans::assignment(&state.pool, plan.id).await? {
                out.push_str(&format!("{block},{},{},{households}\n", csv_field(&key), code.unwrap_or_default()));
            }
            Ok(HttpResponse::Ok()
                .content_type("text/csv; charset=utf-8")
                .insert_header(("Content-Disposition", format!("attachment; filename=\"{stem}.csv\"")))
                .body(out))
        }
        "shapefile" => {
            let fc = plans::grids_geojson(&state.pool, plan.id).await?;
            let mut features = Vec::new();
            for f in fc["features"].as_array().into_iter().flatten() {
                let Some(polygon) = multi_polygon(&f["geometry"]) else {
                    continue;
                };
                let p = &f["properties"];
                let text = |k: &str| Attribute::Text(p[k].as_str().unwrap_or_default().to_owned());
                let number = |k: &str| Attribute::Number(p[k].as_i64().unwrap_or_default());
                let blocks = Attribute::Number(p["blocks"].as_array().map_or(0, Vec::len) as i64);
                features.push(ShapeFeature {
                    attributes: vec![
                        ("CODE".into(), text("code")),
                        ("KEY".into(), text("key")),
                        ("NAME".into(), text("name")),
                        ("KIND".into(), text("kind")),
                        ("HOUSEHOLDS".into(), number("households")),
                        ("RESIDENTS".into(), number("residents")),
                        ("BLOCKS".into(), blocks),
                    ],
                    polygon,
                });
            }
            let zip = write_zip(&stem, &features).map_err(anyhow::Error::from)?;
            Ok(HttpResponse::Ok()
                .content_type("application/zip")
                .insert_header(("Content-Disposition", format!("attachment; filename=\"{stem}.zip\"")))
                .body(zip))
        }
        other => {
            Err(ApiError::bad_request(ErrorCode::BadFormat, format!("format {other:?}: use geojson, shapefile or csv")))
        }
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportInput {
    /// A GeoJSON FeatureCollection of grid polygons; properties `key` or `code`, `name`, `kind` are used when present.
    layer: Value,
    /// The coordinates are GCJ-02.
    #[serde(default)]
    gcj02: bool,
    /// The published plan the import replaces (checked at publish).
    #[serde(default)]
    based_on: Option<i64>,
}

fn multi_polygon(geometry: &Value) -> Option<geo::MultiPolygon<f64>> {
    let g: geojson::Geometry = serde_json::from_value(geometry.clone()).ok()?;
    match geo::Geometry::<f64>::try_from(g).ok()? {
        geo::Geometry::MultiPolygon(mp) => Some(mp),
        geo::Geometry::Polygon(p) => Some(geo::MultiPolygon(vec![p])),
        _ => None,
    }
}

async fn import(
    state: web::Data<AppState>,
    writer: Writer,
    path: web::Path<String>,
    body: Json<ImportInput>,
) -> ApiResult<HttpResponse> {
    let code: CommunityCode = input::code(&path)?;
    let body = body.into_inner();
    let features = body.layer.get("features").and_then(Value::as_array).filter(|f| !f.is_empty()).ok_or_else(|| {
        ApiError::unprocessable(
            ErrorCode::InvalidGeometry,
            "layer must be a GeoJSON FeatureCollection with at least one feature",
        )
    })?;
    let mut grids = Vec::with_capacity(features.len());
    for (i, f) in features.iter().enumerate() {
        let boundary = input::boundary(f, body.gcj02).map_err(|e| {
            let message = format!("feature {}: {}", i + 1, e.message);
            ApiError::unprocessable(e.code, message)
        })?;
        let props = &f["properties"];
        let text =
            |k: &str| props.get(k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        grids.push(LayerGrid::new(i, text, &boundary));
    }
    let imported = plan_import::import(&state, writer, &code, grids, body.based_on).await?;
    Ok(HttpResponse::Created().json(imported))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShapefileQuery {
    #[serde(default)]
    based_on: Option<i64>,
}

/// Import from a zipped Shapefile (`Content-Type: application/zip`; fields `KEY` or `CODE`, `NAME`, `KIND` used
/// when present; WGS84).
async fn import_shapefile(
    state: web::Data<AppState>,
    writer: Writer,
    path: web::Path<String>,
    q: web::Query<ShapefileQuery>,
    Raw(body): Raw,
) -> ApiResult<HttpResponse> {
    let code: CommunityCode = input::code(&path)?;
    // Unpacking and parsing are CPU work: off the request thread, within the upload limits.
    let features = web::block(move || read_zip(&body, &UnpackLimits::default()))
        .await
        .map_err(|e| ApiError::from(anyhow::anyhow!("shapefile worker: {e}")))?
        .map_err(|e| match e {
            ZipReadError::TooLarge(why) => {
                ApiError::new(actix_web::http::StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::ArchiveTooLarge, why)
            }
            ZipReadError::Invalid(e) => ApiError::unprocessable(ErrorCode::BadShapefile, e.message),
        })?;
    let mut grids = Vec::with_capacity(features.len());
    for (i, f) in features.into_iter().enumerate() {
        let boundary = Boundary::parse(geo::Geometry::MultiPolygon(f.polygon))
            .map_err(|e| ApiError::unprocessable(ErrorCode::InvalidGeometry, format!("shape {}: {e}", i + 1)))?;
        let text = |k: &str| {
            f.attributes.iter().find(|(n, _)| n.eq_ignore_ascii_case(k)).and_then(|(_, v)| match v {
                Attribute::Text(s) if !s.is_empty() => Some(s.clone()),
                Attribute::Number(n) => Some(n.to_string()),
                _ => None,
            })
        };
        grids.push(LayerGrid::new(i, text, &boundary));
    }
    let imported = plan_import::import(&state, writer, &code, grids, q.based_on).await?;
    Ok(HttpResponse::Created().json(imported))
}
