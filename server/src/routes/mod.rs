//! HTTP routes. Each module holds the handlers of one resource; `configure` mounts them all under `/api`.

mod accounts;
mod audit;
mod blocks;
pub(crate) mod body;
mod cases;
mod catalogue;
mod clients;
mod density;
mod elements;
pub(crate) mod form;
mod grids;
mod hierarchy;
pub(crate) mod input;
mod locate;
mod plan_exchange;
mod plans;
mod public;
mod residents;
mod search;
mod session;
mod special_grids;
pub mod tiles;

use std::collections::BTreeSet;
use wangge_api::paths;

use actix_web::http::Method;
use actix_web::{web, FromRequest, Handler, HttpResponse, Responder};
use serde_json::json;

use crate::auth::policy;

/// Register a route. Every route must have its rule in the policy table: this is checked here, as the server
/// starts, so a route without a rule cannot be served (and a test checks that every rule has its route).
pub(crate) fn route<F, Args>(cfg: &mut web::ServiceConfig, method: Method, path: &'static str, handler: F)
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    assert!(policy::lookup(&method, path).is_some(), "{method} {path} is routed but has no rule in the policy table");
    REGISTERED.lock().expect("route registry").insert((method.to_string(), path));
    cfg.route(path, web::method(method).to(handler));
}

/// Every (method, path) registered so far by [`route`] (each worker registers the same set).
static REGISTERED: std::sync::Mutex<BTreeSet<(String, &'static str)>> = std::sync::Mutex::new(BTreeSet::new());

/// The routes the server serves: (method, pattern), once a server has been started in this process.
pub fn registered() -> BTreeSet<(String, &'static str)> {
    REGISTERED.lock().expect("route registry").clone()
}

/// Mount every API route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    route(cfg, Method::GET, paths::HEALTH, || async { HttpResponse::Ok().json(json!({ "status": "ok" })) });
    session::configure(cfg);
    accounts::configure(cfg);
    audit::configure(cfg);
    residents::configure(cfg);
    hierarchy::configure(cfg);
    blocks::configure(cfg);
    plans::configure(cfg);
    plan_exchange::configure(cfg);
    locate::configure(cfg);
    special_grids::configure(cfg);
    elements::configure(cfg);
    grids::configure(cfg);
    search::configure(cfg);
    cases::configure(cfg);
    catalogue::configure(cfg);
    density::configure(cfg);
    clients::configure(cfg);
    public::configure(cfg);
    crate::open311::configure(cfg);
    tiles::configure(cfg);
}
