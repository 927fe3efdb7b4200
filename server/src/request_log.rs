//! Request tracing: one `tracing` span per request (method, path, a request number) and one event when it ends,
//! with the status and the time taken — refusals by the guard included, since this wraps everything. The level is
//! set with `RUST_LOG` (e.g. `RUST_LOG=wangge_server=debug`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use tracing::Instrument;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The middleware function (mounted with `actix_web::middleware::from_fn`, outermost).
pub async fn trace(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let span = tracing::info_span!("request", id, method = %req.method(), path = %req.path());
    let started = Instant::now();
    async move {
        let res = next.call(req).await;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        match &res {
            Ok(r) if r.status().is_server_error() => tracing::error!(status = r.status().as_u16(), ms, "answered"),
            Ok(r) => tracing::debug!(status = r.status().as_u16(), ms, "answered"),
            Err(e) => {
                let status = e.as_response_error().status_code();
                if status.is_server_error() {
                    tracing::error!(status = status.as_u16(), ms, error = %e, "refused");
                } else {
                    tracing::debug!(status = status.as_u16(), ms, error = %e, "refused");
                }
            }
        }
        res
    }
    .instrument(span)
    .await
}
