//! Sessions: a random token in a secure, HttpOnly, SameSite=Strict cookie; only its SHA-256 is stored. Each session
//! has its own CSRF token that cookie-authenticated writes must echo in `X-CSRF-Token`.
//!
//! A session found live is remembered for [`REMEMBERED`] (a phone reporting in a burst asks once, not per request).
//! This process forgets it at once when it ends the session or changes the account; another process sharing the
//! database (a second server, the command line) is obeyed within [`REMEMBERED`].

use actix_web::cookie::{time, Cookie, SameSite};
use anyhow::Result;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
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

/// How long a session found live is trusted without asking the database again.
pub const REMEMBERED: Duration = Duration::from_secs(5);

/// The most sessions remembered at once (beyond it the oldest half is forgotten).
const MOST_REMEMBERED: usize = 100_000;

/// A session found live: whose, until when, and when it was found.
#[derive(Debug)]
struct Found {
    staff: Staff,
    expires: DateTime<Utc>,
    seen: Instant,
}

/// Sessions recently found live, by token hash.
#[derive(Debug, Default)]
pub struct Remembered {
    live: Mutex<HashMap<Vec<u8>, Found>>,
}

/// A live session's account, as stored.
#[derive(sqlx::FromRow)]
struct SessionRow {
    id: i64,
    username: String,
    display_name: String,
    role: String,
    scope: serde_json::Value,
    district_code: String,
    csrf_token: String,
    expires_at: DateTime<Utc>,
}

impl Remembered {
    fn get(&self, hash: &[u8]) -> Option<Staff> {
        let live = self.live.lock().expect("sessions");
        let found = live.get(hash)?;
        (found.seen.elapsed() < REMEMBERED && found.expires > Utc::now()).then(|| found.staff.clone())
    }

    fn keep(&self, hash: Vec<u8>, staff: Staff, expires: DateTime<Utc>) {
        let mut live = self.live.lock().expect("sessions");
        if live.len() >= MOST_REMEMBERED {
            live.retain(|_, found| found.seen.elapsed() < REMEMBERED);
        }
        live.insert(hash, Found { staff, expires, seen: Instant::now() });
    }

    /// Forget every session remembered (the sweep removed expired ones from the database).
    pub fn forget_all(&self) {
        self.live.lock().expect("sessions").clear();
    }

    /// Forget every session of account `id` (it was changed, disabled or given a new password).
    pub fn forget_account(&self, id: i64) {
        self.live.lock().expect("sessions").retain(|_, found| found.staff.id != id);
    }
}

/// The staff member a cookie token belongs to, if the session is live and the account enabled.
pub async fn resolve(pool: &PgPool, remembered: &Remembered, token: &str) -> Result<Option<Staff>> {
    let hash = token_hash(token);
    if let Some(staff) = remembered.get(&hash) {
        return Ok(Some(staff));
    }
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT a.id, a.username, a.display_name, a.role, a.scope, a.district_code, s.csrf_token, s.expires_at
             FROM session s JOIN account a ON a.id = s.account_id
             WHERE s.token_hash = $1 AND s.expires_at > now() AND NOT a.disabled",
    )
    .bind(&hash)
    .fetch_optional(pool)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let staff =
        Staff::from_columns(r.id, r.username, r.display_name, &r.role, r.scope, &r.district_code, r.csrf_token)?;
    remembered.keep(hash, staff.clone(), r.expires_at);
    Ok(Some(staff))
}

/// End one session.
pub async fn end(pool: &PgPool, remembered: &Remembered, token: &str) -> Result<()> {
    let hash = token_hash(token);
    remembered.live.lock().expect("sessions").remove(&hash);
    sqlx::query("DELETE FROM session WHERE token_hash = $1").bind(hash).execute(pool).await?;
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
