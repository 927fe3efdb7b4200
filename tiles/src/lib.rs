//! # wangge-tiles
//!
//! Vector tiles of Wangge's layers. Features are projected to Web Mercator once, when a [`TileSet`] is built; a
//! tile is then cut from memory: R-tree lookup, clip to the tile plus a buffer, simplify to the zoom, drop what is
//! too small to see, and encode as a Mapbox Vector Tile (spec 2.1, extent 4096).
//!
//! ```
//! use geo::{polygon, Geometry};
//! use wangge_tiles::{SourceFeature, SourceLayer, TileId, TileSet, Value};
//! let grid = polygon![(x: 118.90, y: 31.85), (x: 118.91, y: 31.85), (x: 118.91, y: 31.86), (x: 118.90, y: 31.86)];
//! let layer = SourceLayer::new("grids", vec![SourceFeature::new(7, Geometry::Polygon(grid), 10)
//!     .with("code", Value::from("320115001001007"))]);
//! let tiles = TileSet::new(vec![layer]);
//! let tile = TileId::containing(118.905, 31.855, 14);
//! let bytes = tiles.encode(tile);
//! assert!(!bytes.is_empty());
//! assert!(tiles.encode(TileId::containing(0.0, 0.0, 14)).is_empty());
//! ```

mod clip;
mod encode;
mod glyphs;
mod layer;
mod mercator;
mod simplify;

pub use encode::Value;
pub use glyphs::{FontError, GlyphFont};
pub use layer::{SourceFeature, SourceLayer, TileSet};
pub use mercator::{TileId, EXTENT};
