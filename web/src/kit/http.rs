//! JSON over HTTP to our server, as the editor and the staff panels need it: replies with their status, and writes
//! that carry the session's CSRF token.

use serde::de::DeserializeOwned;
use serde_json::Value;
use wangge_api::error::ErrorCode;

/// An answer: HTTP status and JSON body.
pub struct Reply {
    /// Status.
    pub status: u16,
    /// Body (null when not JSON).
    pub body: Value,
}

impl Reply {
    /// 2xx.
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The error code of a refusal (`StaleRevision`, `PlanNotPublishable`, …); `None` for a success or an answer
    /// that is not one of ours.
    pub fn error(&self) -> Option<ErrorCode> {
        serde_json::from_value(self.body["error"].clone()).ok()
    }

    /// The body of a success as its answer type (`Draft`, `Published`, …); a body of another shape is an error
    /// naming the field, as the server's contract changed under the app.
    pub fn answer<T: DeserializeOwned>(&self) -> Result<T, String> {
        serde_json::from_value(self.body.clone()).map_err(|e| format!("unexpected answer: {e}"))
    }

    /// The `details` of a refusal as `T` (`None` when absent or of another shape).
    pub fn details<T: DeserializeOwned>(&self) -> Option<T> {
        serde_json::from_value(self.body.get("details")?.clone()).ok()
    }

    /// The human reason of a refusal.
    pub fn message(&self) -> String {
        self.body["message"].as_str().map_or_else(|| format!("HTTP {}", self.status), str::to_owned)
    }
}

async fn finish(r: Result<gloo_net::http::Response, gloo_net::Error>) -> Result<Reply, String> {
    let r = r.map_err(|e| e.to_string())?;
    let status = r.status();
    let body = r.json::<Value>().await.unwrap_or(Value::Null);
    Ok(Reply { status, body })
}

/// GET JSON.
pub async fn get(url: &str) -> Result<Reply, String> {
    finish(gloo_net::http::Request::get(url).send().await).await
}

/// Send JSON with the CSRF token.
pub async fn send(method: &str, url: &str, body: &Value, csrf: &str) -> Result<Reply, String> {
    let builder = match method {
        "PUT" => gloo_net::http::Request::put(url),
        _ => gloo_net::http::Request::post(url),
    };
    let request = builder.header("x-csrf-token", csrf).json(body).map_err(|e| e.to_string())?;
    finish(request.send().await).await
}

/// POST a file's bytes (a zip archive, a photo) of `content_type` with the CSRF token.
pub async fn send_bytes(url: &str, bytes: Vec<u8>, content_type: &str, csrf: &str) -> Result<Reply, String> {
    let body = js_sys::Uint8Array::from(bytes.as_slice());
    let request = gloo_net::http::Request::post(url)
        .header("x-csrf-token", csrf)
        .header("content-type", content_type)
        .body(body)
        .map_err(|e| e.to_string())?;
    finish(request.send().await).await
}

/// POST a form (a public report's `json` part and its photos); staff signed in send their CSRF token.
pub async fn send_form(url: &str, form: web_sys::FormData, csrf: Option<&str>) -> Result<Reply, String> {
    let mut builder = gloo_net::http::Request::post(url);
    if let Some(token) = csrf {
        builder = builder.header("x-csrf-token", token);
    }
    finish(builder.body(form).map_err(|e| e.to_string())?.send().await).await
}

/// GET that must succeed.
pub async fn get_ok(url: &str) -> Result<Value, String> {
    let r = get(url).await?;
    if r.ok() {
        Ok(r.body)
    } else {
        Err(r.message())
    }
}
