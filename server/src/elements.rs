//! Elements, the application service: a place, facility or organization is located to its community and grid in
//! force, stored through the after-write path, and shows in its tile at once.

use actix_web::http::StatusCode;
use serde::Serialize;
use wangge_domain::boundary::LonLat;
use wangge_domain::codes::FacilityId;
use wangge_domain::element::ElementKind;
use wangge_domain::located::Located;

use crate::error::ApiResult;
use crate::state::AppState;
use crate::store::elements::{self, NewElement};
use crate::write::{Touches, Writer};

/// An element to register, as parsed from a request.
pub struct Element<'a> {
    /// Place, facility or organization.
    pub kind: ElementKind,
    /// Its name (already checked as a label).
    pub name: &'a str,
    /// Its category (a facility's: major and minor category of its id).
    pub category: Option<&'a str>,
    /// A facility's 16-digit id.
    pub facility_id: Option<&'a FacilityId>,
    /// Its address.
    pub address: Option<&'a str>,
    /// Where it is.
    pub at: LonLat,
}

/// A registered element: its id and where it was located.
#[derive(Debug, Serialize)]
pub struct Registered {
    /// The new id.
    pub id: i64,
    /// Its street, community and grids.
    pub located: Located,
}

/// Locate and store an element.
pub async fn register(state: &AppState, writer: Writer, e: Element<'_>) -> ApiResult<Registered> {
    let (lon, lat) = (e.at.lon(), e.at.lat());
    let located = state.cache.snapshot().locate(lon, lat, chrono::Utc::now());
    let mut w = writer.begin(state).await?;
    let new = NewElement {
        kind: e.kind,
        name: e.name,
        category: e.category,
        facility_id: e.facility_id.map(|f| f.as_str()),
        address: e.address,
        at: (lon, lat),
        community: located.community.as_ref().map(|c| c.code.as_str()),
        grid: located.grid().map(|g| g.id),
    };
    let id = elements::insert(w.conn(), new).await?;
    let registered = Registered { id, located };
    w.finish(StatusCode::CREATED, &registered, Touches::ElementAt(lon, lat)).await?;
    Ok(registered)
}
