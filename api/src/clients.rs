//! Partner applications (API clients) on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A partner application a district admin let in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiClient {
    /// Id.
    pub id: i64,
    /// District.
    pub district_code: String,
    /// Its name.
    pub name: String,
    /// Who issued its key.
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When its key was revoked (it no longer works).
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A client just registered, with its key: shown this once, stored only as a keyed digest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssuedKey {
    /// The client.
    pub client: ApiClient,
    /// The key, to send as `X-Api-Key` (or Open311's `api_key`).
    pub api_key: String,
}

/// A client to register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewClient {
    /// Its name.
    pub name: String,
}
