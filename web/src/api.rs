//! The server's JSON, as the app reads it.

use serde::Deserialize;
pub use wangge_domain::located::Located;

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

/// A grid's public details.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct GridDetail {
    /// Id.
    pub id: i64,
    /// 15-digit code.
    pub code: String,
    /// `natural` or `dedicated`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Households.
    pub households: i32,
    /// Residents (estimated).
    pub residents: i32,
    /// Buildings.
    pub buildings: i64,
    /// Elements by kind.
    pub elements: ElementCounts,
    /// Community name.
    pub community_name: String,
    /// Street name.
    pub street_name: String,
    /// West, south, east, north.
    pub bbox: [f64; 4],
}

/// A district.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct District {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Generated demo data.
    pub generated: bool,
    /// West, south, east, north.
    pub bbox: Option<[f64; 4]>,
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
    Ok(get::<LocateResponse>(&format!("/api/locate?lon={lon}&lat={lat}")).await?.located)
}

/// Search everything searchable.
pub async fn search(q: &str) -> Result<Vec<SearchHit>, String> {
    get(&format!("/api/search?q={}", encode(q))).await
}

/// A grid's details.
pub async fn grid(id: i64) -> Result<GridDetail, String> {
    get(&format!("/api/grids/{id}")).await
}

/// The districts.
pub async fn districts() -> Result<Vec<District>, String> {
    get("/api/districts").await
}
