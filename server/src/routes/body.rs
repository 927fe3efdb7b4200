//! Request bodies, strictly. A body is JSON sent as `application/json`, at most [`JSON_LIMIT`] bytes, and it parses
//! into the handler's type exactly: an unknown field, a wrong type or a missing field is a 400 that names the field
//! (`valid_from: invalid type: integer, expected a string`), never a default. [`OptionalJson`] is for writes whose
//! body may be left out entirely (an empty body means "all defaults"); a body that is present is held to the same
//! rules.

use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use wangge_api::error::ErrorCode;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::state::JSON_LIMIT;

/// A JSON body of type `T`.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    /// The parsed body.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// A JSON body of type `T`, or `None` when the request has no body at all.
#[derive(Debug)]
pub struct OptionalJson<T>(pub Option<T>);

impl<T> OptionalJson<T> {
    /// The parsed body, if one was sent.
    pub fn into_inner(self) -> Option<T> {
        self.0
    }
}

/// Read the whole body, refusing more than [`JSON_LIMIT`] bytes.
pub(crate) async fn read(payload: &mut Payload) -> Result<web::Bytes, ApiError> {
    let mut bytes = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::bad_request(ErrorCode::BadBody, e.to_string()))?;
        if bytes.len() + chunk.len() > JSON_LIMIT {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes.freeze())
}

/// 413: the body is over the limit.
pub fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::BodyTooLarge,
        format!("request body exceeds {JSON_LIMIT} bytes"),
    )
}

/// 415 unless the request says it sends JSON.
pub fn require_json(req: &HttpRequest) -> Result<(), ApiError> {
    let mime = req.mime_type().ok().flatten();
    let json = mime.is_some_and(|m| m.subtype() == "json" || m.suffix().is_some_and(|s| s == "json"));
    if json {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::ContentType,
            "send JSON with Content-Type: application/json",
        ))
    }
}

/// Parse `bytes` into `T`, naming the field that is wrong.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = if path == "." || path.is_empty() { inner.to_string() } else { format!("{path}: {inner}") };
        ApiError::bad_request(ErrorCode::BadJson, message).with_details(serde_json::json!({ "field": path }))
    })
}

fn declared_length(req: &HttpRequest) -> Option<usize> {
    req.headers().get(actix_web::http::header::CONTENT_LENGTH)?.to_str().ok()?.parse().ok()
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let checked = require_json(req).and_then(|_| match declared_length(req) {
            Some(n) if n > JSON_LIMIT => Err(too_large()),
            _ => Ok(()),
        });
        let mut payload = payload.take();
        Box::pin(async move {
            checked?;
            let bytes = read(&mut payload).await?;
            Ok(Json(parse(&bytes)?))
        })
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for OptionalJson<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let bytes = read(&mut payload).await?;
            if bytes.is_empty() {
                return Ok(OptionalJson(None));
            }
            require_json(&req)?;
            Ok(OptionalJson(Some(parse(&bytes)?)))
        })
    }
}

/// A whole body of any type (a photo, a zip archive), at most [`JSON_LIMIT`] bytes: beyond it the answer is our
/// 413 `body_too_large` with a reason, like every other refusal (actix's own extractor answers in plain text).
#[derive(Debug)]
pub struct Raw(pub web::Bytes);

impl FromRequest for Raw {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let declared = declared_length(req);
        let mut payload = payload.take();
        Box::pin(async move {
            if declared.is_some_and(|n| n > JSON_LIMIT) {
                return Err(too_large().into());
            }
            Ok(Raw(read(&mut payload).await?))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Publish {
        #[serde(default)]
        valid_from: Option<String>,
    }

    #[test]
    fn errors_name_the_field() {
        let e = parse::<Publish>(br#"{"valid_from": 20270101}"#).unwrap_err();
        assert!(e.message.starts_with("valid_from: invalid type"), "{}", e.message);
        let e = parse::<Publish>(br#"{"valid_form": "2027-01-01"}"#).unwrap_err();
        assert!(e.message.contains("unknown field `valid_form`"), "{}", e.message);
        assert!(parse::<Publish>(b"{").is_err());
    }
}
