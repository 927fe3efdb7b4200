//! Where the target of a request lies, as a [`Place`] a scope can cover: an entity (from the store), or a point
//! (located from the in-memory cache to its grid in force, else its community).

use wangge_api::error::ErrorCode;
use wangge_domain::access::Place;

use crate::error::ApiError;
use crate::state::AppState;
use crate::store::places::{self, Entity, Lies};

/// The place of a point: its grid in force, else its community. Outside every community is refused.
pub fn of_point(state: &AppState, lon: f64, lat: f64) -> Result<Place, ApiError> {
    let located = state.cache.snapshot().locate(lon, lat, chrono::Utc::now());
    if let Some(code) = located.grid().and_then(|g| g.code.parse().ok()) {
        return Ok(Place::grid(code));
    }
    located
        .community
        .and_then(|c| c.code.parse().ok())
        .map(Place::community)
        .ok_or_else(|| ApiError::unprocessable(ErrorCode::Outside, "the point is not inside any community"))
}

/// Where an entity lies: its grid's code when it has one, else its community (accounts: their district); a
/// building outside every community lies nowhere a scope covers. `None` when it does not exist.
pub async fn of_entity(state: &AppState, entity: Entity, id: i64) -> Result<Option<Place>, ApiError> {
    Ok(places::lies(&state.pool, entity, id).await?.map(|lies| match lies {
        Lies::In { grid, area, departments } => Place {
            departments: departments.into_iter().filter_map(|d| d.try_into().ok()).collect(),
            ..grid
                .as_deref()
                .and_then(Place::from_code)
                .or_else(|| area.as_deref().and_then(Place::from_code))
                .unwrap_or_default()
        },
        Lies::At(lon, lat) => of_point(state, lon, lat).unwrap_or_default(),
    }))
}
