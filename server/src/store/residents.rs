//! Registered residents: personal data sealed (AES-256-GCM) beside its masked forms, located to a grid.

use super::Result;
use serde_json::Value;
use sqlx::{PgConnection, PgPool};

/// A resident's masked JSON.
const MASKED_JSON: &str = "jsonb_build_object('id', r.id, 'name', r.name_masked, 'id_card', r.id_card_masked,
    'phone', r.phone_masked, 'building_id', r.building_id, 'community_code', r.community_code,
    'grid_id', r.grid_id, 'grid_code', g.code, 'created_at', r.created_at)";

/// A resident to register, with the personal data already sealed and masked.
pub struct NewResident<'a> {
    /// Name, ID-card number and phone, sealed.
    pub sealed: (Vec<u8>, Vec<u8>, Option<Vec<u8>>),
    /// The same, masked.
    pub masked: (String, String, Option<String>),
    /// Keyed digest of the ID-card number (refuses duplicates).
    pub id_card_digest: Vec<u8>,
    /// The building they live in.
    pub building: i64,
    /// Where (the building's point on surface).
    pub at: (f64, f64),
    /// Its community.
    pub community: Option<&'a str>,
    /// Its grid.
    pub grid: Option<i64>,
}

/// Register a resident; returns the id.
pub async fn insert(conn: &mut PgConnection, r: NewResident<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO resident (name_enc, id_card_enc, phone_enc, name_masked, id_card_masked, phone_masked, id_card_digest,
                               building_id, geom, community_code, district_code, grid_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, ST_SetSRID(ST_MakePoint($9, $10), 4326), $11,
                 coalesce(left($11, 6), '000000'), $12) RETURNING id",
    )
    .bind(r.sealed.0)
    .bind(r.sealed.1)
    .bind(r.sealed.2)
    .bind(r.masked.0)
    .bind(r.masked.1)
    .bind(r.masked.2)
    .bind(r.id_card_digest)
    .bind(r.building)
    .bind(r.at.0)
    .bind(r.at.1)
    .bind(r.community)
    .bind(r.grid)
    .fetch_one(conn)
    .await?)
}

/// Residents (masked) inside a scope of code `prefixes`, optionally of one grid or community.
pub async fn list(
    pool: &PgPool,
    prefixes: &[String],
    grid: Option<i64>,
    community: Option<&str>,
    limit: i64,
) -> Result<Vec<Value>> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT {MASKED_JSON} FROM resident r LEFT JOIN grid g ON g.id = r.grid_id AND g.district_code = r.district_code
         WHERE in_scope(coalesce(g.code, r.community_code), $1)
           AND ($2::int8 IS NULL OR r.grid_id = $2) AND ($3::text IS NULL OR r.community_code = $3)
         ORDER BY r.id LIMIT $4"
    ))
    .bind(prefixes)
    .bind(grid)
    .bind(community)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// One resident, masked.
pub async fn get(pool: &PgPool, id: i64) -> Result<Option<Value>> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT {MASKED_JSON} FROM resident r LEFT JOIN grid g ON g.id = r.grid_id AND g.district_code = r.district_code WHERE r.id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await?)
}

/// A resident's sealed name, ID-card number and phone, as stored.
pub type Sealed = (Vec<u8>, Vec<u8>, Option<Vec<u8>>);

/// A resident's sealed personal data.
pub async fn sealed(conn: &mut PgConnection, id: i64) -> Result<Option<Sealed>> {
    Ok(sqlx::query_as("SELECT name_enc, id_card_enc, phone_enc FROM resident WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?)
}
