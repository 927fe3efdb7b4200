//! Drafts from an existing layer of grid polygons (a GeoJSON or a Shapefile a district already keeps): each block
//! goes to the polygon covering most of it; blocks between polygons stay unassigned and blocks across them are
//! reported, so the planner sees where the old layer and the road-bounded blocks disagree.

use actix_web::http::StatusCode;
use serde_json::json;
use wangge_api::error::ErrorCode;
use wangge_api::plans::{BlockAcross, BlockBetween, GridInput, Imported, PlanInput};
use wangge_domain::boundary::Boundary;
use wangge_domain::codes::CommunityCode;
use wangge_domain::plan::GridKind;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::geojson_text;
use crate::store::plan_import::{cover_blocks, ACROSS_BELOW, BETWEEN_BELOW};
use crate::store::plans;
use crate::write::{Touches, Writer};

/// A grid polygon of an imported layer, validated.
pub struct LayerGrid {
    key: String,
    name: Option<String>,
    kind: GridKind,
    /// GeoJSON text of the polygon (WGS84).
    polygon: String,
}

impl LayerGrid {
    /// The `i`-th grid of a layer, from its attributes (`text(field)`: a non-empty value) and its polygon. The key is
    /// the `key` attribute, else the `code`, else `import-i`.
    pub fn new(i: usize, text: impl Fn(&str) -> Option<String>, boundary: &Boundary) -> Self {
        LayerGrid {
            key: text("key").or_else(|| text("code")).unwrap_or_else(|| format!("import-{}", i + 1)),
            name: text("name"),
            kind: if text("kind").as_deref() == Some("dedicated") { GridKind::Dedicated } else { GridKind::Natural },
            polygon: geojson_text(boundary.multi_polygon()),
        }
    }
}

/// Assign every block to the layer's grid covering most of it, store the draft, and report the blocks between
/// grids (left unassigned) and across them.
pub async fn import(
    state: &AppState,
    writer: Writer,
    code: &CommunityCode,
    layer: Vec<LayerGrid>,
    based_on: Option<i64>,
) -> ApiResult<Imported> {
    if layer.is_empty() {
        return Err(ApiError::unprocessable(ErrorCode::InvalidGeometry, "the layer has no grid polygons"));
    }
    if layer.len() > 999 {
        return Err(ApiError::unprocessable(ErrorCode::TooManyGrids, "a community has at most 999 grids"));
    }
    let polygons: Vec<String> = layer.iter().map(|g| g.polygon.clone()).collect();
    let mut grids: Vec<GridInput> = layer
        .into_iter()
        .map(|g| GridInput { key: g.key, kind: g.kind, name: g.name, blocks: Vec::new(), unit: None })
        .collect();
    let covers = cover_blocks(&state.pool, code.as_str(), &polygons).await?;
    let mut between = Vec::new();
    let mut across = Vec::new();
    for c in &covers {
        match c.best {
            Some(ix) if c.covered_share >= BETWEEN_BELOW => {
                grids[ix].blocks.push(c.block);
                if c.best_share < ACROSS_BELOW {
                    across.push(BlockAcross {
                        block: c.block,
                        grid: grids[ix].key.clone(),
                        share: hundredths(c.best_share),
                    });
                }
            }
            _ => between.push(BlockBetween { block: c.block, covered: hundredths(c.covered_share) }),
        }
    }
    for g in &mut grids {
        if g.kind == GridKind::Dedicated {
            g.unit = Some(g.blocks.clone());
        }
    }
    let empty: Vec<String> = grids.iter().filter(|g| g.blocks.is_empty()).map(|g| g.key.clone()).collect();
    grids.retain(|g| !g.blocks.is_empty());
    if grids.is_empty() {
        return Err(ApiError::unprocessable(
            ErrorCode::CoversNoBlock,
            "the layer's polygons cover no block of this community (wrong place or CRS?)",
        )
        .with_details(json!({ "between": between })));
    }
    let input = PlanInput { grids, based_on, note: Some("imported from a grid layer".into()), revision: None };
    let mut w = writer.begin(state).await?;
    let (plan, report) = plans::save_draft(w.conn(), code, None, &input).await?;
    let imported = Imported { plan, report, between, across, grids_without_blocks: empty };
    w.finish(StatusCode::CREATED, &imported, Touches::Nothing).await?;
    Ok(imported)
}

fn hundredths(share: f64) -> f64 {
    (share * 100.0).round() / 100.0
}
