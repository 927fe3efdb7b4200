//! Staff accounts: creating, listing, changing, and finding one to sign in.

use super::{typed, Result};
use serde_json::Value;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use wangge_api::accounts::Account;
use wangge_api::grids::Contact;
use wangge_domain::access::Assignment;
use wangge_domain::codes::DistrictCode;

use crate::auth::password::NewPassword;

/// The JSON of an account as admins see it (never the password hash).
const ACCOUNT_JSON: &str = "jsonb_build_object('id', id, 'username', username, 'display_name', display_name,
    'role', role, 'scope', scope, 'district_code', district_code, 'work_phone', work_phone, 'disabled', disabled,
    'created_at', created_at, 'updated_at', updated_at)";

/// A new account.
pub struct NewAccount<'a> {
    /// Login name.
    pub username: &'a str,
    /// Name shown to people.
    pub display_name: &'a str,
    /// Role and scope.
    pub assignment: &'a Assignment,
    /// Home district.
    pub district: &'a DistrictCode,
    /// Work phone (public for grid workers).
    pub work_phone: Option<&'a str>,
    /// Initial password.
    pub password: &'a NewPassword,
}

/// Create an account.
pub async fn create<'e>(db: impl sqlx::PgExecutor<'e>, a: NewAccount<'_>) -> Result<Account> {
    let Json(account) = sqlx::query_scalar(&format!(
        "INSERT INTO account (username, display_name, role, scope, district_code, work_phone, password_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {ACCOUNT_JSON}"
    ))
    .bind(a.username)
    .bind(a.display_name)
    .bind(a.assignment.role().as_str())
    .bind(serde_json::to_value(a.assignment.scope())?)
    .bind(a.district.as_str())
    .bind(a.work_phone)
    .bind(a.password.hash())
    .fetch_one(db)
    .await?;
    Ok(account)
}

/// Every account of a district, by username.
pub async fn list(pool: &PgPool, district: &DistrictCode) -> Result<Vec<Account>> {
    Ok(typed(
        sqlx::query_scalar(&format!("SELECT {ACCOUNT_JSON} FROM account WHERE district_code = $1 ORDER BY username"))
            .bind(district.as_str())
            .fetch_all(pool)
            .await?,
    ))
}

/// One account.
pub async fn get(pool: &PgPool, id: i64) -> Result<Option<Account>> {
    let row: Option<Json<Account>> = sqlx::query_scalar(&format!("SELECT {ACCOUNT_JSON} FROM account WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|j| j.0))
}

/// Changes to an account; `None` leaves a field as it is.
#[derive(Default)]
pub struct AccountChange<'a> {
    /// New display name.
    pub display_name: Option<&'a str>,
    /// New work phone (`Some(None)` clears it).
    pub work_phone: Option<Option<&'a str>>,
    /// New role and scope.
    pub assignment: Option<&'a Assignment>,
    /// Disable or enable.
    pub disabled: Option<bool>,
    /// New password.
    pub password: Option<&'a NewPassword>,
}

/// Apply a change; returns the account, `None` if it does not exist. Ends the account's sessions when the
/// change affects what they may do (disabled, re-scoped, new password).
pub async fn update(tx: &mut PgConnection, id: i64, c: AccountChange<'_>) -> Result<Option<Account>> {
    let row: Option<Json<Account>> = sqlx::query_scalar(&format!(
        "UPDATE account SET
            display_name = coalesce($2, display_name),
            work_phone = CASE WHEN $3 THEN $4 ELSE work_phone END,
            role = coalesce($5, role),
            scope = coalesce($6, scope),
            disabled = coalesce($7, disabled),
            password_hash = coalesce($8, password_hash),
            updated_at = now()
         WHERE id = $1 RETURNING {ACCOUNT_JSON}"
    ))
    .bind(id)
    .bind(c.display_name)
    .bind(c.work_phone.is_some())
    .bind(c.work_phone.flatten())
    .bind(c.assignment.map(|a| a.role().as_str()))
    .bind(c.assignment.map(|a| serde_json::to_value(a.scope())).transpose()?)
    .bind(c.disabled)
    .bind(c.password.map(NewPassword::hash))
    .fetch_optional(&mut *tx)
    .await?;
    if row.is_some() && (c.assignment.is_some() || c.disabled == Some(true) || c.password.is_some()) {
        sqlx::query("DELETE FROM session WHERE account_id = $1").bind(id).execute(&mut *tx).await?;
    }
    Ok(row.map(|j| j.0))
}

/// What signing in needs of an account.
pub struct LoginRecord {
    /// Id.
    pub id: i64,
    /// The argon2 hash.
    pub password_hash: String,
    /// Disabled accounts cannot sign in.
    pub disabled: bool,
    /// The district the account belongs to (whose audit chain logs its sign-ins).
    pub district: String,
}

/// The account with this username.
pub async fn for_login(pool: &PgPool, username: &str) -> Result<Option<LoginRecord>> {
    let row: Option<(i64, String, bool, String)> =
        sqlx::query_as("SELECT id, password_hash, disabled, district_code FROM account WHERE username = $1")
            .bind(username)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(|(id, password_hash, disabled, district)| LoginRecord { id, password_hash, disabled, district }))
}

