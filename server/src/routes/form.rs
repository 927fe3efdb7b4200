//! `multipart/form-data` bodies, as phones and Open311 clients send a report with its photos in one request: a part
//! named `json` holds the same document a JSON body would (parsed as strictly, see [`super::body`]), and parts named
//! `photo` hold files. The whole body is read first (at most the body limit), so the guard can place the request by
//! the `json` part before the handler sees it.

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use serde::de::DeserializeOwned;
use std::future::Future;
use std::pin::Pin;
use wangge_api::error::ErrorCode;

use super::body;
use crate::error::ApiError;

/// Files a form may carry.
pub const MAX_FILES: usize = 9;

/// Whether the request is `multipart/form-data`.
pub fn is_multipart(req: &HttpRequest) -> bool {
    req.mime_type().ok().flatten().is_some_and(|m| m.type_() == "multipart" && m.subtype() == "form-data")
}

/// The whole `Content-Type` header, parameters (the boundary) included.
pub fn content_type(req: &HttpRequest) -> String {
    req.headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The parts of a form: the bytes of its `json` part and its `photo` files.
pub struct Parts {
    /// The `json` part.
    pub json: web::Bytes,
    /// The `photo` parts, in order.
    pub photos: Vec<web::Bytes>,
}

/// Split a whole multipart body (`content_type` carries the boundary).
pub async fn parts(content_type: &str, bytes: web::Bytes) -> Result<Parts, ApiError> {
    let bad = |why: String| ApiError::bad_request(ErrorCode::BadBody, why);
    let boundary = multer::parse_boundary(content_type).map_err(|e| bad(format!("multipart: {e}")))?;
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(bytes) });
    let mut form = multer::Multipart::new(stream, boundary);
    let (mut json, mut photos) = (None, Vec::new());
    while let Some(field) = form.next_field().await.map_err(|e| bad(format!("multipart: {e}")))? {
        let name = field.name().unwrap_or_default().to_owned();
        let data = field.bytes().await.map_err(|e| bad(format!("multipart part {name:?}: {e}")))?;
        match name.as_str() {
            "json" if json.is_none() => json = Some(data),
            "photo" if photos.len() < MAX_FILES => photos.push(data),
            "photo" => {
                return Err(ApiError::unprocessable(ErrorCode::TooManyPhotos, format!("at most {MAX_FILES} photos")))
            }
            other => return Err(bad(format!("multipart: unexpected part {other:?}; send `json` and `photo` parts"))),
        }
    }
    Ok(Parts { json: json.ok_or_else(|| bad("multipart: no `json` part".to_owned()))?, photos })
}

/// A body of type `T` sent as JSON, or as a form with `T` in its `json` part and photos beside it.
pub struct JsonOrForm<T> {
    /// The document.
    pub json: T,
    /// The photos of a form (none for a JSON body).
    pub photos: Vec<web::Bytes>,
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonOrForm<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let multipart = is_multipart(req);
        let content_type = content_type(req);
        let checked = if multipart { Ok(()) } else { body::require_json(req) };
        let mut payload = payload.take();
        Box::pin(async move {
            checked?;
            let bytes = body::read(&mut payload).await?;
            if multipart {
                let p = parts(&content_type, bytes).await?;
                Ok(JsonOrForm { json: body::parse(&p.json)?, photos: p.photos })
            } else {
                Ok(JsonOrForm { json: body::parse(&bytes)?, photos: Vec::new() })
            }
        })
    }
}
