//! # wangge-gis-data
//!
//! Reading the GIS data Wangge imports — OpenStreetMap (XML and PBF), administrative boundaries (GeoJSON, WGS84
//! or GCJ-02), official division codes (CSV), polygon shapefiles — and generating the labelled demo district.
//! Everything here is pure parsing and generation; storing is the server's job.

pub mod boundaries;
pub mod catalogue;
pub mod demo;
pub mod divisions;
pub mod incidents;
pub mod osm;
pub mod shapes;
