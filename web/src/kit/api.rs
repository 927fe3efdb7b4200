//! The server's JSON, as the app reads it.

use serde::Deserialize;
pub use wangge_api::areas::District;
use wangge_api::error::{ErrorBody, ErrorCode};
use wangge_api::paths::{self, fill};
pub use wangge_domain::located::Located;
use wangge_domain::plan::GridKind;

#[derive(Deserialize)]
struct LocateResponse {
    located: Located,
}

/// A search result.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct SearchHit {
    /// `grid`, `community`, `building`, `place`, `facility`, `organization`.
    pub kind: String,
    /// Main text.
    pub label: String,
    /// Secondary text (address, code).
    #[serde(default)]
    pub detail: Option<String>,
    /// Where it is.
    pub lon: f64,
    /// Where it is.
    pub lat: f64,
}

/// Counts of the elements in a grid, by kind.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
pub struct ElementCounts {
    /// Places.
    #[serde(default)]
    pub place: i64,
    /// Facilities.
    #[serde(default)]
    pub facility: i64,
    /// Organizations.
    #[serde(default)]
    pub organization: i64,
}

/// A grid worker's or grid head's public contact.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Contact {
    /// Name.
    pub name: String,
    /// `grid_worker` or `grid_head`.
    pub role: String,
    /// Work phone.
    #[serde(default)]
    pub work_phone: Option<String>,
}

/// A grid's public card.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct GridCard {
    /// Id.
    pub id: i64,
    /// 15-digit code.
    pub code: String,
    /// `natural` or `dedicated`.
    pub kind: GridKind,
    /// Name.
    pub name: String,
    /// Community code.
    pub community_code: String,
    /// Community name.
    pub community_name: String,
    /// Street name.
    pub street_name: String,
    /// Who to contact.
    #[serde(default)]
    pub contacts: Vec<Contact>,
    /// Bounding box (west, south, east, north), to show the grid when it is opened by its URL.
    #[serde(default)]
    pub bbox: Option<[f64; 4]>,
}

/// A grid's statistics (staff whose scope covers the grid).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct GridStats {
    /// Households.
    pub households: i32,
    /// Residents (estimated).
    pub residents: i32,
    /// Buildings.
    pub buildings: i64,
    /// Elements by kind.
    pub elements: ElementCounts,
    /// Registered residents.
    pub registered_residents: i64,
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
