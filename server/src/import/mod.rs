//! Command-line imports: OSM files, boundary files, division codes, the case catalogue, historical incidents, and
//! the generated demo district.

pub mod catalogue;
pub mod demo;
pub mod demo_cases;
pub mod divisions;
pub mod incidents;
pub mod osm;
