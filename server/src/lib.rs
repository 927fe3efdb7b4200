//! # wangge-server
//!
//! The Wangge server: configuration, the PostGIS store, the in-memory locate cache, the HTTP API and the
//! command-line tasks (import, demo, benchmark). Layout after zero2prod: `config` → `db` → `store` → `routes` →
//! `startup`; `import` and `bench` are the command-line jobs.

pub mod accounts;
pub mod archive;
pub mod areas;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod bench;
pub mod blocks;
pub mod cache;
pub mod case_intake;
pub mod cases;
pub mod catalogue;
pub mod catalogue_cache;
pub mod clients;
pub mod config;
pub mod db;
pub mod density;
pub mod elements;
pub mod error;
pub mod fonts;
pub mod headers;
pub mod import;
pub mod incidents;
pub mod jobs;
pub mod map_style;
pub mod media;
pub mod open311;
pub mod places;
pub mod plan_import;
pub mod plans;
pub mod public_reports;
pub mod request_log;
pub mod residents;
pub mod routes;
pub mod special_grids;
pub mod startup;
pub mod state;
pub mod store;
pub mod tile_service;
pub mod tile_source;
pub mod write;
