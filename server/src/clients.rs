//! Partner applications, the application service: a district admin registers one and receives its key once (only
//! a keyed digest is stored), and can revoke it; a revoked key is refused from the next request on.

use actix_web::http::StatusCode;
use rand::RngCore;
use wangge_api::clients::{ApiClient, IssuedKey, NewClient};

use crate::auth::principal::Staff;
use crate::error::{ApiError, ApiResult};
use crate::routes::input;
use crate::state::AppState;
use crate::store::clients as store;
use crate::write::{Touches, Writer};

/// Register a partner application of the admin's district and issue its key.
pub async fn register(state: &AppState, writer: Writer, staff: &Staff, new: NewClient) -> ApiResult<IssuedKey> {
    let name = input::label("name", &new.name, 100)?;
    let mut raw = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut raw);
    let api_key: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    let digest = state.security.key.digest(&api_key);
    let mut w = writer.begin(state).await?;
    let client = store::insert(w.conn(), staff.district.as_str(), &name, &digest, &staff.username).await?;
    // The audit entry records the client, never its key.
    w.finish(StatusCode::CREATED, &client, Touches::Nothing).await?;
    Ok(IssuedKey { client, api_key })
}

/// Revoke client `id` of the admin's district.
pub async fn revoke(state: &AppState, writer: Writer, staff: &Staff, id: i64) -> ApiResult<ApiClient> {
    let mut w = writer.begin(state).await?;
    let client = store::revoke(w.conn(), staff.district.as_str(), id)
        .await?
        .ok_or_else(|| ApiError::not_found("api client", id))?;
    w.finish(StatusCode::OK, &client, Touches::Nothing).await?;
    Ok(client)
}
