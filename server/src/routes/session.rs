//! Signing in and out. `GET /api/session` says who is signed in (and gives the CSRF token writes must echo);
//! `POST` signs in with a username and password, slowed down per account name and client address
//! ([`crate::auth::lockout`]); `DELETE` signs out. Sign-ins and sign-outs are written to the audit log; refused
//! attempts are counted per name and address (`sign_in_failure`), and a lock is logged once.

use actix_web::http::Method;
use wangge_api::error::ErrorCode;
use wangge_api::paths;

use super::body::Json;
use super::route;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;
use std::time::Instant;

use crate::audit;
use crate::auth::{password, session, Principal};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::accounts;

pub fn configure(cfg: &mut web::ServiceConfig) {
    route(cfg, Method::GET, paths::SESSION, me);
    route(cfg, Method::POST, paths::SESSION, login);
    route(cfg, Method::DELETE, paths::SESSION, logout);
}

async fn me(principal: Principal) -> HttpResponse {
    match principal {
        Principal::Public => HttpResponse::Ok().json(json!({ "signed_in": false })),
        Principal::Staff(s) => HttpResponse::Ok().json(json!({ "signed_in": true, "account": &*s })),
        Principal::Client(c) => HttpResponse::Ok().json(json!({ "signed_in": false, "client": &*c })),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Credentials {
    username: String,
    password: String,
}

async fn login(state: web::Data<AppState>, req: HttpRequest, body: Json<Credentials>) -> ApiResult<HttpResponse> {
    let Credentials { username, password } = body.into_inner();
    let username = username.trim().to_lowercase();
    if username.is_empty() || username.len() > 64 || password.len() > 1024 {
        return Err(ApiError::bad_request(ErrorCode::BadCredentials, "username and password are required"));
    }
    let address = req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default();
    let lockout = &state.security.lockout;
    if let Err(w) = lockout.check(&username, &address, Instant::now()) {
        let code = if w.locked { ErrorCode::LoginLocked } else { ErrorCode::LoginSlowed };
        return Err(ApiError::too_many(code, w.wait));
    }
    let record = accounts::for_login(&state.pool, &username).await?;
    // Verify against a decoy when the account is missing, so timing does not tell which names exist.
    let hash = record.as_ref().map_or(password::decoy_hash(), |r| r.password_hash.as_str()).to_owned();
    // Sign-ins are logged in the account's district's chain; a name no account has, in the shared one.
    let chain = record.as_ref().map_or(audit::SHARED_CHAIN.to_owned(), |r| r.district.clone());
    let matches =
        tokio::task::spawn_blocking(move || password::verify(&password, &hash)).await.map_err(anyhow::Error::from)?;
    let account = match record {
        Some(r) if matches && !r.disabled => r,
        _ => {
            let failure = lockout.fail(&username, &address, Instant::now());
            accounts::count_sign_in_failure(&state.pool, &username, &address, failure.locked_now).await?;
            if failure.locked_now {
                let target = Some(format!("account {username}"));
                let after = Some(json!({ "address": address, "failures": failure.pair_failures }));
                let entry = audit::Entry {
                    district: &chain,
                    actor: "public",
                    action: "login_locked",
                    target,
                    status: 429,
                    before: None,
                    after,
                };
                audit::append(&state.pool, &state.security.audit_head, entry).await?;
            }
            return Err(ApiError::new(
                actix_web::http::StatusCode::UNAUTHORIZED,
                ErrorCode::BadCredentials,
                "wrong username or password, or the account is disabled",
            ));
        }
    };
    lockout.succeed(&username, &address);
    let (token, csrf) = session::start(&state.pool, account.id).await?;
    let staff = session::resolve(&state.pool, &state.security.sessions, &token)
        .await?
        .ok_or_else(|| anyhow::anyhow!("session just started is missing"))?;
    audit_login(&state, &chain, &username, "login").await?;
    debug_assert_eq!(staff.csrf_token, csrf);
    Ok(HttpResponse::Ok()
        .cookie(session::cookie(token, state.security.secure_cookies))
        .json(json!({ "signed_in": true, "account": staff })))
}

/// Log `username` signing in or out, in the chain of `district` (the account's).
async fn audit_login(state: &AppState, district: &str, username: &str, action: &str) -> ApiResult<()> {
    let target = Some(format!("account {username}"));
    let entry = audit::Entry { district, actor: username, action, target, status: 200, before: None, after: None };
    audit::append(&state.pool, &state.security.audit_head, entry).await?;
    Ok(())
}

async fn logout(state: web::Data<AppState>, req: HttpRequest, principal: Principal) -> ApiResult<HttpResponse> {
    if let (Some(cookie), Principal::Staff(s)) = (req.cookie(session::COOKIE), &principal) {
        session::end(&state.pool, &state.security.sessions, cookie.value()).await?;
        audit_login(&state, s.district.as_str(), &s.username, "logout").await?;
    }
    Ok(HttpResponse::Ok().cookie(session::removal(state.security.secure_cookies)).json(json!({ "signed_in": false })))
}
