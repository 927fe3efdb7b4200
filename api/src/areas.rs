//! The administrative hierarchy on the wire: districts, streets, communities.

use serde::{Deserialize, Serialize};

/// A district, as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct District {
    /// 6-digit code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Generated demo data.
    pub generated: bool,
    /// West, south, east, north.
    pub bbox: Option<[f64; 4]>,
}

/// A street, as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Street {
    /// 9-digit code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Whether its boundary is known.
    pub has_boundary: bool,
}

/// A community, as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Community {
    /// 12-digit code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Whether its boundary is known.
    pub has_boundary: bool,
    /// Road-bounded blocks in it.
    pub blocks: i64,
    /// Households in it.
    pub households: i64,
}

/// A district, street or community just created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Created {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
}
