//! # wangge-domain
//!
//! The concepts of urban grid governance (网格化管理) that both the server and the browser need: official codes,
//! validated geometry, household estimates, GCJ-02 conversion, grid plans and their validation, grid numbering, a
//! partitioner that divides a community into grids, fast point-in-polygon location, and the case workflow with its
//! deadline clock. Pure Rust; compiles to wasm32.
//! The English names follow the project glossary (`shared/GLOSSARY.md`).

pub mod access;
pub mod boundary;
pub mod case;
pub mod codes;
pub mod editor;
pub mod element;
pub mod emerging;
pub mod gcj02;
pub mod hotspot;
pub mod households;
pub mod lineage;
pub mod locate;
pub mod located;
pub mod numbering;
pub mod partition;
pub mod personal;
pub mod plan;
pub mod plan_diff;
pub mod text;
