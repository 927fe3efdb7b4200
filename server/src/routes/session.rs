//! Signing in and out. `GET /api/session` says who is signed in (and gives the CSRF token writes must echo);
//! `POST` signs in with a username and password, throttled per account name and per client address; `DELETE`
//! signs out. Every attempt is written to the audit log.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::audit;
use crate::auth::{password, session, Principal};
use crate::error::{ApiError, ApiResult};
use crate::startup::AppState;
use crate::store::accounts;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/session", web::get().to(me)).route("/session", web::post().to(login)).route("/session", web::delete().to(logout));
}

async fn me(principal: Principal) -> HttpResponse {
    match principal {
        Principal::Public => HttpResponse::Ok().json(json!({ "signed_in": false })),
        Principal::Staff(s) => HttpResponse::Ok().json(json!({ "signed_in": true, "account": &*s })),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Credentials {
    username: String,
    password: String,
}

async fn login(state: web::Data<AppState>, req: HttpRequest, body: web::Json<Credentials>) -> ApiResult<HttpResponse> {
    let Credentials { username, password } = body.into_inner();
    let username = username.trim().to_lowercase();
    if username.is_empty() || username.len() > 64 || password.len() > 1024 {
        return Err(ApiError::bad_request("bad_credentials", "username and password are required"));
    }
    let ip = format!("ip:{}", req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default());
    let name_key = format!("user:{username}");
    let (by_name, by_address) = (&state.security.failures_by_name, &state.security.failures_by_address);
    if let Err(wait) = by_name.check(&name_key).and_then(|_| by_address.check(&ip)) {
        audit_login(&state, "public", &username, "login_locked", 429).await?;
        return Err(ApiError::too_many("login_locked", wait));
    }
    let record = accounts::for_login(&state.pool, &username).await?;
    // Verify against a decoy when the account is missing, so timing does not tell which names exist.
    let hash = record.as_ref().map_or(password::decoy_hash(), |r| r.password_hash.as_str()).to_owned();
    let matches = tokio::task::spawn_blocking(move || password::verify(&password, &hash)).await.map_err(anyhow::Error::from)?;
    let account = match record {
        Some(r) if matches && !r.disabled => r,
        _ => {
            by_name.record(&name_key);
            by_address.record(&ip);
            audit_login(&state, "public", &username, "login_failed", 401).await?;
            return Err(ApiError::new(
                actix_web::http::StatusCode::UNAUTHORIZED,
                "bad_credentials",
                "wrong username or password, or the account is disabled",
            ));
        }
    };
    by_name.clear(&name_key);
    let (token, csrf) = session::start(&state.pool, account.id).await?;
    let staff = session::resolve(&state.pool, &token).await?.ok_or_else(|| anyhow::anyhow!("session just started is missing"))?;
    audit_login(&state, &username, &username, "login", 200).await?;
    debug_assert_eq!(staff.csrf_token, csrf);
    Ok(HttpResponse::Ok()
        .cookie(session::cookie(token, state.security.secure_cookies))
        .json(json!({ "signed_in": true, "account": staff })))
}

async fn audit_login(state: &AppState, actor: &str, username: &str, action: &str, status: u16) -> ApiResult<()> {
    let entry = audit::Entry { actor, action, target: Some(format!("account {username}")), status, before: None, after: None };
    audit::append(&state.pool, entry).await?;
    Ok(())
}

async fn logout(state: web::Data<AppState>, req: HttpRequest, principal: Principal) -> ApiResult<HttpResponse> {
    if let (Some(cookie), Principal::Staff(s)) = (req.cookie(session::COOKIE), &principal) {
        session::end(&state.pool, cookie.value()).await?;
        audit_login(&state, &s.username, &s.username, "logout", 200).await?;
    }
    Ok(HttpResponse::Ok().cookie(session::removal(state.security.secure_cookies)).json(json!({ "signed_in": false })))
}
