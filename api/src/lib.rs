//! `wangge-api`: the contract between the server and its clients (the web app, the tests): every route's path,
//! every error code, and the request types both sides build. Pure and small; it compiles for the browser too.

pub mod error;
pub mod paths;
pub mod plans;
