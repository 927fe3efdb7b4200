//! Staff accounts on the wire, as district admins see them (never the password hash).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use wangge_domain::access::{Role, Scope};

/// A staff account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    /// Id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Name shown to people.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Where the role applies.
    pub scope: Scope,
    /// Home district.
    pub district_code: String,
    /// Work phone (public for grid workers).
    pub work_phone: Option<String>,
    /// Disabled accounts cannot sign in.
    pub disabled: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}
