//! `wangge-api`: the contract between the server and its clients (the web app, the tests): every route's path and
//! every error code. Pure and small; it compiles for the browser too.

pub mod error;
pub mod paths;
