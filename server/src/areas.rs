//! Districts, streets and communities, the application service: a new area must fit the hierarchy (its parent
//! exists, its code is free, its boundary lies inside the parent's and clear of its siblings) before it is written
//! with its audit entry; the maps and the locate cache then show it.

use actix_web::http::StatusCode;
use wangge_api::areas::Created;
use wangge_api::error::ErrorCode;
use wangge_domain::boundary::Boundary;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::hierarchy::{self, misplaced, upsert_area, Level};
use crate::write::{Touches, Writer};

/// A district, street or community to create; its code has been checked for its level.
pub struct NewArea {
    /// Which level.
    pub level: Level,
    /// Its code.
    pub code: String,
    /// Its name (checked).
    pub name: String,
    /// Its boundary (WGS84), required for a community.
    pub boundary: Option<Boundary>,
}

/// 404 unless area `code` of `level` exists.
pub async fn must_exist(state: &AppState, level: Level, code: &str) -> ApiResult<()> {
    match hierarchy::exists(&state.pool, level, code).await? {
        true => Ok(()),
        false => Err(ApiError::not_found(level.table(), code)),
    }
}

/// Create `area` where it fits the hierarchy.
pub async fn create(state: &AppState, writer: Writer, area: NewArea) -> ApiResult<Created> {
    let NewArea { level, code, name, boundary } = area;
    if level == Level::Community && boundary.is_none() {
        return Err(ApiError::unprocessable(ErrorCode::NoBoundary, "a community needs a geometry"));
    }
    if let Some(parent) = level.parent() {
        must_exist(state, parent, &code[..level.parent_digits()]).await?;
    }
    if hierarchy::exists(&state.pool, level, &code).await? {
        return Err(ApiError::conflict(ErrorCode::Duplicate, format!("{} {code} already exists", level.table())));
    }
    if let Some(b) = &boundary {
        if let Some(m) = misplaced(&state.pool, level, &code, b).await? {
            return Err(ApiError::from((level, m)));
        }
    }
    let mut w = writer.begin(state).await?;
    upsert_area(w.conn(), level, &code, &name, boundary.as_ref(), false).await?;
    let created = Created { code, name };
    w.finish(StatusCode::CREATED, &created, Touches::Areas(None)).await?;
    Ok(created)
}
