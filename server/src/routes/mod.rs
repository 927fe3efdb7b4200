//! HTTP routes. Each module holds the handlers of one resource; `configure` mounts them all under `/api`.

mod blocks;
mod elements;
mod grids;
mod hierarchy;
mod input;
mod locate;
mod plans;
mod search;
mod special_grids;
pub mod tiles;

use actix_web::{web, HttpResponse};
use serde_json::json;

/// Mount every API route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api")
            .route("/health", web::get().to(|| async { HttpResponse::Ok().json(json!({ "status": "ok" })) }))
            .configure(hierarchy::configure)
            .configure(blocks::configure)
            .configure(plans::configure)
            .configure(locate::configure)
            .configure(special_grids::configure)
            .configure(elements::configure)
            .configure(grids::configure)
            .configure(search::configure),
    );
}
