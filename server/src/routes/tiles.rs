//! Vector tiles (`/tiles/{source}/{z}/{x}/{y}`, the same URL pattern as Martin), their TileJSON
//! (`/tiles/{source}`) and the MapLibre style (`/style.json`).

use actix_web::http::Method;
use wangge_api::error::ErrorCode;
use wangge_api::paths;

use super::route;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;
use wangge_tiles::TileId;

use crate::error::{ApiError, ApiResult};
use crate::map_style::{style, StyleMode};
use crate::state::AppState;
use crate::tile_service::{Layer, Selection};

pub fn configure(cfg: &mut web::ServiceConfig) {
    route(cfg, Method::GET, paths::TILE, tile);
    route(cfg, Method::GET, paths::TILEJSON, tilejson);
    route(cfg, Method::GET, paths::STYLE, style_json);
    route(cfg, Method::GET, paths::GLYPHS, glyphs);
}

fn origin(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

fn selection(source: &str) -> ApiResult<Selection> {
    Selection::parse(source).ok_or_else(|| {
        ApiError::not_found(
            "tile source",
            format!("{source:?} (use all, or a comma list of {})", Layer::ALL.map(Layer::as_str).join(", ")),
        )
    })
}

async fn tile(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, u8, u32, String)>,
) -> ApiResult<HttpResponse> {
    let (source, z, x, y) = path.into_inner();
    let selection = selection(&source)?;
    let y: u32 = y
        .trim_end_matches(".pbf")
        .trim_end_matches(".mvt")
        .parse()
        .map_err(|_| ApiError::bad_request(ErrorCode::BadTile, format!("tile row {y:?} is not a number")))?;
    let id = TileId::new(z, x, y)
        .ok_or_else(|| ApiError::bad_request(ErrorCode::BadTile, format!("no tile {z}/{x}/{y}")))?;
    let state = state.into_inner();
    let t = web::block(move || state.tiles.tile(&selection, id))
        .await
        .map_err(|e| ApiError::from(anyhow::anyhow!("tile worker: {e}")))?;
    let not_modified = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim() == t.etag));
    let mut resp = if not_modified { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    resp.insert_header((header::ETAG, t.etag.clone()))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::VARY, "Accept-Encoding"))
        .content_type("application/vnd.mapbox-vector-tile");
    if not_modified {
        return Ok(resp.finish());
    }
    let gzip_ok =
        req.headers().get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("gzip"));
    Ok(if gzip_ok {
        resp.insert_header((header::CONTENT_ENCODING, "gzip")).body(t.gzip.clone())
    } else {
        resp.insert_header((header::CONTENT_ENCODING, "identity")).body(t.raw.clone())
    })
}

async fn tilejson(state: web::Data<AppState>, req: HttpRequest, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let source = path.into_inner();
    let sel = selection(&source)?;
    let layers: Vec<_> = state
        .tiles
        .vector_layers(&sel)
        .into_iter()
        .map(|(from, name)| json!({ "id": name, "fields": {}, "description": format!("from the {from} source") }))
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "tilejson": "3.0.0",
        "name": format!("wangge {source}"),
        "tiles": [format!("{}/tiles/{source}/{{z}}/{{x}}/{{y}}", origin(&req))],
        "minzoom": 0,
        "maxzoom": 20,
        "vector_layers": layers,
    })))
}

#[derive(Deserialize)]
struct StyleQuery {
    mode: Option<String>,
}

async fn style_json(req: HttpRequest, q: web::Query<StyleQuery>) -> ApiResult<HttpResponse> {
    let mode = match q.mode.as_deref() {
        None | Some("staff") => StyleMode::Staff,
        Some("public") => StyleMode::Public,
        Some(other) => return Err(ApiError::bad_request(ErrorCode::BadMode, format!("unknown style mode {other:?}"))),
    };
    Ok(HttpResponse::Ok().json(style(&origin(&req), mode)))
}

async fn glyphs(state: web::Data<AppState>, path: web::Path<(String, String)>) -> ApiResult<HttpResponse> {
    let (stack, range) = path.into_inner();
    let bad = || ApiError::bad_request(ErrorCode::BadRange, format!("{range:?} is not a glyph range like 0-255.pbf"));
    let (a, b) = range.trim_end_matches(".pbf").split_once('-').ok_or_else(bad)?;
    let (start, end): (u32, u32) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
    if start % 256 != 0 || end != start + 255 || end > 65_535 {
        return Err(bad());
    }
    let state = state.into_inner();
    let bytes = web::block(move || state.glyphs.range(&stack, start))
        .await
        .map_err(|e| ApiError::from(anyhow::anyhow!("glyph worker: {e}")))?
        .map_err(|e| ApiError::new(actix_web::http::StatusCode::SERVICE_UNAVAILABLE, ErrorCode::NoFont, e))?;
    Ok(HttpResponse::Ok()
        .content_type("application/x-protobuf")
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(bytes.as_ref().clone()))
}
