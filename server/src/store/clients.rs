//! Partner applications (API clients) in SQL.

use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use wangge_api::clients::ApiClient;

use super::{typed, Result};

const CLIENT_JSON: &str = "json_build_object('id', id, 'district_code', district_code, 'name', name,
    'created_by', created_by, 'created_at', created_at, 'revoked_at', revoked_at)";

/// Register a client whose key has this digest.
pub async fn insert(conn: &mut PgConnection, district: &str, name: &str, digest: &[u8], by: &str) -> Result<ApiClient> {
    let Json(client) = sqlx::query_scalar(&format!(
        "INSERT INTO api_client (district_code, name, key_digest, created_by) VALUES ($1, $2, $3, $4)
         RETURNING {CLIENT_JSON}"
    ))
    .bind(district)
    .bind(name)
    .bind(digest)
    .bind(by)
    .fetch_one(conn)
    .await?;
    Ok(client)
}

/// The clients of `district`.
pub async fn list(pool: &PgPool, district: &str) -> Result<Vec<ApiClient>> {
    Ok(typed(
        sqlx::query_scalar(&format!("SELECT {CLIENT_JSON} FROM api_client WHERE district_code = $1 ORDER BY id"))
            .bind(district)
            .fetch_all(pool)
            .await?,
    ))
}

/// Revoke client `id` of `district` (no effect when already revoked); `None` when there is no such client there.
pub async fn revoke(conn: &mut PgConnection, district: &str, id: i64) -> Result<Option<ApiClient>> {
    let row: Option<Json<ApiClient>> = sqlx::query_scalar(&format!(
        "UPDATE api_client SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 AND district_code = $2
         RETURNING {CLIENT_JSON}"
    ))
    .bind(id)
    .bind(district)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|j| j.0))
}

/// The live client whose key has this digest: (id, name, district).
pub async fn by_key(pool: &PgPool, digest: &[u8]) -> Result<Option<(i64, String, String)>> {
    Ok(sqlx::query_as("SELECT id, name, district_code FROM api_client WHERE key_digest = $1 AND revoked_at IS NULL")
        .bind(digest)
        .fetch_optional(pool)
        .await?)
}
