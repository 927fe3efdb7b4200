//! OpenStreetMap input: the raw elements (read from XML or PBF) and the features Wangge keeps from them.

mod features;
mod pbf;
mod rings;
mod xml;

pub use features::{extract, Building, Features, Landuse, Poi, Road};
pub use pbf::read_pbf;
pub use xml::read_xml;

use std::collections::HashMap;
use std::path::Path;

/// Tags of an element, as key/value pairs.
pub type Tags = Vec<(String, String)>;

/// Look a tag up.
pub fn tag<'a>(tags: &'a Tags, key: &str) -> Option<&'a str> {
    tags.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// A way: its node references and tags.
#[derive(Debug, Clone, Default)]
pub struct RawWay {
    /// OSM id.
    pub id: i64,
    /// Node ids in order.
    pub refs: Vec<i64>,
    /// Tags.
    pub tags: Tags,
}

/// A relation member that is a way.
#[derive(Debug, Clone)]
pub struct WayMember {
    /// Way id.
    pub way: i64,
    /// Role (`outer`, `inner`, …).
    pub role: String,
}

/// A relation, keeping only its way members (all Wangge needs, for multipolygons).
#[derive(Debug, Clone, Default)]
pub struct RawRelation {
    /// OSM id.
    pub id: i64,
    /// Way members.
    pub ways: Vec<WayMember>,
    /// Tags.
    pub tags: Tags,
}

/// A tagged node.
#[derive(Debug, Clone, Default)]
pub struct RawNode {
    /// OSM id.
    pub id: i64,
    /// Longitude.
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
    /// Tags (non-empty).
    pub tags: Tags,
}

/// Everything read from an OSM file.
#[derive(Debug, Clone, Default)]
pub struct RawOsm {
    /// Location of every node.
    pub coords: HashMap<i64, (f64, f64)>,
    /// Nodes that carry tags.
    pub tagged_nodes: Vec<RawNode>,
    /// Ways.
    pub ways: Vec<RawWay>,
    /// Relations.
    pub relations: Vec<RawRelation>,
}

/// Why an OSM file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum OsmError {
    /// File could not be opened or read.
    #[error("reading {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Malformed XML.
    #[error("OSM XML at byte {position}: {message}")]
    Xml {
        /// Byte offset.
        position: u64,
        /// What went wrong.
        message: String,
    },
    /// Malformed PBF.
    #[error("OSM PBF: {0}")]
    Pbf(String),
}

/// Read an `.osm`/`.osm.xml` or `.osm.pbf` file, choosing the reader by extension.
pub fn read_file(path: &Path) -> Result<RawOsm, OsmError> {
    if path.extension().is_some_and(|e| e == "pbf") {
        read_pbf(path)
    } else {
        let file =
            std::fs::File::open(path).map_err(|source| OsmError::Io { path: path.display().to_string(), source })?;
        read_xml(std::io::BufReader::new(file))
    }
}
