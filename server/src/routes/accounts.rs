//! Staff accounts, for district admins: list, create, change (display name, work phone, role and scope, disabled,
//! password). An admin manages the accounts of their own district only.

use actix_web::http::Method;
use wangge_api::error::ErrorCode;
use wangge_api::paths;

use super::body::Json;
use super::input;
use super::route;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::Value;
use wangge_domain::access::{Role, Scope};

use crate::accounts::{self, AccountDraft, AccountEdit};
use crate::auth::password::NewPassword;
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store;
use crate::write::Writer;

pub fn configure(cfg: &mut web::ServiceConfig) {
    route(cfg, Method::GET, paths::ACCOUNTS, list);
    route(cfg, Method::POST, paths::ACCOUNTS, create);
    route(cfg, Method::GET, paths::ACCOUNT, get);
    route(cfg, Method::PUT, paths::ACCOUNT, update);
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountInput {
    username: String,
    display_name: String,
    role: String,
    scope: Value,
    #[serde(default)]
    work_phone: Option<String>,
    password: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountUpdate {
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default, with = "double_option")]
    work_phone: Option<Option<String>>,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    scope: Option<Value>,
    #[serde(default)]
    disabled: Option<bool>,
    #[serde(default)]
    password: Option<String>,
}

/// Distinguish an absent field (leave as is) from `null` (clear).
mod double_option {
    use serde::{Deserialize, Deserializer};
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
        Option::<String>::deserialize(d).map(Some)
    }
}

fn check_display_name(s: &str) -> ApiResult<String> {
    input::label("display_name", s, 50)
}

fn check_phone(s: &str) -> ApiResult<&str> {
    let t = s.trim();
    if t.is_empty() || t.len() > 30 || !t.chars().all(|c| c.is_ascii_digit() || "+- ".contains(c)) {
        return Err(ApiError::unprocessable(
            ErrorCode::BadPhone,
            "work_phone must be digits, +, - or spaces (at most 30)",
        ));
    }
    Ok(t)
}

fn role(s: &str) -> ApiResult<Role> {
    s.parse()
        .map_err(|e: wangge_domain::access::AccessError| ApiError::unprocessable(ErrorCode::BadRole, e.to_string()))
}

fn scope(v: Value) -> ApiResult<Scope> {
    serde_json::from_value(v).map_err(|e| {
        ApiError::unprocessable(
            ErrorCode::BadScope,
            format!("scope must be one of {{\"district\": code}}, {{\"street\": code}}, {{\"community\": code}}, {{\"grids\": [codes]}}, {{\"department\": name}}: {e}"),
        )
    })
}

fn password(s: &str) -> ApiResult<NewPassword> {
    NewPassword::parse(s).map_err(|e| ApiError::unprocessable(ErrorCode::WeakPassword, e.to_string()))
}

async fn list(state: web::Data<AppState>, viewer: Viewer) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(store::accounts::list(&state.pool, &viewer.district).await?))
}

async fn create(
    state: web::Data<AppState>,
    writer: Writer,
    viewer: Viewer,
    body: Json<AccountInput>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let username = body.username.trim();
    if username.len() < 3
        || username.len() > 32
        || !username.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.-".contains(&b))
    {
        return Err(ApiError::unprocessable(ErrorCode::BadUsername, "username: 3 to 32 of a-z, 0-9, _ . -"));
    }
    let draft = AccountDraft {
        username: username.to_owned(),
        display_name: check_display_name(&body.display_name)?,
        role: role(&body.role)?,
        scope: scope(body.scope)?,
        work_phone: body.work_phone.as_deref().map(check_phone).transpose()?.map(str::to_owned),
        password: password(&body.password)?,
    };
    Ok(HttpResponse::Created().json(accounts::create(&state, writer, &viewer, draft).await?))
}

async fn get(state: web::Data<AppState>, path: web::Path<i64>) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    store::accounts::get(&state.pool, id)
        .await?
        .map(|a| HttpResponse::Ok().json(a))
        .ok_or_else(|| ApiError::not_found("account", id))
}

async fn update(
    state: web::Data<AppState>,
    writer: Writer,
    viewer: Viewer,
    path: web::Path<i64>,
    body: Json<AccountUpdate>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let edit = AccountEdit {
        display_name: body.display_name.as_deref().map(check_display_name).transpose()?,
        work_phone: match &body.work_phone {
            Some(Some(p)) => Some(Some(check_phone(p)?.to_owned())),
            Some(None) => Some(None),
            None => None,
        },
        role: body.role.as_deref().map(role).transpose()?,
        scope: body.scope.map(scope).transpose()?,
        disabled: body.disabled,
        password: body.password.as_deref().map(password).transpose()?,
    };
    Ok(HttpResponse::Ok().json(accounts::update(&state, writer, &viewer, path.into_inner(), edit).await?))
}
