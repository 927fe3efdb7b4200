//! Command-line imports: OSM files, boundary files, division codes, and the generated demo district.

pub mod catalogue;
pub mod demo;
pub mod demo_cases;
pub mod divisions;
pub mod osm;
