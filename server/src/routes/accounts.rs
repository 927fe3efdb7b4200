//! Staff accounts, for district admins: list, create, change (display name, work phone, role and scope, disabled,
//! password). An admin manages the accounts of their own district only.

use actix_web::http::Method;
use wangge_api::error::ErrorCode;
use wangge_api::paths;

use super::body::Json;
use super::input;
use super::route;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::Value;
use wangge_domain::access::{Assignment, Role, Scope};

use crate::auth::password::NewPassword;
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::accounts::{self, AccountChange, NewAccount};
use crate::store::hierarchy::{unknown_codes, Coded, Level};
use crate::write::{Touches, Writer};

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

/// Parse a role and scope, and check the scope lies in the admin's district and names things that exist.
async fn assignment(state: &AppState, viewer: &Viewer, role: &str, scope: Value) -> ApiResult<Assignment> {
    let role: Role = role
        .parse()
        .map_err(|e: wangge_domain::access::AccessError| ApiError::unprocessable(ErrorCode::BadRole, e.to_string()))?;
    let scope: Scope = serde_json::from_value(scope).map_err(|e| {
        ApiError::unprocessable(
            ErrorCode::BadScope,
            format!("scope must be one of {{\"district\": code}}, {{\"street\": code}}, {{\"community\": code}}, {{\"grids\": [codes]}}, {{\"department\": name}}: {e}"),
        )
    })?;
    if scope.district().is_some_and(|d| d != viewer.district) {
        return Err(ApiError::unprocessable(
            ErrorCode::OutsideScope,
            format!("the scope must lie in your district {}", viewer.district.as_str()),
        ));
    }
    let missing: Vec<String> = match &scope {
        Scope::District(d) => unknown_codes(&state.pool, Coded::Area(Level::District), &[d.as_str()]).await?,
        Scope::Street(s) => unknown_codes(&state.pool, Coded::Area(Level::Street), &[s.as_str()]).await?,
        Scope::Community(c) => unknown_codes(&state.pool, Coded::Area(Level::Community), &[c.as_str()]).await?,
        Scope::Grids(gs) => {
            let codes: Vec<&str> = gs.iter().map(|g| g.as_str()).collect();
            unknown_codes(&state.pool, Coded::Grid, &codes).await?
        }
        Scope::Department(_) => Vec::new(),
    };
    if !missing.is_empty() {
        return Err(ApiError::unprocessable(
            ErrorCode::UnknownCodes,
            format!("no such area or grid: {}", missing.join(", ")),
        ));
    }
    Assignment::new(role, scope).map_err(|e| ApiError::unprocessable(ErrorCode::BadScope, e.to_string()))
}

fn password(s: &str) -> ApiResult<NewPassword> {
    NewPassword::parse(s).map_err(|e| ApiError::unprocessable(ErrorCode::WeakPassword, e.to_string()))
}

async fn list(state: web::Data<AppState>, viewer: Viewer) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(accounts::list(&state.pool, &viewer.district).await?))
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
    let display_name = check_display_name(&body.display_name)?;
    let work_phone = body.work_phone.as_deref().map(check_phone).transpose()?;
    let password = password(&body.password)?;
    let assignment = assignment(&state, &viewer, &body.role, body.scope).await?;
    let mut w = writer.begin(&state).await?;
    let account = accounts::create(
        w.conn(),
        NewAccount {
            username,
            display_name: &display_name,
            assignment: &assignment,
            district: &viewer.district,
            work_phone,
            password: &password,
        },
    )
    .await?;
    w.commit(StatusCode::CREATED, account, Touches::Nothing).await
}

async fn get(state: web::Data<AppState>, path: web::Path<i64>) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    accounts::get(&state.pool, id)
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
    let id = path.into_inner();
    let body = body.into_inner();
    let current = accounts::get(&state.pool, id).await?.ok_or_else(|| ApiError::not_found("account", id))?;
    if id == viewer.id && (body.disabled == Some(true) || body.role.is_some() || body.scope.is_some()) {
        return Err(ApiError::unprocessable(ErrorCode::OwnAccount, "you cannot disable or re-scope your own account"));
    }
    let display_name = body.display_name.as_deref().map(check_display_name).transpose()?;
    let work_phone = match &body.work_phone {
        Some(Some(p)) => Some(Some(check_phone(p)?)),
        Some(None) => Some(None),
        None => None,
    };
    let assignment = match (&body.role, &body.scope) {
        (None, None) => None,
        (role, scope) => {
            let role = role.clone().or_else(|| current["role"].as_str().map(str::to_owned)).unwrap_or_default();
            let scope = scope.clone().unwrap_or_else(|| current["scope"].clone());
            Some(assignment(&state, &viewer, &role, scope).await?)
        }
    };
    let password = body.password.as_deref().map(password).transpose()?;
    let change = AccountChange {
        display_name: display_name.as_deref(),
        work_phone,
        assignment: assignment.as_ref(),
        disabled: body.disabled,
        password: password.as_ref(),
    };
    let mut w = writer.begin(&state).await?;
    let updated = accounts::update(w.conn(), id, change).await?.ok_or_else(|| ApiError::not_found("account", id))?;
    w.commit(StatusCode::OK, updated, Touches::Nothing).await
}
