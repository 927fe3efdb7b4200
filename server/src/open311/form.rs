//! An Open311 request body: `application/x-www-form-urlencoded` fields, or `multipart/form-data` fields with one
//! `media` file (the photo). Repeated and bracketed names (`attribute[code]`) are kept as sent.

use actix_web::web;
use wangge_api::error::ErrorCode;

use crate::error::ApiError;

/// A parsed body.
#[derive(Debug, Default)]
pub struct Open311Form {
    /// Fields in order.
    pub fields: Vec<(String, String)>,
    /// The `media` file of a multipart body.
    pub media: Option<web::Bytes>,
}

impl Open311Form {
    /// Parse a whole body by its content type.
    pub async fn parse(content_type: &str, bytes: web::Bytes) -> Result<Self, ApiError> {
        let bad = |why: String| ApiError::bad_request(ErrorCode::BadBody, why);
        let mime = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        match mime.as_str() {
            "application/x-www-form-urlencoded" | "" => {
                let fields: Vec<(String, String)> =
                    serde_urlencoded::from_bytes(&bytes).map_err(|e| bad(format!("form: {e}")))?;
                Ok(Self { fields, media: None })
            }
            "multipart/form-data" => {
                let boundary = multer::parse_boundary(content_type).map_err(|e| bad(format!("multipart: {e}")))?;
                let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(bytes) });
                let mut parts = multer::Multipart::new(stream, boundary);
                let mut form = Self::default();
                while let Some(field) = parts.next_field().await.map_err(|e| bad(format!("multipart: {e}")))? {
                    let name = field.name().unwrap_or_default().to_owned();
                    let data = field.bytes().await.map_err(|e| bad(format!("multipart part {name:?}: {e}")))?;
                    if name == "media" {
                        if form.media.is_some() {
                            return Err(bad("send one `media` file".to_owned()));
                        }
                        form.media = Some(data);
                    } else {
                        let text = String::from_utf8(data.to_vec())
                            .map_err(|_| bad(format!("multipart field {name:?} is not UTF-8 text")))?;
                        form.fields.push((name, text));
                    }
                }
                Ok(form)
            }
            other => Err(ApiError::new(
                actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::BadBody,
                format!("send application/x-www-form-urlencoded or multipart/form-data, not {other}"),
            )),
        }
    }

    /// The first value of field `name` that is not blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, v)| k == name && !v.trim().is_empty()).map(|(_, v)| v.trim())
    }

    /// The `attribute[code]` fields: (code, value).
    pub fn attributes(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().filter_map(|(k, v)| {
            let code = k.strip_prefix("attribute[")?.strip_suffix(']')?;
            Some((code, v.as_str()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn url_encoded_fields_and_attributes_are_read() {
        let body = web::Bytes::from_static(b"api_key=k&service_code=noise&attribute%5Bwhen%5D=night&lat=31.9&long=");
        let f = Open311Form::parse("application/x-www-form-urlencoded", body).await.unwrap();
        assert_eq!(f.get("api_key"), Some("k"));
        assert_eq!(f.get("long"), None, "blank is absent");
        assert_eq!(f.attributes().collect::<Vec<_>>(), vec![("when", "night")]);
    }
}
