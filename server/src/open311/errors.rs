//! Open311's error format for every refusal under `/open311/`, wherever it arose (the guard, a handler, the
//! router): a list of `{code, description}` in the path's format, with the spec's statuses — 400 for anything wrong
//! with the request (our 422s included), 403 for a missing or bad `api_key`, 404 for what is not there.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use wangge_api::error::ErrorCode;
use wangge_api::open311::Error;

use super::Format;
use crate::error::ApiError;

/// The middleware function (mounted outside the guard with `actix_web::middleware::from_fn`).
pub async fn open311_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // Decided on the path as the guard will read it, so every spelling of a path is answered alike.
    let path = crate::auth::canonical::canonical_path(req.path()).unwrap_or_else(|_| req.path().to_owned());
    if !path.starts_with("/open311/") {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    }
    let format = Format::of_path(&path);
    // The guard answers its refusals as responses; an `Err` from further in (a server fault) passes as it is.
    match next.call(req).await {
        Ok(res) if res.status().is_client_error() || res.status().is_server_error() => {
            let (status, description) = match res.response().error() {
                Some(e) => describe(e),
                None => (res.status(), res.status().canonical_reason().unwrap_or("error").to_owned()),
            };
            let (req, _) = res.into_parts();
            Ok(ServiceResponse::new(req, render(format, status, description)))
        }
        other => other.map(ServiceResponse::map_into_boxed_body),
    }
}

fn describe(e: &actix_web::Error) -> (StatusCode, String) {
    match e.as_error::<ApiError>() {
        Some(api) => {
            let status = match (api.status, api.code) {
                (_, ErrorCode::BadApiKey) => StatusCode::FORBIDDEN,
                (StatusCode::UNPROCESSABLE_ENTITY, _) => StatusCode::BAD_REQUEST,
                (s, _) => s,
            };
            let message = if status.is_server_error() { "internal error".to_owned() } else { api.message.clone() };
            (status, message)
        }
        None => (e.as_response_error().status_code(), e.to_string()),
    }
}

fn render(format: Format, status: StatusCode, description: String) -> actix_web::HttpResponse {
    let errors = [Error { code: status.as_u16(), description }];
    format.answer(status, "errors", &errors).unwrap_or_else(|_| actix_web::HttpResponse::new(status))
}
