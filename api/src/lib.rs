//! `wangge-api`: the contract between the server and its clients (the web app, the tests): every route's path,
//! every error code, and the request and answer types both sides build. Pure and small; it compiles for the browser too.

pub mod accounts;
pub mod areas;
pub mod cases;
pub mod clients;
pub mod density;
pub mod error;
pub mod grids;
pub mod open311;
pub mod paths;
pub mod plans;
pub mod public;
pub mod special_grids;
