//! Special grids on the wire.

use serde::{Deserialize, Serialize};

/// A special grid just created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Created {
    /// Its id.
    pub id: i64,
}
