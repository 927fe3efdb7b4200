//! Special grids, the application service: a thematic overlay is drawn as a polygon or assembled from live blocks
//! of its district (all of which must exist), then written with its audit entry; the maps show it at once.

use actix_web::http::StatusCode;
use chrono::{DateTime, Utc};
use wangge_api::error::ErrorCode;
use wangge_api::special_grids::Created;
use wangge_domain::boundary::Boundary;
use wangge_domain::codes::DistrictCode;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::geojson_text;
use crate::store::special_grids::{self, NewSpecialGrid};
use crate::write::{Touches, Writer};

/// Where a special grid lies.
pub enum Extent {
    /// A drawn polygon.
    Drawn(Boundary),
    /// The union of these blocks (not empty).
    Blocks(Vec<i64>),
}

/// A special grid to create; its text has been checked.
pub struct NewSpecial {
    /// Its district.
    pub district: DistrictCode,
    /// Its name.
    pub name: String,
    /// Its theme (`safety`, `environment`, `river`, `fire`…).
    pub theme: String,
    /// Where it lies.
    pub extent: Extent,
    /// From when it applies.
    pub valid_from: DateTime<Utc>,
}

/// Create a special grid.
pub async fn create(state: &AppState, writer: Writer, new: NewSpecial) -> ApiResult<Created> {
    let (geojson, blocks) = match new.extent {
        Extent::Drawn(b) => (geojson_text(b.multi_polygon()), None),
        Extent::Blocks(blocks) => {
            let (found, geojson) = special_grids::blocks_union(&state.pool, &blocks, new.district.as_str()).await?;
            let mut wanted = blocks.clone();
            wanted.sort_unstable();
            wanted.dedup();
            if found as usize != wanted.len() {
                return Err(ApiError::unprocessable(
                    ErrorCode::UnknownBlocks,
                    "some blocks do not exist in this district",
                ));
            }
            (geojson.unwrap_or_default(), Some(blocks))
        }
    };
    let mut w = writer.begin(state).await?;
    let row = NewSpecialGrid {
        district: new.district.as_str(),
        name: &new.name,
        theme: &new.theme,
        blocks: blocks.as_deref(),
        geojson: &geojson,
        valid_from: new.valid_from,
    };
    let created = Created { id: special_grids::insert(w.conn(), row).await? };
    w.finish(StatusCode::CREATED, &created, Touches::Areas(None)).await?;
    Ok(created)
}
