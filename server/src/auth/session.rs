//! Sessions: a random token in a secure, HttpOnly, SameSite=Strict cookie; only its SHA-256 is stored. Each session
//! has its own CSRF token that cookie-authenticated writes must echo in `X-CSRF-Token`.

use actix_web::cookie::{time, Cookie, SameSite};
use anyhow::Result;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use super::principal::Staff;

/// The session cookie's name.
pub const COOKIE: &str = "wangge_session";
/// The header a write must carry the session's CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// How long a session lasts.
pub const LIFETIME_HOURS: i64 = 12;

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Start a session for `account_id`; returns the cookie token and the CSRF token.
pub async fn start(pool: &PgPool, account_id: i64) -> Result<(String, String)> {
    let (token, csrf) = (random_token(), random_token());
    sqlx::query(
        "INSERT INTO session (token_hash, account_id, csrf_token, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(hours => $4))",
    )
    .bind(token_hash(&token))
    .bind(account_id)
    .bind(&csrf)
    .bind(LIFETIME_HOURS as i32)
    .execute(pool)
    .await?;
    Ok((token, csrf))
}

/// The staff member a cookie token belongs to, if the session is live and the account enabled.
pub async fn resolve(pool: &PgPool, token: &str) -> Result<Option<Staff>> {
    let row: Option<(i64, String, String, String, serde_json::Value, String, String)> = sqlx::query_as(
        "SELECT a.id, a.username, a.display_name, a.role, a.scope, a.district_code, s.csrf_token
         FROM session s JOIN account a ON a.id = s.account_id
         WHERE s.token_hash = $1 AND s.expires_at > now() AND NOT a.disabled",
    )
    .bind(token_hash(token))
    .fetch_optional(pool)
    .await?;
    row.map(|(id, username, display, role, scope, district, csrf)| {
        Staff::from_columns(id, username, display, &role, scope, &district, csrf)
    })
    .transpose()
}

/// End one session.
pub async fn end(pool: &PgPool, token: &str) -> Result<()> {
    sqlx::query("DELETE FROM session WHERE token_hash = $1").bind(token_hash(token)).execute(pool).await?;
    Ok(())
}

/// End every session of an account (after it is disabled, re-scoped or given a new password).
pub async fn end_all(pool: &PgPool, account_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM session WHERE account_id = $1 OR expires_at < now()")
        .bind(account_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// The session cookie carrying `token`.
pub fn cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build(COOKIE, token)
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .max_age(time::Duration::hours(LIFETIME_HOURS))
        .finish()
}

/// A cookie that removes the session cookie.
pub fn removal(secure: bool) -> Cookie<'static> {
    let mut c = cookie(String::new(), secure);
    c.make_removal();
    c
}

/// Compare two tokens in time independent of where they differ.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
