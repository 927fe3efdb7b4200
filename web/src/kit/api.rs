//! The server's JSON, as the app reads it.

use serde::Deserialize;
pub use wangge_api::areas::District;
use wangge_api::error::{ErrorBody, ErrorCode};
pub use wangge_api::grids::{GridCard, GridHistory, GridStats, SearchHit};
use wangge_api::paths::{self, fill};
pub use wangge_domain::located::Located;

#[derive(Deserialize)]
struct LocateResponse {
    located: Located,
}

/// The signed-in staff member.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Account {
    /// Login name.
    pub username: String,
    /// Name shown.
    pub display_name: String,
    /// Role (`planner`, `grid_worker`, …).
    pub role: String,
    /// The token writes echo in `X-CSRF-Token`.
    pub csrf_token: String,
}

#[derive(Deserialize)]
struct SessionResponse {
    #[serde(default)]
    account: Option<Account>,
}

async fn get<T: for<'de> Deserialize<'de>>(url: &str) -> Result<T, String> {
    let r = gloo_net::http::Request::get(url).send().await.map_err(|e| e.to_string())?;
    if !r.ok() {
        return Err(format!("{} {}", r.status(), r.status_text()));
    }
    r.json::<T>().await.map_err(|e| e.to_string())
}

fn encode(s: &str) -> String {
    js_sys::encode_uri_component(s).into()
}

/// Which street, community and grids a point is in.
pub async fn locate(lon: f64, lat: f64) -> Result<Located, String> {
    Ok(get::<LocateResponse>(&format!("{}?lon={lon}&lat={lat}", paths::LOCATE)).await?.located)
}

/// Search everything searchable.
pub async fn search(q: &str) -> Result<Vec<SearchHit>, String> {
    get(&format!("{}?q={}", paths::SEARCH, encode(q))).await
}

/// A grid's public card.
pub async fn grid(id: i64) -> Result<GridCard, String> {
    get(&fill(paths::GRID, &[&id])).await
}

/// A grid's statistics (staff only).
pub async fn grid_stats(id: i64) -> Result<GridStats, String> {
    get(&fill(paths::GRID_STATS, &[&id])).await
}

/// A grid's incidents month by month across redraws (offices only).
pub async fn grid_history(id: i64) -> Result<GridHistory, String> {
    get(&fill(paths::GRID_HISTORY, &[&id])).await
}

/// Who is signed in, if anyone.
pub async fn session() -> Result<Option<Account>, String> {
    Ok(get::<SessionResponse>(paths::SESSION).await?.account)
}

/// Why signing in failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginError {
    /// Wrong name or password, or a disabled account.
    Credentials,
    /// Too many failures from this address: locked for a while.
    Locked,
    /// Failures in a row: wait a few seconds before the next try.
    Slowed,
    /// Anything else (network, server).
    Other,
}

/// Sign in.
pub async fn login(username: &str, password: &str) -> Result<Account, LoginError> {
    let body = serde_json::json!({ "username": username, "password": password });
    let r = gloo_net::http::Request::post(paths::SESSION)
        .json(&body)
        .map_err(|_| LoginError::Other)?
        .send()
        .await
        .map_err(|_| LoginError::Other)?;
    if !r.ok() {
        let code = r.json::<ErrorBody>().await.map(|e| e.error).ok();
        return Err(match code {
            Some(ErrorCode::BadCredentials) => LoginError::Credentials,
            Some(ErrorCode::LoginLocked) => LoginError::Locked,
            Some(ErrorCode::LoginSlowed) => LoginError::Slowed,
            _ => LoginError::Other,
        });
    }
    r.json::<SessionResponse>().await.ok().and_then(|s| s.account).ok_or(LoginError::Other)
}

/// Sign out.
pub async fn logout(csrf_token: &str) -> Result<(), String> {
    let r = gloo_net::http::Request::delete(paths::SESSION)
        .header("x-csrf-token", csrf_token)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if r.ok() {
        Ok(())
    } else {
        Err(format!("{} {}", r.status(), r.status_text()))
    }
}

/// The districts.
pub async fn districts() -> Result<Vec<District>, String> {
    get(paths::DISTRICTS).await
}
