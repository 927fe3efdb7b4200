//! HTTP routes. Each module holds the handlers of one resource; `configure` mounts them all under `/api`.

mod accounts;
mod audit;
mod blocks;
pub(crate) mod body;
mod elements;
mod grids;
mod hierarchy;
pub(crate) mod input;
mod locate;
mod plan_exchange;
mod plans;
mod residents;
mod search;
mod session;
mod special_grids;
pub mod tiles;

use actix_web::{web, HttpResponse};
use serde_json::json;

/// Mount every API route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api")
            .route("/health", web::get().to(|| async { HttpResponse::Ok().json(json!({ "status": "ok" })) }))
            .configure(session::configure)
            .configure(accounts::configure)
            .configure(audit::configure)
            .configure(residents::configure)
            .configure(hierarchy::configure)
            .configure(blocks::configure)
            .configure(plans::configure)
            .configure(plan_exchange::configure)
            .configure(locate::configure)
            .configure(special_grids::configure)
            .configure(elements::configure)
            .configure(grids::configure)
            .configure(search::configure),
    );
}