/// The public contact of the grid workers and grid heads whose scope includes a grid code: name and work phone.
pub async fn grid_contacts(pool: &PgPool, grid_code: &str) -> Result<Vec<Contact>> {
    Ok(typed(
        sqlx::query_scalar(
            "SELECT jsonb_build_object('name', display_name, 'role', role, 'work_phone', work_phone) FROM account
         WHERE NOT disabled AND role IN ('grid_worker', 'grid_head')
           AND (scope -> 'grids' ? $1 OR scope ->> 'community' = left($1, 12))
         ORDER BY role DESC, display_name",
        )
        .bind(grid_code)
        .fetch_all(pool)
        .await?,
    ))
}

/// Count a refused sign-in of `username` from `address` in the per-name-and-address summary (`locked`: this failure
/// locked the name from that address).
pub async fn count_sign_in_failure(pool: &PgPool, username: &str, address: &str, locked: bool) -> Result<()> {
    sqlx::query(
        "INSERT INTO sign_in_failure (username, address, failures, locked_at) VALUES ($1, $2, 1, CASE WHEN $3 THEN now() END)
         ON CONFLICT (username, address) DO UPDATE SET failures = sign_in_failure.failures + 1, last_at = now(),
             locked_at = CASE WHEN $3 THEN now() ELSE sign_in_failure.locked_at END",
    )
    .bind(username)
    .bind(address)
    .bind(locked)
    .execute(pool)
    .await?;
    Ok(())
}

/// The summary of refused sign-ins, most recent first: name, address, count, first and last time, last lock.
pub async fn sign_in_failures(pool: &PgPool, limit: i64) -> Result<Vec<Value>> {
    Ok(sqlx::query_scalar(
        "SELECT jsonb_build_object('username', username, 'address', address, 'failures', failures, 'first_at', first_at,
                'last_at', last_at, 'locked_at', locked_at)
         FROM sign_in_failure ORDER BY last_at DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// How long refused sign-ins are kept in the summary after the last one.
pub const SIGN_IN_FAILURES_KEPT_DAYS: i32 = 90;

/// Delete expired sessions, and refused-sign-in summaries with no failure for [`SIGN_IN_FAILURES_KEPT_DAYS`];
/// returns how many rows went.
pub async fn sweep(pool: &PgPool) -> Result<u64> {
    let sessions = sqlx::query("DELETE FROM session WHERE expires_at < now()").execute(pool).await?.rows_affected();
    let failures = sqlx::query("DELETE FROM sign_in_failure WHERE last_at < now() - make_interval(days => $1)")
        .bind(SIGN_IN_FAILURES_KEPT_DAYS)
        .execute(pool)
        .await?
        .rows_affected();
    Ok(sessions + failures)
}
